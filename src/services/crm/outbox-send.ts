import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import { callLog, sidMarker, textMarker } from "./call-log.js";
import { type CrmConnector, CrmError } from "./connector.js";
import type { CrmStore } from "./crm-store.js";
import type { LeadForLog, SendFacts } from "./outbox-facts-store.js";
import type { OutboxClaim, OutboxStore } from "./outbox-store.js";

/** Longest wait between two tries of a row (5xx, timeouts). */
const MAX_BACKOFF_MS = 5 * 60_000;
/** A key that is missing (the CRM was disconnected): rows wait, and are tried again this much later. */
const NO_KEY_WAIT_MS = 10 * 60_000;

export type SendResult = "sent" | "later" | "failed";

/** Runs one CRM request within the workspace's rate budget (outbox-sender.ts). */
export type Gate = <T>(ws: number, work: () => Promise<T>) => Promise<T>;

/** The rate budget will not allow a request within half a lease: the row goes back, due when it will. */
export class Deferred extends Error {
  constructor(readonly waitMs: number) {
    super("deferred for the CRM's rate limit");
  }
}

export interface SendDeps {
  outbox: Pick<OutboxStore, "sent" | "later" | "failed">;
  store: Pick<CrmStore, "link" | "crmUserOf">;
  clock: Clock;
  log: Logger;
  /** The first retry's wait; doubled each try up to MAX_BACKOFF_MS. */
  backoffMs: number;
  /** Test-only: "crm.logged" after the CRM took a call, before the row says so (the kill -9 test). */
  crashPoint?: (point: string) => void;
}

/**
 * Sends one claimed row with its facts: finds or creates the CRM person, logs the call or text (or
 * updates the call logged before), and settles the row: sent, later (with backoff, or at the CRM's
 * Retry-After), or failed (a refusal that will never succeed, shown in status).
 */
export function createRowSender(deps: SendDeps, gated: Gate) {
  /** The CRM person of the lead: on the row, linked before, found by phone, or created. */
  const personFor = async (
    claim: OutboxClaim,
    crm: CrmConnector,
    linked: number | undefined,
    leadId: number,
    phone: string,
    lead: LeadForLog | undefined,
  ) => {
    if (claim.personId) return claim.personId;
    if (linked) return linked;
    const found = await gated(claim.ws, () => crm.findPersonByPhone(phone));
    // Two people with one phone: all are linked to the lead, the call is logged on the first (lowest id).
    for (const person of found) await deps.store.link(claim.ws, person.id, leadId);
    if (found.length > 0) return Math.min(...found.map((person) => person.id));
    const owner = lead?.ownerSlackId ? await deps.store.crmUserOf(claim.ws, lead.ownerSlackId) : undefined;
    const made = await gated(claim.ws, () =>
      crm.upsertPerson({ name: lead?.name ?? phone, phone, email: lead?.email ?? undefined, assignedUserId: owner }),
    );
    await deps.store.link(claim.ws, made.id, leadId);
    return made.id;
  };

  const sendCall = async (claim: OutboxClaim, crm: CrmConnector, facts: Extract<SendFacts, { kind: "call" }>) => {
    const { call, lead } = facts;
    const personId = await personFor(claim, crm, facts.personId, call.leadId, lead?.phone ?? call.toNumber, lead);
    const entry = callLog(call, lead?.phone, personId, facts.crmUserId);
    let remoteId = claim.remoteId ?? undefined;
    // A send whose answer was lost (or whose sender died) may be in the CRM already: look before sending.
    if (remoteId === undefined && claim.maybeSent)
      remoteId = await gated(claim.ws, () => crm.findLoggedCall(personId, sidMarker(claim.sid)));
    const logged = await gated(claim.ws, () => crm.logCall(entry, remoteId));
    deps.crashPoint?.("crm.logged");
    return { remoteId: logged, personId };
  };

  /** A text: logged once by its Message SID (an ambiguous send is looked up in the person's texts first). */
  const sendText = async (claim: OutboxClaim, crm: CrmConnector, facts: Extract<SendFacts, { kind: "text" }>) => {
    const { text, lead } = facts;
    const personId = await personFor(claim, crm, facts.personId, text.leadId!, lead?.phone ?? text.phone, lead);
    const marker = textMarker(claim.sid);
    if (claim.remoteId !== null) return { remoteId: claim.remoteId, personId };
    const found = claim.maybeSent ? await gated(claim.ws, () => crm.findLoggedText(personId, marker)) : undefined;
    const incoming = text.direction === "inbound";
    const team = text.teamNumber ?? "";
    const logged =
      found ??
      (await gated(claim.ws, () =>
        crm.logText({
          personId,
          message: text.body,
          isIncoming: incoming,
          fromNumber: incoming ? text.phone : team,
          toNumber: incoming ? team : text.phone,
          label: marker,
        }),
      ));
    deps.crashPoint?.("crm.logged");
    return { remoteId: logged, personId };
  };

  const retryAt = (claim: OutboxClaim) => {
    // Doubling from the first wait, at most 8 times (2 s → 8.5 min, capped at 5), and never past the cap.
    const wait = Math.min(MAX_BACKOFF_MS, deps.backoffMs * 2 ** Math.min(8, Math.max(0, claim.attempts - 1)));
    return new Date(deps.clock.now().getTime() + wait * (0.8 + Math.random() * 0.4));
  };

  const settleFailure = async (claim: OutboxClaim, error: unknown): Promise<SendResult> => {
    const now = deps.clock.now();
    if (error instanceof Deferred) {
      const dueAt = new Date(now.getTime() + error.waitMs);
      await deps.outbox.later(
        claim,
        { dueAt, error: "waiting for the CRM's rate limit", maybeSent: claim.maybeSent, uncounted: true },
        now,
      );
      return "later";
    }
    if (!(error instanceof CrmError)) {
      deps.log.error({ err: error, sid: claim.sid }, "a CRM outbox row could not be sent; will try again");
      await deps.outbox.later(
        claim,
        { dueAt: retryAt(claim), error: "Leadline could not send it", maybeSent: true },
        now,
      );
      return "later";
    }
    const words = `${error.status ? `${error.status}: ` : ""}${error.crmMessage}`;
    switch (error.failure.kind) {
      case "rate-limited": {
        const dueAt = new Date(now.getTime() + error.failure.retryAfterMs);
        await deps.outbox.later(claim, { dueAt, error: words, maybeSent: claim.maybeSent, uncounted: true }, now);
        return "later";
      }
      case "unavailable": {
        const maybeSent = claim.maybeSent || error.failure.ambiguous;
        await deps.outbox.later(claim, { dueAt: retryAt(claim), error: words, maybeSent }, now);
        return "later";
      }
      default:
        deps.log.warn(
          { sid: claim.sid, status: error.status },
          "the CRM refused an outbox row; shown in /crm-setup status",
        );
        await deps.outbox.failed(claim, words, now);
        return "failed";
    }
  };

  /** Sends one row; `crm` is undefined when the workspace has no key (the CRM was disconnected). */
  return async (claim: OutboxClaim, facts: SendFacts, crm: CrmConnector | undefined): Promise<SendResult> => {
    const now = () => deps.clock.now();
    try {
      if (!crm) {
        const dueAt = new Date(now().getTime() + NO_KEY_WAIT_MS);
        await deps.outbox.later(
          claim,
          { dueAt, error: "The CRM is not connected.", maybeSent: claim.maybeSent, uncounted: true },
          now(),
        );
        return "later";
      }
      if (facts.kind === "missing") {
        const what = claim.kind === "call" || claim.kind === "text" ? `the ${claim.kind}` : `a ${claim.kind}`;
        throw new CrmError({ kind: "refused" }, `${what} is no longer in Leadline`);
      }
      const result = facts.kind === "call" ? await sendCall(claim, crm, facts) : await sendText(claim, crm, facts);
      await deps.outbox.sent(claim, result, now());
      return "sent";
    } catch (error) {
      return settleFailure(claim, error);
    }
  };
}
