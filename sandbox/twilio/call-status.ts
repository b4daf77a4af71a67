import type { SimContext } from "./context.js";
import { FINAL, type SimCall } from "./model.js";
import { callRecordingCallback } from "./recordings.js";
import { rfc2822 } from "./rest-kit.js";
import { callParams } from "./webhooks.js";

/**
 * A call's status moves and the status callbacks Twilio sends for them: only the events the call
 * asked for (StatusCallbackEvent), and always the final one.
 * https://www.twilio.com/docs/voice/api/call-resource#statuscallbackevent
 */
export async function statusCallback(
  ctx: SimContext,
  call: SimCall,
  event: string,
  extra: Record<string, string> = {},
): Promise<void> {
  const url = call.params.get("StatusCallback");
  if (!url) return;
  const wanted = call.params.getAll("StatusCallbackEvent");
  if (!FINAL.has(call.status) && !wanted.includes(event)) return;
  const params = {
    ...callParams(call),
    CallbackSource: "call-progress-events",
    SequenceNumber: String(call.sequence++),
    Timestamp: rfc2822(new Date()),
    ...extra,
  };
  try {
    await ctx.webhook(ctx.account(call), url, params);
  } catch (error) {
    ctx.log.warn({ err: error, callSid: call.sid, event }, "status callback was not accepted");
  }
}

export async function setStatus(
  ctx: SimContext,
  call: SimCall,
  status: string,
  extra: Record<string, string> = {},
): Promise<void> {
  call.status = status;
  const event = status === "in-progress" ? "answered" : status;
  ctx.note(call, `status: ${status}`);
  await statusCallback(ctx, call, event, extra);
}

/** Ends the call once: its duration, the final callback (with AnsweredBy under AMD), then its recording's. */
export async function finish(
  ctx: SimContext,
  call: SimCall,
  status: string,
  extra: Record<string, string> = {},
): Promise<void> {
  if (FINAL.has(call.status)) return;
  call.endedAt = new Date();
  call.duration = status === "completed" ? ctx.simSeconds(call) : 0;
  const ending: Record<string, string> = { ...extra };
  if (status === "completed") {
    ending.CallDuration = String(call.duration);
    ending.Duration = String(Math.ceil(call.duration / 60));
  }
  if (call.answeredBy && call.params.get("MachineDetection")) ending.AnsweredBy = call.answeredBy;
  await setStatus(ctx, call, status, ending);
  if (status === "completed") await callRecordingCallback(ctx, call);
}

/**
 * Ends a call now, as a REST update with Status=completed/canceled does (or the person hanging up):
 * completed once answered, else canceled. A held call only changes state; a playing one stops its
 * TwiML and ends with its final callback, as on Twilio.
 */
export function endCallNow(ctx: SimContext, call: SimCall, why: string): void {
  if (FINAL.has(call.status)) return;
  call.generation += 1;
  const ending = call.answeredAt ? "completed" : "canceled";
  if (call.held) {
    call.status = ending;
    call.endedAt = new Date();
    ctx.note(call, `status: ${ending} (${why})`);
  } else {
    void finish(ctx, call, ending);
  }
}

/** The person on a live call hangs up (in a conference they leave with participant_hung_up). */
export function hangUp(ctx: SimContext, call: SimCall): void {
  if (FINAL.has(call.status)) throw new Error(`call ${call.sid} has already ended (${call.status})`);
  call.hungUp = true;
  ctx.note(call, "the person hangs up");
  endCallNow(ctx, call, "hung up");
}
