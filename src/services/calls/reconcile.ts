import type { Call, Lead } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { UserError } from "../../lib/errors.js";
import type { EventBus } from "../../lib/events.js";
import type { Logger } from "../../lib/log.js";
import { isoSeconds } from "../../lib/time.js";
import type { LeadService } from "../leads/lead-service.js";
import type { TwilioClient } from "../twilio/client.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";
import type { CallNotifier } from "./call-notifier.js";
import type { CallStore } from "./call-store.js";

/**
 * The call on Twilio's side that a row without a SID stands for: to that number, from that number,
 * created since the row (a minute's slack for clock skew), not owned by another row. Oldest first.
 */
export async function findOnTwilio(
  client: TwilioClient,
  call: Pick<Call, "toNumber" | "fromNumber" | "createdAt" | "agentNumber">,
  calls: Pick<CallStore, "knownSids">,
): Promise<{ sid: string; status: string } | undefined> {
  const since = new Date(call.createdAt.getTime() - 60_000);
  // A live call is placed to the agent's phone first: that is the call Twilio knows.
  const to = call.agentNumber ?? call.toNumber;
  // Twilio's StartTime filter works by day: the whole day's calls between these numbers come back (on a
  // team's shared agent phone, many). Every page is read, then narrowed to the window here.
  const found = await client.calls.list({
    to,
    from: call.fromNumber,
    startTimeAfter: since,
    pageSize: 200,
    limit: 2_000,
  });
  const known = await calls.knownSids(found.map((c) => c.sid));
  return found
    .filter((c) => !known.has(c.sid) && c.dateCreated && c.dateCreated.getTime() >= since.getTime())
    .sort((a, b) => (a.dateCreated?.getTime() ?? 0) - (b.dateCreated?.getTime() ?? 0))[0];
}

/** Twilio accepted the call: its SID and status stored with the "[Outbound Call]" note, then `call.placed`. */
export type RecordPlaced = (call: Call, sid: string, status: string, agentId: string) => Promise<Call>;

export function createRecordPlaced(deps: {
  calls: Pick<CallStore, "recordPlaced">;
  events: EventBus;
  clock: Clock;
}): RecordPlaced {
  return async (call, sid, status, agentId) => {
    const now = deps.clock.now();
    const body = `[Outbound Call] Initiated from ${call.fromNumber} to ${call.toNumber} - Call SID: ${sid} - ${isoSeconds(now)}`;
    const updated = await deps.calls.recordPlaced(
      call.id,
      sid,
      status,
      { leadId: call.leadId, author: agentId, body },
      now,
    );
    deps.events.emit("call.placed", { ws: updated.workspaceId, callId: updated.id });
    return updated;
  };
}

export interface Reconciler {
  /** After an unclear create (a timeout, a reset, a 5xx): ask Twilio whether the call exists. Never dials. */
  afterUnclear(client: TwilioClient, call: Call, lead: Lead, agentId: string): Promise<Call>;
  /**
   * A row written before Twilio answered that never learned the answer (Leadline stopped, or both
   * the create and the lookup timed out): adopts the call or marks it not placed (freeing the lead),
   * and posts it. Never dials.
   */
  settle(call: Call): Promise<"placed" | "not_placed" | "unknown">;
}

export function createReconciler(deps: {
  calls: Pick<CallStore, "knownSids" | "recordFailed">;
  leads: Pick<LeadService, "get">;
  twilioFor: TwilioFor;
  notifier: Pick<CallNotifier, "firstPost">;
  recordPlaced: RecordPlaced;
  clock: Clock;
  log: Logger;
}): Reconciler {
  const { log } = deps;
  return {
    async afterUnclear(client, call, lead, agentId) {
      let match: { sid: string; status: string } | undefined;
      try {
        match = await findOnTwilio(client, call, deps.calls);
      } catch (error) {
        // We cannot tell: keep the guard so nobody re-dials blindly; the sweep settles it with Twilio.
        log.warn({ callId: call.id, err: error }, "reconcile lookup failed; the call stays unconfirmed");
        throw UserError.of("unknown", { leadName: lead.name });
      }
      if (match) {
        log.info({ callId: call.id }, "reconciled: Twilio had placed the call");
        return deps.recordPlaced(call, match.sid, match.status, agentId);
      }
      await deps.calls.recordFailed(
        call.id,
        { message: "Twilio did not answer and has no record of the call" },
        deps.clock.now(),
      );
      throw UserError.of("not_placed", { leadName: lead.name });
    },

    async settle(call) {
      const lead = await deps.leads.get(call.workspaceId, call.leadId);
      if (!lead) return "unknown";
      let match: { sid: string; status: string } | undefined;
      try {
        const { client } = await deps.twilioFor(call.workspaceId);
        match = await findOnTwilio(client, call, deps.calls);
      } catch (error) {
        log.warn({ callId: call.id, err: error }, "could not ask Twilio about an unsettled call; will ask again");
        return "unknown";
      }
      if (match) {
        await deps.recordPlaced(call, match.sid, match.status, call.placedBy);
        log.info({ callId: call.id }, "settled: Twilio had placed the call");
      } else {
        const message = "Leadline did not hear Twilio's answer, and Twilio has no record of the call";
        await deps.calls.recordFailed(call.id, { message }, deps.clock.now());
        log.info({ callId: call.id }, "settled: Twilio never placed the call; the lead is free again");
      }
      await deps.notifier.firstPost(call.id);
      return match ? "placed" : "not_placed";
    },
  };
}
