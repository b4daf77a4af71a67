import type { Call } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import type { EventBus } from "../../lib/events.js";
import type { Logger } from "../../lib/log.js";
import { formatDuration } from "../../lib/time.js";
import type { CallStore } from "./call-store.js";
import { isFinal, lowerThan, STATUS_RANK } from "./modes.js";
import type { StatusStore } from "./status-store.js";

export interface StatusUpdate {
  callSid: string;
  status: string;
  sequence?: number;
  rawTimestamp?: string;
  durationSec?: number;
  answeredBy?: string;
  sipCode?: string;
  /** Twilio's error with a `failed` status (a status callback's ErrorCode and ErrorMessage). */
  twilioError?: { code: number; message?: string };
  source: "callback" | "poll" | "sweep";
}

export interface CallStatus {
  /** Stores the event and moves the call forward if the status is newer; side effects happen once per move. */
  applyStatus(update: StatusUpdate): Promise<{ moved: boolean }>;
  /** A live call's lead leg (the Dial's Number, or the Dial's end): moves the call by its id. */
  applyLeadLeg(callId: number, legSid: string, update: Omit<StatusUpdate, "callSid">): Promise<{ moved: boolean }>;
}

export function outcomeNote(
  call: Pick<
    Call,
    "status" | "durationSec" | "answeredBy" | "twilioSid" | "voicemailLeft" | "mode" | "agentLegStatus"
  > &
    Partial<Pick<Call, "errorCode" | "errorMessage">>,
  sipCode?: string,
  noKey = false,
): string {
  const sid = `Call SID: ${call.twilioSid}`;
  if (call.mode === "live" && call.status === "canceled" && noKey)
    return `[Call Not Connected] The agent did not take the call (no key pressed; a voicemail may have answered); the lead was not dialed - ${sid}`;
  if (call.mode === "live" && call.status === "canceled" && call.agentLegStatus) {
    return call.agentLegStatus === "completed"
      ? `[Call Not Connected] The agent hung up before the lead was dialed - ${sid}`
      : `[Call Not Connected] The agent's phone did not answer (${call.agentLegStatus}); the lead was not dialed - ${sid}`;
  }
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
      if (call.errorCode)
        return `[Call Failed] Twilio refused the call (${call.errorCode})${call.errorMessage ? `: ${call.errorMessage}` : ""} - ${sid}`;
      return `[Call Failed] Twilio could not connect the call${sipCode ? ` (SIP ${sipCode})` : ""} - ${sid}`;
  }
}

/**
 * Status callbacks, polls and sweeps all land here: a call only moves forward, and its end is noted
 * once. What shows the call (its post) and what follows its end (price, CRM, summaries) subscribe to
 * `call.moved` and `call.ended`.
 */
export function createCallStatus(deps: {
  calls: Pick<CallStore, "byId" | "addNote" | "addFact" | "hasFact" | "recordTwilioError">;
  status: StatusStore;
  events: EventBus;
  clock: Clock;
  log: Logger;
}): CallStatus {
  const ended = async (callId: number, sipCode?: string, noKey = false) => {
    const current = (await deps.calls.byId(callId))!;
    await deps.calls.addNote(current.leadId, "Leadline", outcomeNote(current, sipCode, noKey));
    deps.events.emit("call.ended", { ws: current.workspaceId, callId, status: current.status });
  };
  const moved = (ws: number, callId: number) => deps.events.emit("call.moved", { ws, callId });
  /** Keeps Twilio's error of a failed call (once); true when the call learned it now. */
  const refused = (callId: number, update: Omit<StatusUpdate, "callSid">) =>
    update.status === "failed" && update.twilioError
      ? deps.calls.recordTwilioError(callId, update.twilioError)
      : Promise.resolve(false);

  /**
   * A live call's agent leg (moved in the status write). The lead is dialed only once the agent takes
   * the call, so an agent leg that ends before the lead's leg began means nothing was dialed to the
   * lead: the call ends "canceled".
   */
  const agentLeg = async (ws: number, callId: number, update: StatusUpdate, legMoved: boolean) => {
    if (STATUS_RANK[update.status] === undefined || !legMoved) return false;
    if (isFinal(update.status) && (await deps.status.endUndialed(callId, deps.clock.now()))) {
      // A leg that ended after nobody pressed a key: the post and note already say the agent did not take it.
      const noKey = await deps.calls.hasFact(callId, "agent_no_key");
      if (!noKey) await deps.calls.addFact(callId, update.status === "completed" ? "agent_hung_up" : "agent_no_answer");
      await ended(callId, undefined, noKey);
    }
    moved(ws, callId);
    return true;
  };

  const write = (update: Omit<StatusUpdate, "callSid">) => ({
    ...update,
    movesFrom: STATUS_RANK[update.status] === undefined ? undefined : lowerThan(update.status),
    final: isFinal(update.status),
    now: deps.clock.now(),
  });

  return {
    async applyStatus(update) {
      const result = await deps.status.applyStatus({ ...write(update), callSid: update.callSid });
      if (result.outcome === "unknown-call") {
        deps.log.warn({ source: update.source }, "status for a call Leadline does not know; ignored");
        return { moved: false };
      }
      if (result.outcome === "agent-leg")
        return { moved: await agentLeg(result.ws, result.callId, update, result.moved) };
      const learned = await refused(result.callId, update);
      if (result.outcome === "moved" && isFinal(update.status)) await ended(result.callId, update.sipCode);
      // A repeated or late callback changes nothing to show; one that filled in answeredBy (who answered)
      // or Twilio's error does.
      if (result.outcome === "moved" || (result.outcome === "recorded" && result.filled) || learned)
        moved(result.ws, result.callId);
      return { moved: result.outcome === "moved" };
    },
    async applyLeadLeg(callId, legSid, update) {
      const result = await deps.status.applyLeadLeg(callId, legSid, write(update));
      if (result.outcome === "unknown-call") {
        deps.log.warn({ source: update.source, callId }, "a lead-leg status that belongs to no call of ours; ignored");
        return { moved: false };
      }
      await refused(callId, update);
      if (result.outcome === "moved" && isFinal(update.status)) await ended(callId, update.sipCode);
      moved(result.ws, callId);
      return { moved: result.outcome === "moved" };
    },
  };
}
