import type { Call } from "@prisma/client";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import { formatDuration } from "../../lib/time.js";
import type { CallNotifier } from "./call-notifier.js";
import type { CallPrices } from "./call-prices.js";
import type { CallStore } from "./call-store.js";
import { isFinal, lowerThan, STATUS_RANK } from "./modes.js";

export interface StatusUpdate {
  callSid: string;
  status: string;
  sequence?: number;
  rawTimestamp?: string;
  durationSec?: number;
  answeredBy?: string;
  sipCode?: string;
  source: "callback" | "poll" | "sweep";
}

export interface CallStatus {
  /** Stores the event and moves the call forward if the status is newer; side effects happen once per move. */
  applyStatus(update: StatusUpdate): Promise<{ moved: boolean }>;
}

export function outcomeNote(
  call: Pick<Call, "status" | "durationSec" | "answeredBy" | "twilioSid" | "voicemailLeft">,
  sipCode?: string,
): string {
  const sid = `Call SID: ${call.twilioSid}`;
  switch (call.status) {
    case "completed": {
      const who = call.answeredBy
        ? `, answered by ${call.answeredBy.startsWith("machine") ? "machine" : call.answeredBy}`
        : "";
      return `[Call Completed] ${formatDuration(call.durationSec ?? 0)}${who}${call.voicemailLeft ? ", left a voicemail" : ""} - ${sid}`;
    }
    case "busy":
      return `[Call Busy] The line was busy${sipCode ? ` (SIP ${sipCode})` : ""} - ${sid}`;
    case "no-answer":
      return `[Call No Answer] Nobody answered - ${sid}`;
    case "canceled":
      return `[Call Canceled] The call was canceled before it was answered - ${sid}`;
    default:
      return `[Call Failed] Twilio could not connect the call${sipCode ? ` (SIP ${sipCode})` : ""} - ${sid}`;
  }
}

/** Status callbacks, polls and sweeps all land here: a call only moves forward, and its end is noted once. */
export function createCallStatus(deps: {
  calls: CallStore;
  notifier: CallNotifier;
  prices: CallPrices;
  tasks: TaskTracker;
  clock: () => Date;
  log: Logger;
}): CallStatus {
  return {
    async applyStatus(update) {
      const final = isFinal(update.status);
      const result = await deps.calls.applyStatus({
        ...update,
        movesFrom: STATUS_RANK[update.status] === undefined ? undefined : lowerThan(update.status),
        final,
        now: deps.clock(),
      });
      if (result.outcome === "unknown-call") {
        deps.log.warn({ source: update.source }, "status for a call Leadline does not know; ignored");
        return { moved: false };
      }
      if (result.outcome === "moved" && final) {
        const current = (await deps.calls.byId(result.callId))!;
        await deps.calls.addNote(current.leadId, "Leadline", outcomeNote(current, update.sipCode));
        deps.prices.check(current.id);
      }
      // Also when only answeredBy was filled in: the line shows who answered.
      deps.tasks.run(() => deps.notifier.changed(result.callId));
      return { moved: result.outcome === "moved" };
    },
  };
}
