import { finish, setStatus } from "./call-status.js";
import type { SimContext } from "./context.js";
import { newCall, type SimCall } from "./model.js";
import { dialRecordingCallback } from "./recordings.js";
import { MAGIC_TO } from "./rest/call-rules.js";
import { E164, randomSid } from "./rest-kit.js";
import type { Scenario } from "./scenarios.js";
import { readTwiml, type TwimlNode } from "./twiml-reader.js";
import { hear } from "./twiml-sounds.js";
import { callParams } from "./webhooks.js";

/**
 * <Dial><Number> and <Dial><Client>: a child leg rings, answers (or not) per its number's scenario,
 * hears its `url` document (a whisper) and talks. https://www.twilio.com/docs/voice/twiml/dial,
 * https://www.twilio.com/docs/voice/twiml/number
 */

export interface DialResult {
  status: string;
  sid?: string;
  duration: number;
  bridged?: boolean;
}

/**
 * A <Dial>: a child leg (its own SID, ParentCallSid = this call) rings the number and follows that
 * number's scenario, sending the <Number>'s status callbacks and playing its `url` TwiML to the callee
 * once answered, as Twilio does. Undefined when the parent's TwiML was replaced meanwhile.
 */
export async function dial(
  ctx: SimContext,
  call: SimCall,
  verb: TwimlNode,
  scenario: Scenario,
): Promise<DialResult | undefined> {
  const target = verb.children.find((child) => child.name === "Number" || child.name === "Client");
  const number = target?.text.trim() || verb.text.trim();
  const callee = call.dialAnswer ?? ctx.scenario(number);
  ctx.note(call, `dialing ${number}`);
  if (target?.name === "Client") {
    if (!(await ctx.wait(call, 2_000))) return undefined;
    return (await ctx.wait(call, scenario.talkSec * 1_000))
      ? { status: "completed", duration: scenario.talkSec }
      : undefined;
  }
  const callerId = verb.attrs.callerId;
  if (callerId && !ctx.account(call).numbers.has(callerId) && callerId !== call.from && callerId !== call.to) {
    // https://www.twilio.com/docs/api/errors/13214: the caller, the called number, or one of the account's.
    ctx.note(call, `Dial: Invalid callerId value ${callerId} (13214)`);
    return { status: "failed", duration: 0 };
  }
  const leg = startLeg(ctx, call, verb, target?.attrs ?? {}, number);
  const generation = call.generation;
  const ended = async (status: string, sip?: string): Promise<DialResult> => {
    await finish(ctx, leg, status, sip ? { SipResponseCode: sip } : {});
    return { status, sid: leg.sid, duration: leg.duration ?? 0 };
  };
  // A number Twilio cannot dial fails the leg at once: the parent hears the Dial end `failed`, and the
  // leg's status callback carries Twilio's error for a <Dial>, 13224, where the REST create would have
  // answered 21211/21214/21217 (https://www.twilio.com/docs/api/errors/13224).
  const refusal = MAGIC_TO[number] ?? (E164.test(number) ? undefined : [21211, "Invalid 'To' number"]);
  if (refusal) {
    ctx.note(leg, `Twilio cannot dial ${number}: ${DIAL_REFUSAL[1]} (${DIAL_REFUSAL[0]}; as a create: ${refusal[0]})`);
    await finish(ctx, leg, "failed", { ErrorCode: String(DIAL_REFUSAL[0]), ErrorMessage: DIAL_REFUSAL[1] });
    return { status: "failed", sid: leg.sid, duration: 0 };
  }
  const rung = await ringLeg(ctx, call, leg, callee, Number(verb.attrs.timeout ?? 30), generation);
  if (rung === "gone") return undefined;
  if (rung !== "answered") return ended(rung, SIP_CODES[rung]);
  if (target?.attrs.url) {
    // The callee hears this document before the parties are connected (a recording notice, a whisper).
    const screened = await screen(ctx, call, leg, target.attrs.url, callee, generation);
    if (screened === "gone") {
      await ended("completed");
      return undefined;
    }
    if (screened === "declined") {
      // The caller only ever heard ringing: the Dial ends without a bridge.
      ctx.note(call, `${number} did not take the call`);
      return { ...(await ended("completed")), bridged: false };
    }
  }
  ctx.note(call, callee.outcome === "machine" ? `${number}: voicemail greeting plays` : `${number} answered; talking`);
  const talked = await ctx.wait(call, Math.max(callee.talkSec, scenario.talkSec) * 1_000, generation);
  const result = await ended("completed");
  if (verb.attrs.record?.startsWith("record-from") && verb.attrs.recordingStatusCallback)
    await dialRecordingCallback(ctx, call, verb.attrs.recordingStatusCallback, leg.sid, result.duration);
  return talked ? result : undefined;
}

/** Twilio's error for a <Dial><Number> it cannot place, with its words (the error dictionary's). */
export const DIAL_REFUSAL: [number, string] = [
  13224,
  "Twilio does not support calling this number or the number is invalid",
];

/** The SIP response Twilio reports with a leg that did not connect. */
export const SIP_CODES: Record<string, string> = { busy: "486", failed: "404", "no-answer": "487" };

/** The <Dial>'s child call, with the <Number>'s status callback and events. */
function startLeg(
  ctx: SimContext,
  call: SimCall,
  verb: TwimlNode,
  attrs: Record<string, string>,
  number: string,
): SimCall {
  const params = new URLSearchParams();
  if (attrs.statusCallback) params.set("StatusCallback", attrs.statusCallback);
  for (const event of (attrs.statusCallbackEvent ?? "completed").split(/\s+/).filter(Boolean))
    params.append("StatusCallbackEvent", event);
  const leg = newCall({
    sid: randomSid("CA"),
    accountSid: call.accountSid,
    to: number,
    from: verb.attrs.callerId ?? call.from,
    direction: "outbound-dial",
    parentSid: call.sid,
    status: "queued",
    params,
  });
  ctx.calls.set(leg.sid, leg);
  return leg;
}

/**
 * Rings a leg (initiated → ringing → in-progress, or busy / failed / no-answer) while `clock`'s TwiML
 * stays `generation`. "gone": the clock moved on before it rang; "canceled" after it did.
 */
export async function ringLeg(
  ctx: SimContext,
  clock: SimCall,
  leg: SimCall,
  callee: Scenario,
  timeoutSec: number,
  generation: number,
): Promise<"answered" | "busy" | "failed" | "no-answer" | "canceled" | "gone"> {
  await setStatus(ctx, leg, "initiated");
  if (!(await ctx.wait(clock, 1_000, generation))) return "gone";
  await setStatus(ctx, leg, "ringing");
  if (callee.outcome === "busy") {
    await ctx.wait(clock, 2_000, generation);
    return "busy";
  }
  if (callee.outcome === "failed") {
    await ctx.wait(clock, 1_000, generation);
    return "failed";
  }
  if (callee.outcome === "no-answer") {
    await ctx.wait(clock, Math.min(timeoutSec, 8) * 1_000, generation);
    return "no-answer";
  }
  if (!(await ctx.wait(clock, 2_000, generation))) return "canceled";
  leg.answeredAt = Date.now();
  await setStatus(ctx, leg, "in-progress");
  return "answered";
}

/**
 * A <Number url> document, played to the callee before the parties are connected, as Twilio does:
 * a person answers its <Gather> with their scenario's key, else 1 (an agent taking a whispered call);
 * a machine presses nothing. A <Hangup> there declines the call; the end of the document connects it.
 * "gone": the parent's TwiML was replaced meanwhile.
 */
async function screen(
  ctx: SimContext,
  call: SimCall,
  leg: SimCall,
  url: string,
  callee: Scenario,
  generation: number,
): Promise<"connect" | "declined" | "gone"> {
  let verbs: TwimlNode[] = [];
  const fetchDocument = async (target: string, extra: Record<string, string> = {}) => {
    try {
      leg.twiml = await ctx.webhook(ctx.account(call), target, { ...callParams(leg), ...extra });
      verbs = readTwiml(leg.twiml).children;
      return true;
    } catch (error) {
      ctx.note(leg, `application error: ${(error as Error).message}`);
      return false;
    }
  };
  if (!(await fetchDocument(url))) return "declined";
  for (let index = 0; index < verbs.length; ) {
    const verb = verbs[index++]!;
    if (verb.name === "Hangup" || verb.name === "Reject") {
      ctx.note(leg, "hangs up before being connected");
      return "declined";
    }
    if (verb.name !== "Gather") {
      if (!(await hear(ctx, leg, call, verb, generation))) return "gone";
      continue;
    }
    for (const child of verb.children) if (!(await hear(ctx, leg, call, child, generation))) return "gone";
    const digits = callee.outcome === "human" ? (callee.presses ?? "1") : undefined;
    if (!digits) {
      if (!(await ctx.wait(call, Number(verb.attrs.timeout ?? 5) * 1_000, generation))) return "gone";
      continue;
    }
    ctx.note(leg, `presses ${digits}`);
    if (!verb.attrs.action) continue;
    if (!(await fetchDocument(verb.attrs.action, { Digits: digits }))) return "declined";
    index = 0;
  }
  return "connect";
}
