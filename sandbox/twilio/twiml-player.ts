import { conferenceNoun } from "./conferences/twiml-noun.js";
import type { SimContext } from "./context.js";
import { type DialResult, dial } from "./dial.js";
import { FINAL, type SimCall } from "./model.js";
import { recordVerb } from "./recordings.js";
import type { Scenario } from "./scenarios.js";
import { readTwiml, type TwimlNode } from "./twiml-reader.js";
import { hear, SOUNDS } from "./twiml-sounds.js";
import { callParams } from "./webhooks.js";

/**
 * The TwiML interpreter: plays a call's document verb by verb, as Twilio does
 * (https://www.twilio.com/docs/voice/twiml). A verb with an action hands the call to the document
 * the action returns; a call update replaces the document mid-way. A new verb (or noun) is one more
 * case in `playVerb`, in its own module when it is more than a few lines (dial.ts, recordings.ts,
 * conferences/twiml-noun.ts).
 */

/** What a verb leaves the call with: the next verb, a new document (and where it came from), or the end. */
type Next = undefined | { twiml: string; url?: string } | "end";

/** An action's answer: its document, or the end of the call when it failed or answered nothing. */
const answered = (twiml: string, url?: string): Next => (twiml ? { twiml, url } : "end");

/** Plays the call's TwiML verb by verb; a call update replaces it mid-way, as on Twilio. */
export async function play(ctx: SimContext, call: SimCall, scenario: Scenario): Promise<void> {
  let generation = call.generation;
  let verbs = readTwiml(call.twiml).children;
  let index = 0;
  while (!ctx.closed && !FINAL.has(call.status)) {
    if (call.generation !== generation) {
      generation = call.generation;
      verbs = readTwiml(call.twiml).children;
      index = 0;
      ctx.note(call, "TwiML replaced by a call update");
    }
    const verb = verbs[index++];
    if (!verb) return;
    const next = await playVerb(ctx, call, verb, scenario, generation);
    if (next === "end") return;
    if (next) {
      verbs = readTwiml(next.twiml).children;
      // The document now played (an action's answer) is the call's TwiML, as a test or the console reads it.
      call.twiml = next.twiml;
      call.documentUrl = next.url;
      index = 0;
    }
  }
}

async function playVerb(
  ctx: SimContext,
  call: SimCall,
  verb: TwimlNode,
  scenario: Scenario,
  generation: number,
): Promise<Next> {
  if (SOUNDS.has(verb.name)) {
    await hear(ctx, call, call, verb, generation);
    return undefined;
  }
  switch (verb.name) {
    case "Gather":
      return gather(ctx, call, verb, scenario, generation);
    case "Dial":
      return dialVerb(ctx, call, verb, scenario);
    case "Record": {
      const twiml = await recordVerb(ctx, call, verb, generation);
      return twiml === undefined ? undefined : answered(twiml, verb.attrs.action);
    }
    case "Redirect":
      // The new document plays from its start: the loop sees the generation move.
      call.twiml = await ctx.webhook(ctx.account(call), verb.text.trim(), callParams(call));
      call.documentUrl = verb.text.trim();
      call.generation += 1;
      return undefined;
    case "Hangup":
    case "Reject":
      return "end";
    default:
      return undefined;
  }
}

/**
 * The keys the person presses at a <Gather>: their scenario's, cut at `finishOnKey` (default #) and
 * to `numDigits`; a machine presses nothing. https://www.twilio.com/docs/voice/twiml/gather
 */
function pressedKeys(call: SimCall, verb: TwimlNode, scenario: Scenario): string | undefined {
  if (!scenario.presses || scenario.outcome === "machine" || call.answeredBy?.startsWith("machine")) return undefined;
  const finishOnKey = verb.attrs.finishOnKey ?? "#";
  let keys = finishOnKey ? scenario.presses.split(finishOnKey)[0]! : scenario.presses;
  const numDigits = Number(verb.attrs.numDigits);
  if (Number.isInteger(numDigits) && numDigits > 0) keys = keys.slice(0, numDigits);
  return keys || undefined;
}

/**
 * A <Gather>: its prompts, then the keys sent to its action (the document's own URL when it has
 * none, as Twilio does). No input within `timeout` (default 5 s) goes on to the next verb, or to
 * the action without Digits when `actionOnEmptyResult="true"`.
 */
async function gather(
  ctx: SimContext,
  call: SimCall,
  verb: TwimlNode,
  scenario: Scenario,
  generation: number,
): Promise<Next> {
  for (const child of verb.children) {
    if (!(await hear(ctx, call, call, child, generation))) return undefined;
  }
  const action = verb.attrs.action ?? call.documentUrl;
  const keys = pressedKeys(call, verb, scenario);
  if (!keys) {
    if (!(await ctx.wait(call, Number(verb.attrs.timeout ?? 5) * 1_000, generation))) return undefined;
    if (verb.attrs.actionOnEmptyResult !== "true" || !action) return undefined;
    ctx.note(call, "no key pressed: the action is asked anyway (actionOnEmptyResult)");
    return askAction(ctx, call, action, {});
  }
  ctx.note(call, `presses ${keys}`);
  if (!action) return undefined;
  return askAction(ctx, call, action, { Digits: keys });
}

async function askAction(ctx: SimContext, call: SimCall, action: string, extra: Record<string, string>): Promise<Next> {
  const twiml = await ctx
    .webhook(ctx.account(call), action, { ...callParams(call), ...extra })
    .catch((error: unknown) => {
      ctx.log.warn({ err: error }, "menu action failed");
      return "";
    });
  return answered(twiml, action);
}

/** A <Dial>; with an action, the call goes on with the TwiML the action returns (verbs after it never run). */
async function dialVerb(ctx: SimContext, call: SimCall, verb: TwimlNode, scenario: Scenario): Promise<Next> {
  const noun = verb.children.find((child) => child.name === "Conference");
  const result: DialResult | undefined = noun
    ? await conferenceNoun(ctx, call, noun)
    : await dial(ctx, call, verb, scenario);
  const action = verb.attrs.action;
  if (!result || !action) return undefined;
  const twiml = await ctx
    .webhook(ctx.account(call), action, {
      ...callParams(call),
      DialCallStatus: result.status,
      ...(result.sid ? { DialCallSid: result.sid } : {}),
      DialCallDuration: String(result.duration),
      DialBridged: String(result.bridged ?? result.status === "completed"),
    })
    .catch((error: unknown) => {
      ctx.log.warn({ err: error }, "dial action failed");
      return "";
    });
  return answered(twiml, action);
}
