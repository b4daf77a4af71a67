import type { SimContext } from "./context.js";
import { dial } from "./dial.js";
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
 * case in `playVerb`, in its own module when it is more than a few lines (dial.ts, recordings.ts).
 */

/** What a verb leaves the call with: the next verb, a new document, or the end of the TwiML. */
type Next = undefined | { twiml: string } | "end";

/** An action's answer: its document, or the end of the call when it failed or answered nothing. */
const answered = (twiml: string): Next => (twiml ? { twiml } : "end");

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
      return twiml === undefined ? undefined : answered(twiml);
    }
    case "Redirect":
      // The new document plays from its start: the loop sees the generation move.
      call.twiml = await ctx.webhook(ctx.account(call), verb.text.trim(), callParams(call));
      call.generation += 1;
      return undefined;
    case "Hangup":
    case "Reject":
      return "end";
    default:
      return undefined;
  }
}

/** A <Gather>: its prompts, then the scenario's key (a machine presses nothing) sent to its action. */
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
  if (!scenario.presses || call.answeredBy?.startsWith("machine")) {
    await ctx.wait(call, Number(verb.attrs.timeout ?? 5) * 1_000, generation);
    return undefined;
  }
  ctx.note(call, `presses ${scenario.presses}`);
  const action = verb.attrs.action;
  if (!action) return undefined;
  const twiml = await ctx
    .webhook(ctx.account(call), action, { ...callParams(call), Digits: scenario.presses })
    .catch((error: unknown) => {
      ctx.log.warn({ err: error }, "menu action failed");
      return "";
    });
  return answered(twiml);
}

/** A <Dial>; with an action, the call goes on with the TwiML the action returns (verbs after it never run). */
async function dialVerb(ctx: SimContext, call: SimCall, verb: TwimlNode, scenario: Scenario): Promise<Next> {
  const result = await dial(ctx, call, verb, scenario);
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
  return answered(twiml);
}
