import { z } from "zod";
import { type Answer, type Ctx, fail, numericId, page, parseBody, type Route } from "./routing.js";
import type { FubPerson, FubUser, PersonInput } from "./store.js";

// Who the key is, the account's users, people and lead events. Sources: reference/identity ("uses
// the provided API key to provide basic identifying information about the authenticated user and the
// parent account"), reference/users-get (filters email, role, name), reference/people-post (create;
// the `deduplicate` query flag is used by many integrations but its default is not on the page we
// could read: here it is off), reference/events-post (the lead path: an existing person matched by
// id, email or phone is reused; 201 when a person was created, 200 otherwise, 204 when the source's
// lead flow is archived; a person id that does not exist is a 404).

const value = z.object({ value: z.string().min(1), type: z.string().optional(), isPrimary: z.boolean().optional() });

const personFields = z.object({
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  name: z.string().optional(),
  stage: z.string().optional(),
  source: z.string().optional(),
  assignedUserId: z.coerce.number().int().nullable().optional(),
  tags: z.array(z.string()).optional(),
  emails: z.array(value).optional(),
  phones: z.array(value).optional(),
});

const eventFields = z.object({
  type: z.string().min(1),
  source: z.string().optional(),
  system: z.string().optional(),
  message: z.string().optional(),
  person: personFields.extend({ id: z.coerce.number().int().optional() }),
});

/** A user as FUB's API shows one: never its API key. */
export function userView(user: FubUser) {
  const { apiKey: _secret, ...shown } = user;
  return shown;
}

/** The person behind an id, or FUB's 404 (no such person) or 403 (the key's user may not see them). */
export function visiblePerson(ctx: Ctx, id: number | undefined): { person: FubPerson } | { answer: Answer } {
  const person = id === undefined ? undefined : ctx.store.people.get(id);
  if (!person) return { answer: fail(404, `Person ${id ?? "?"} not found.`) };
  if (!ctx.store.canSee(ctx.user, person)) return { answer: fail(403, "You do not have access to this person.") };
  return { person };
}

/** An agent's new person is theirs unless the request says otherwise (they could not see it otherwise). */
function withOwner(ctx: Ctx, input: PersonInput): PersonInput {
  if (input.assignedUserId !== undefined || ctx.user.role === "Broker") return input;
  return { ...input, assignedUserId: ctx.user.id };
}

function createPerson(ctx: Ctx): Answer {
  const parsed = parseBody(personFields, ctx.body);
  if (!parsed.ok) return parsed.answer;
  if (ctx.query.get("deduplicate") === "true") {
    const existing = ctx.store.findDuplicate(parsed.value);
    if (existing) {
      if (!ctx.store.canSee(ctx.user, existing)) return fail(403, "You do not have access to this person.");
      ctx.store.updatePerson(existing, { ...parsed.value, source: undefined });
      ctx.changed("peopleUpdated", [existing.id]);
      return { status: 200, body: existing };
    }
  }
  const person = ctx.store.createPerson(withOwner(ctx, parsed.value));
  ctx.changed("peopleCreated", [person.id]);
  return { status: 201, body: person };
}

function updatePerson(ctx: Ctx, id: string): Answer {
  const found = visiblePerson(ctx, numericId(id));
  if ("answer" in found) return found.answer;
  const { person } = found;
  const parsed = parseBody(personFields, ctx.body);
  if (!parsed.ok) return parsed.answer;
  // "The source and sourceUrl fields can only be set once on the creation of a person" (people-post).
  ctx.store.updatePerson(person, { ...parsed.value, source: undefined });
  ctx.changed("peopleUpdated", [person.id]);
  return { status: 200, body: person };
}

function sendEvent(ctx: Ctx, archivedSources: ReadonlySet<string>): Answer {
  const parsed = parseBody(eventFields, ctx.body);
  if (!parsed.ok) return parsed.answer;
  const { person: input, ...event } = parsed.value;
  if (event.source && archivedSources.has(event.source)) return { status: 204 };
  let person = input.id === undefined ? ctx.store.findDuplicate(input) : ctx.store.people.get(input.id);
  if (input.id !== undefined && !person) return fail(404, `Person ${input.id} not found.`);
  const created = !person;
  if (person) ctx.store.updatePerson(person, { tags: [...new Set([...person.tags, ...(input.tags ?? [])])] });
  else person = ctx.store.createPerson({ ...input, source: input.source ?? event.source });
  const stored = ctx.store.addEvent({
    type: event.type,
    source: event.source ?? null,
    system: event.system ?? ctx.system?.name ?? null,
    message: event.message ?? null,
    personId: person.id,
  });
  ctx.changed(created ? "peopleCreated" : "peopleUpdated", [person.id]);
  return { status: created ? 201 : 200, body: stored };
}

export function peopleRoutes(options: { archivedSources?: Iterable<string> } = {}): Route[] {
  const archived = new Set(options.archivedSources ?? []);
  return [
    {
      method: "GET",
      pattern: "/v1/identity",
      handle: ({ store, user }) => ({
        status: 200,
        body: {
          account: { ...store.account, owner: [...store.users.values()].filter((u) => u.isOwner).map(userView)[0] },
          user: { id: user.id, name: user.name, email: user.email },
        },
      }),
    },
    { method: "GET", pattern: "/v1/me", handle: ({ user }) => ({ status: 200, body: userView(user) }) },
    {
      method: "GET",
      pattern: "/v1/users",
      handle: (ctx) => {
        const { email, role, name } = Object.fromEntries(ctx.query);
        const users = [...ctx.store.users.values()].filter(
          (u) =>
            (!email || u.email.toLowerCase() === email.toLowerCase()) &&
            (!role || u.role === role) &&
            (!name || u.name === name),
        );
        return page(ctx, "users", users.map(userView));
      },
    },
    {
      method: "GET",
      pattern: "/v1/people",
      handle: (ctx) => {
        const phone = ctx.query.get("phone");
        const email = ctx.query.get("email")?.toLowerCase();
        const people = (phone ? ctx.store.peopleByPhone(phone) : [...ctx.store.people.values()]).filter(
          (p) => ctx.store.canSee(ctx.user, p) && (!email || p.emails.some((e) => e.value.toLowerCase() === email)),
        );
        return page(ctx, "people", people);
      },
    },
    { method: "POST", pattern: "/v1/people", handle: createPerson },
    {
      method: "GET",
      pattern: "/v1/people/:id",
      handle: (ctx, { id }) => {
        const found = visiblePerson(ctx, numericId(id));
        return "answer" in found ? found.answer : { status: 200, body: found.person };
      },
    },
    { method: "PUT", pattern: "/v1/people/:id", handle: (ctx, { id }) => updatePerson(ctx, id!) },
    { method: "POST", pattern: "/v1/events", handle: (ctx) => sendEvent(ctx, archived) },
    {
      method: "GET",
      pattern: "/v1/events",
      handle: (ctx) => {
        const personId = numericId(ctx.query.get("personId") ?? undefined);
        const events = [...ctx.store.events.values()].filter((e) => {
          const person = ctx.store.people.get(e.personId);
          return person && ctx.store.canSee(ctx.user, person) && (personId === undefined || e.personId === personId);
        });
        return page(ctx, "events", events);
      },
    },
  ];
}
