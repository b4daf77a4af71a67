import type { Call, Lead } from "@prisma/client";
import {
  type CallerId,
  type CallerIdChoice,
  FROM_NOT_ON_ACCOUNT,
  nextAfterGone,
} from "../callerid/callerid-service.js";
import type { CallStore } from "../calls/call-store.js";
import { isTwilioRefusal, toTwilioError } from "../twilio/client.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";

/** Where Twilio reaches Leadline about a queue run, and the request that adds a lead to the run's conference. */
export function queueAgentUrls(base: string | undefined, ws: number, runId: number) {
  const root = base ?? "";
  const query = `run=${runId}&ws=${ws}`;
  return {
    answer: `${root}/twilio/voice/queue/agent?${query}`,
    join: `${root}/twilio/voice/queue/join?${query}`,
    status: `${root}/twilio/queue/agent-status?${query}`,
    conference: `${root}/twilio/queue/conference?${query}`,
    supervisor: `${root}/twilio/queue/supervisor-status?${query}`,
  };
}

/**
 * The Participants create for one lead: the call's caller ID (the pool's pick, as for every call), the
 * lead's leg reporting to the call's own status URL (as every call Leadline places), and never ending
 * the conference when the lead hangs up (the agent stays for the next lead).
 */
export function queueParticipantRequest(
  base: string | undefined,
  input: { ws: number; callId: number; from: string; to: string },
) {
  return {
    from: input.from,
    to: input.to,
    label: `lead-${input.callId}`,
    beep: "false",
    earlyMedia: false,
    endConferenceOnExit: false,
    timeout: 30,
    ...(base
      ? {
          statusCallback: `${base}/twilio/status?call=${input.callId}&ws=${input.ws}`,
          statusCallbackMethod: "POST",
          statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
        }
      : {}),
  };
}

/**
 * Adds the lead to the run's conference from the call's caller ID. A pool number Twilio no longer
 * has (21210) leaves the pool and the lead is called once more from the next best: nothing was placed.
 */
export function createParticipantAdder(deps: {
  twilioFor: TwilioFor;
  publicBaseUrl?: string;
  calls: Pick<CallStore, "changeCallerId">;
  callerId: CallerId;
}) {
  const addParticipant = async (
    conference: string,
    call: Call,
    choice: CallerIdChoice,
    next: { lead: Lead; teamNumber: string; now: Date },
  ): Promise<{ call: Call; callSid: string }> => {
    const { client } = await deps.twilioFor(call.workspaceId);
    const request = queueParticipantRequest(deps.publicBaseUrl, {
      ws: call.workspaceId,
      callId: call.id,
      from: call.fromNumber,
      to: call.toNumber,
    });
    try {
      return { call, callSid: (await client.conferences(conference).participants.create(request)).callSid };
    } catch (error) {
      const refusal = isTwilioRefusal(error) ? toTwilioError(error) : undefined;
      const other =
        Number(refusal?.code) === FROM_NOT_ON_ACCOUNT ? await nextAfterGone(deps.callerId, choice, next) : undefined;
      if (!other) throw error;
      const moved = await deps.calls.changeCallerId(call.id, other.number, other.rule);
      await deps.callerId.confirm(other, next.lead.id);
      return addParticipant(conference, moved, other, next);
    }
  };
  return addParticipant;
}
