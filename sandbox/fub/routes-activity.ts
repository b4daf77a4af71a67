import { z } from "zod";
import { visiblePerson } from "./routes-people.js";
import { type Answer, type Ctx, fail, numericId, page, parseBody, type Route } from "./routing.js";
import { CALL_OUTCOMES, type FubCall } from "./store.js";

// Calls, text messages and webhook registrations. Sources: calls POST field list (personId, phone,
// isIncoming required; outcome one of six; userId "can only be set by administrators, otherwise the
// currently logged in user's ID is used"), reference/calls-get (search by personId), reference/
// calls-id-put ("You can only update calls created by the account/system that is calling the API"),
// reference/textmessages-1 ("Restricted - Registered Systems Only", a record only, nothing is sent;
// personId, message, toNumber, fromNumber required), reference/webhooks-guide ("Only the owner has
// access to creating, updating, or deleting webhooks"; HTTPS callbacks; X-System required).

const text = z.string().nullable().optional();

const callFields = z.object({
  personId: z.coerce.number().int().positive(),
  phone: z.string().min(1),
  isIncoming: z.boolean(),
  outcome: z.enum(CALL_OUTCOMES).nullable().optional(),
  note: text,
  duration: z.coerce.number().int().min(0).optional(),
  toNumber: text,
  fromNumber: text,
  recordingUrl: text,
  userId: z.coerce.number().int().positive().optional(),
});

const textFields = z.object({
  personId: z.coerce.number().int().positive(),
  message: z.string().min(1),
  toNumber: z.string().min(1),
  fromNumber: z.string().min(1),
  isIncoming: z.boolean().optional(),
  externalUrl: z.string().optional(),
  externalLabel: z.string().optional(),
});

/** The events FUB's webhooks guide lists that this simulator can emit. */
export const WEBHOOK_EVENTS = [
  "peopleCreated",
  "peopleUpdated",
  "peopleDeleted",
  "peopleTagsCreated",
  "peopleStageUpdated",
  "notesCreated",
  "callsCreated",
  "callsUpdated",
  "textMessagesCreated",
] as const;

const webhookFields = z.object({ event: z.enum(WEBHOOK_EVENTS), url: z.string().url() });

const callView = ({ system: _system, ...call }: FubCall) => call;

/** Admins may log a call as someone else; everyone else logs it as themselves. */
function callUser(ctx: Ctx, requested: number | undefined): number {
  return ctx.user.role === "Broker" && requested !== undefined && ctx.store.users.has(requested)
    ? requested
    : ctx.user.id;
}

function logCall(ctx: Ctx): Answer {
  const parsed = parseBody(callFields, ctx.body);
  if (!parsed.ok) return parsed.answer;
  const { userId, ...fields } = parsed.value;
  const found = visiblePerson(ctx, fields.personId);
  if ("answer" in found) return found.answer;
  const call = ctx.store.addCall({
    personId: fields.personId,
    userId: callUser(ctx, userId),
    phone: fields.phone,
    isIncoming: fields.isIncoming,
    outcome: fields.outcome ?? null,
    note: fields.note ?? null,
    duration: fields.duration ?? 0,
    toNumber: fields.toNumber ?? null,
    fromNumber: fields.fromNumber ?? null,
    recordingUrl: fields.recordingUrl ?? null,
    system: ctx.system?.name ?? null,
  });
  ctx.changed("callsCreated", [call.id]);
  return { status: 201, body: callView(call) };
}

function updateCall(ctx: Ctx, id: string): Answer {
  const call = ctx.store.calls.get(numericId(id) ?? 0);
  if (!call) return fail(404, `Call ${id} not found.`);
  const found = visiblePerson(ctx, call.personId);
  if ("answer" in found) return found.answer;
  if (call.system !== (ctx.system?.name ?? null)) {
    return fail(403, "You can only update calls created by the account/system that is calling the API.");
  }
  const parsed = parseBody(callFields.partial(), ctx.body);
  if (!parsed.ok) return parsed.answer;
  const { userId, ...fields } = parsed.value;
  if (fields.personId !== undefined && fields.personId !== call.personId) {
    const moved = visiblePerson(ctx, fields.personId);
    if ("answer" in moved) return moved.answer;
  }
  Object.assign(call, fields, { updated: new Date().toISOString() });
  if (userId !== undefined) call.userId = callUser(ctx, userId);
  ctx.changed("callsUpdated", [call.id]);
  return { status: 200, body: callView(call) };
}

function logText(ctx: Ctx): Answer {
  const parsed = parseBody(textFields, ctx.body);
  if (!parsed.ok) return parsed.answer;
  const found = visiblePerson(ctx, parsed.value.personId);
  if ("answer" in found) return found.answer;
  const { isIncoming, externalUrl, externalLabel, ...fields } = parsed.value;
  const stored = ctx.store.addText({
    ...fields,
    userId: ctx.user.id,
    isIncoming: isIncoming ?? false,
    externalUrl: externalUrl ?? null,
    externalLabel: externalLabel ?? null,
    system: ctx.system?.name ?? null,
  });
  ctx.changed("textMessagesCreated", [stored.id]);
  const { system: _system, ...shown } = stored;
  return { status: 201, body: shown };
}

/** Only the owner manages webhooks; a webhook belongs to the system that registered it. */
function ownerOnly(ctx: Ctx): Answer | undefined {
  if (!ctx.user.isOwner) return fail(403, "Only the account owner has access to webhooks.");
  return undefined;
}

function registerWebhook(ctx: Ctx): Answer {
  const refused = ownerOnly(ctx);
  if (refused) return refused;
  const parsed = parseBody(webhookFields, ctx.body);
  if (!parsed.ok) return parsed.answer;
  const url = new URL(parsed.value.url);
  // FUB requires HTTPS; the simulator also accepts this machine's own addresses so tests can receive.
  if (url.protocol !== "https:" && !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    return fail(400, "Webhook URLs must use HTTPS.");
  }
  const webhook = ctx.store.addWebhook({ ...parsed.value, system: ctx.system!.name });
  return { status: 201, body: webhook };
}

export function activityRoutes(): Route[] {
  const visibleCall = (ctx: Ctx, call: FubCall) => {
    const person = ctx.store.people.get(call.personId);
    return person !== undefined && ctx.store.canSee(ctx.user, person);
  };
  return [
    { method: "POST", pattern: "/v1/calls", handle: logCall },
    {
      method: "GET",
      pattern: "/v1/calls",
      handle: (ctx) => {
        const personId = numericId(ctx.query.get("personId") ?? undefined);
        const calls = [...ctx.store.calls.values()].filter(
          (c) => visibleCall(ctx, c) && (personId === undefined || c.personId === personId),
        );
        return page(ctx, "calls", calls.map(callView));
      },
    },
    {
      method: "GET",
      pattern: "/v1/calls/:id",
      handle: (ctx, { id }) => {
        const call = ctx.store.calls.get(numericId(id) ?? 0);
        if (!call) return fail(404, `Call ${id} not found.`);
        return visibleCall(ctx, call) ? { status: 200, body: callView(call) } : fail(403, "Access denied.");
      },
    },
    { method: "PUT", pattern: "/v1/calls/:id", handle: (ctx, { id }) => updateCall(ctx, id!) },
    { method: "POST", pattern: "/v1/textMessages", registeredOnly: true, handle: logText },
    {
      // reference/textmessages: texts "for a person or phone number"; a filter is required (an
      // unfiltered list is a 400, as integrations report). Bodies may be hidden by FUB; here they are not.
      method: "GET",
      pattern: "/v1/textMessages",
      handle: (ctx) => {
        const personId = numericId(ctx.query.get("personId") ?? undefined);
        const phone = ctx.query.get("phone") ?? ctx.query.get("toNumber") ?? ctx.query.get("fromNumber");
        if (personId === undefined && !phone) return fail(400, "Give at least one filter: personId or a phone number.");
        const texts = [...ctx.store.texts.values()].filter((text) => {
          const person = ctx.store.people.get(text.personId);
          if (!person || !ctx.store.canSee(ctx.user, person)) return false;
          if (personId !== undefined) return text.personId === personId;
          return text.toNumber === phone || text.fromNumber === phone;
        });
        return page(
          ctx,
          "textmessages",
          texts.map(({ system: _system, ...text }) => text),
        );
      },
    },
    {
      method: "GET",
      pattern: "/v1/webhooks",
      registeredOnly: true,
      handle: (ctx) =>
        ownerOnly(ctx) ??
        page(
          ctx,
          "webhooks",
          [...ctx.store.webhooks.values()].filter((hook) => hook.system === ctx.system!.name),
        ),
    },
    { method: "POST", pattern: "/v1/webhooks", registeredOnly: true, handle: registerWebhook },
    {
      method: "DELETE",
      pattern: "/v1/webhooks/:id",
      registeredOnly: true,
      handle: (ctx, { id }) => {
        const hook = ctx.store.webhooks.get(numericId(id) ?? 0);
        if (!hook || hook.system !== ctx.system!.name) return fail(404, `Webhook ${id} not found.`);
        const refused = ownerOnly(ctx);
        if (refused) return refused;
        ctx.store.webhooks.delete(hook.id);
        return { status: 204 };
      },
    },
  ];
}
