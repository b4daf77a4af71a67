import type { Lead } from "@prisma/client";
import type { Logger } from "../../lib/log.js";
import { IntakeRefused, type LeadIntake } from "../leads/lead-intake.js";
import type { LeadService } from "../leads/lead-service.js";
import { CrmError, type CrmPerson, type CrmProvider } from "./connector.js";
import type { CrmStore } from "./crm-store.js";

/** Webhook bodies above this are refused (FUB's are thin: ids and a uri). */
export const WEBHOOK_BODY_CAP = 64 * 1024;

export type WebhookAnswer =
  | { status: 200; applied: number; skipped: number }
  /** Not FUB's (bad signature), not readable, or for a workspace without a CRM: nothing changed. */
  | { status: 400 | 401 | 404 | 413; error: string }
  /** FUB could not be asked for the people: FUB retries the delivery later. */
  | { status: 503; error: string };

export interface CrmInbound {
  receive(ws: number, rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<WebhookAnswer>;
}

export function createCrmInbound(deps: {
  provider: CrmProvider;
  store: Pick<CrmStore, "connection" | "leadOfPerson" | "link" | "peopleOf" | "markSeen" | "seen" | "slackUserOf">;
  apiKeyOf(ws: number): Promise<string | undefined>;
  intake: LeadIntake;
  leads: Pick<LeadService, "get" | "findByPhone" | "addNote">;
  log: Logger;
}): CrmInbound {
  const author = deps.provider.name;
  const log = deps.log.child({ component: "crm-inbound" });

  /** A person with no usable phone is stored without one (the raw number kept in a note), never dialled. */
  const create = async (ws: number, person: CrmPerson, ownerSlackId: string | undefined) => {
    const base = {
      name: person.name || person.emails[0] || `${author} person ${person.id}`,
      email: person.emails[0],
      source: person.source ?? author,
      ownerSlackId,
    };
    const how = { origin: { kind: "crm" as const, system: author }, author, ifExists: "return" as const };
    try {
      return await deps.intake.intake(ws, { ...base, phone: person.phones[0] }, how);
    } catch (error) {
      if (!(error instanceof IntakeRefused)) throw error;
      const { phone: _phone, email: _email, ...rest } = error.fields;
      if (Object.keys(rest).length > 0) throw error;
      const note = person.phones[0] ? `${author} phone "${person.phones[0]}" is not a callable number.` : undefined;
      return deps.intake.intake(ws, { ...base, email: error.fields.email ? undefined : base.email, note }, how);
    }
  };

  const update = async (ws: number, lead: Lead, person: CrmPerson, ownerSlackId: string | undefined) => {
    await deps.intake
      .edit(
        ws,
        lead.id,
        {
          name: person.name || lead.name,
          phone: person.phones[0] ?? lead.phone ?? undefined,
          email: person.emails[0] ?? lead.email ?? undefined,
          source: lead.source ?? undefined,
          state: lead.state ?? undefined,
          zip: lead.zip ?? undefined,
          ownerSlackId: ownerSlackId ?? lead.ownerSlackId ?? undefined,
        },
        { author, shownPhone: lead.phone },
      )
      .catch(async (error: unknown) => {
        if (!(error instanceof IntakeRefused)) throw error;
        // FUB holds something Leadline cannot take (a malformed phone): keep the lead, say what was not taken.
        await deps.leads.addNote(
          ws,
          lead.id,
          author,
          `${author} sent details Leadline could not take: ${Object.values(error.fields).join(" ")}`,
        );
      });
  };

  const apply = async (ws: number, person: CrmPerson) => {
    const ownerSlackId =
      person.assignedUserId === null ? undefined : await deps.store.slackUserOf(ws, person.assignedUserId);
    const linked = await deps.store.leadOfPerson(ws, person.id);
    const lead = linked === undefined ? undefined : await deps.leads.get(ws, linked);
    if (lead) return update(ws, lead, person, ownerSlackId);
    const { lead: stored, created } = await create(ws, person, ownerSlackId);
    const others = await deps.store.peopleOf(ws, stored.id);
    await deps.store.link(ws, person.id, stored.id);
    // Two CRM people with one phone: linked to the one lead, and said so (the CRM's records are not merged).
    if (!created && others.length > 0 && !others.includes(person.id))
      await deps.leads.addNote(
        ws,
        stored.id,
        author,
        `${author} people ${[...others, person.id].join(", ")} share this phone; calls are logged on ${others[0]}.`,
      );
  };

  return {
    async receive(ws, rawBody, headers) {
      if (rawBody.length > WEBHOOK_BODY_CAP) return { status: 413, error: "body too large" };
      if (!deps.provider.verifyWebhook(rawBody, headers)) return { status: 401, error: "signature does not match" };
      const event = deps.provider.parseWebhook(rawBody);
      if (!event) return { status: 400, error: "not a webhook body" };
      // Only a workspace connected to this CRM takes its webhooks (the stored connection names the adapter).
      const key =
        (await deps.store.connection(ws))?.provider === deps.provider.id ? await deps.apiKeyOf(ws) : undefined;
      if (!key) return { status: 404, error: "no CRM connected for this workspace" };
      const { created, updated } = deps.provider.peopleEvents;
      if (event.event !== created && event.event !== updated) return { status: 200, applied: 0, skipped: 0 };
      const fresh: number[] = [];
      for (const id of event.resourceIds) if (!(await deps.store.seen(ws, event.eventId, id))) fresh.push(id);
      if (fresh.length === 0) return { status: 200, applied: 0, skipped: event.resourceIds.length };
      let people: CrmPerson[];
      try {
        people = await deps.provider.connect(key).peopleAt(event.uri);
      } catch (error) {
        if (!(error instanceof CrmError)) throw error;
        log.warn({ status: error.status, event: event.event }, "could not fetch a webhook's people; FUB will retry");
        return error.failure.kind === "refused"
          ? { status: 400, error: error.crmMessage }
          : { status: 503, error: error.crmMessage };
      }
      let applied = 0;
      for (const person of people) {
        if (!fresh.includes(person.id)) continue;
        await apply(ws, person);
        // Marked after it was applied: a delivery cut short is applied again by FUB's retry (applying is idempotent).
        if (await deps.store.markSeen(ws, event.eventId, person.id)) applied += 1;
      }
      return { status: 200, applied, skipped: event.resourceIds.length - applied };
    },
  };
}

/** Every registered CRM's webhooks, by the provider id in the route's path (`/crm/<id>/webhook`). */
export interface CrmWebhooks {
  /** Undefined when no CRM has that id. */
  receive(
    provider: string,
    ws: number,
    rawBody: Buffer,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<WebhookAnswer | undefined>;
}

export function crmWebhooks(inbound: ReadonlyMap<string, CrmInbound>): CrmWebhooks {
  return {
    receive: async (provider, ws, rawBody, headers) => inbound.get(provider)?.receive(ws, rawBody, headers),
  };
}
