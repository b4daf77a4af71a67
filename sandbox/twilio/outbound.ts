import { finish } from "./call-status.js";
import { runParticipantLeg } from "./conferences/participant-leg.js";
import type { SimContext } from "./context.js";
import { FINAL, type SimCall } from "./model.js";
import { ringOutbound } from "./ringing.js";
import { play } from "./twiml-player.js";
import { callParams } from "./webhooks.js";

/**
 * An outbound-api call's life once Calls create accepted it: initiated, ringing, then the callee's
 * scenario (busy, no answer, failure, or an answer and the call's TwiML), answering-machine
 * detection, and the end. https://www.twilio.com/docs/voice/api/call-resource#call-status-values
 */

/** Starts playing a created call in the background: its TwiML, or (a Participants create leg) its conference. */
export const startPlaying = (ctx: SimContext, call: SimCall) =>
  void (call.conferenceSid ? runParticipantLeg(ctx, call) : runOutbound(ctx, call)).catch((error: unknown) =>
    ctx.log.error({ err: error }, "simulated call failed"),
  );

/** A call created with a Url or an ApplicationSid asks that URL for its TwiML once answered. */
async function fetchTwiml(ctx: SimContext, call: SimCall): Promise<void> {
  if (call.twiml) return;
  const account = ctx.account(call);
  const appSid = call.params.get("ApplicationSid");
  const url = call.params.get("Url") ?? (appSid ? account.apps.get(appSid)?.voiceUrl : undefined);
  if (!url) throw new Error("the call has no TwiML, Url or TwiML App");
  call.twiml = await ctx.webhook(account, url, callParams(call));
  call.documentUrl = url;
}

/** An outbound-api call, from queued to its end. */
async function runOutbound(ctx: SimContext, call: SimCall): Promise<void> {
  const scenario = ctx.scenario(call.to);
  if (!(await ringOutbound(ctx, call, scenario))) return;
  const machine = scenario.outcome === "machine";
  if (call.params.get("MachineDetection")) void detectMachine(ctx, call, machine);
  else call.answeredBy = null;
  try {
    await fetchTwiml(ctx, call);
    await play(ctx, call, scenario);
  } catch (error) {
    ctx.note(call, `application error: ${(error as Error).message}`);
  }
  await finish(ctx, call, "completed");
}

/** Async AMD: the result is posted while the TwiML already plays, once the greeting has ended. */
async function detectMachine(ctx: SimContext, call: SimCall, machine: boolean): Promise<void> {
  const detectedAfter = machine ? 4_000 : 2_000;
  if (!(await ctx.later(detectedAfter)) || FINAL.has(call.status)) return;
  call.answeredBy = machine ? "machine_end_beep" : "human";
  ctx.note(call, machine ? "answering machine detected (greeting ended, beep)" : "answered by a person");
  const url = call.params.get("AsyncAmdStatusCallback");
  if (!url || call.params.get("AsyncAmd") !== "true") return;
  await ctx
    .webhook(ctx.account(call), url, {
      AccountSid: call.accountSid,
      CallSid: call.sid,
      AnsweredBy: call.answeredBy,
      MachineDetectionDuration: String(detectedAfter),
    })
    .catch((error: unknown) => ctx.log.warn({ err: error }, "AMD callback was not accepted"));
}
