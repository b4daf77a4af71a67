import { finish, setStatus } from "./call-status.js";
import type { SimContext } from "./context.js";
import { newCall, type SimAccount, type SimCall } from "./model.js";
import { E164, randomSid } from "./rest-kit.js";
import { play } from "./twiml-player.js";
import { readTwiml } from "./twiml-reader.js";
import { callParams } from "./webhooks.js";

/**
 * Inbound calls: a person dials one of the account's numbers; Twilio asks the number's Voice URL
 * what to do and plays it. https://www.twilio.com/docs/usage/webhooks/voice-webhooks
 */

/** A call to one of the account's numbers, as a person dialing it from `from` makes one. */
export interface InboundCallInput {
  accountSid: string;
  from: string;
  /** One of the account's numbers: Twilio asks its Voice URL what to do with the call. */
  to: string;
  /**
   * How the phone the call's <Dial> rings answers: "scenario" (the default) follows that number's
   * scenario (scenarios.ts); "answers" picks up and presses 1 at a whisper; "no-answer" rings out.
   */
  agent?: "scenario" | "answers" | "no-answer";
  /** What the caller says if asked to leave a message (<Record>); Twilio's transcription returns it. */
  says?: string;
}

/** Why Twilio would never send a call to the app: the account, the number or its Voice URL. */
export class InboundRefused extends Error {
  constructor(
    readonly reason: "unknown-account" | "not-a-number" | "not-our-number" | "no-voice-url",
    message: string,
  ) {
    super(message);
    this.name = "InboundRefused";
  }
}

/** Where Twilio would send a call to `input.to`; throws InboundRefused when it would not reach the app. */
function voiceUrlFor(ctx: SimContext, input: InboundCallInput): { account: SimAccount; voiceUrl: string } {
  const account = ctx.accounts.get(input.accountSid);
  if (!account) throw new InboundRefused("unknown-account", `No simulated Twilio account ${input.accountSid}.`);
  if (!E164.test(input.from))
    throw new InboundRefused("not-a-number", `${input.from} is not a phone number in E.164 form (+12015550142).`);
  if (!account.numbers.has(input.to))
    throw new InboundRefused("not-our-number", `${input.to} is not a number on this Twilio account.`);
  const voiceUrl = account.voiceUrls?.get(input.to);
  if (!voiceUrl)
    throw new InboundRefused(
      "no-voice-url",
      `${input.to} has no Voice URL: Twilio has nowhere to send a call to it (callers hear Twilio's default message).`,
    );
  return { account, voiceUrl };
}

export function inbound(ctx: SimContext, input: InboundCallInput): SimCall {
  const { account, voiceUrl } = voiceUrlFor(ctx, input);
  const call = newCall({
    sid: randomSid("CA"),
    accountSid: account.sid,
    to: input.to,
    from: input.from,
    direction: "inbound",
    status: "ringing",
    says: input.says,
    dialAnswer:
      input.agent === "answers"
        ? { outcome: "human", talkSec: 8, describe: "the agent answers and presses 1" }
        : input.agent === "no-answer"
          ? { outcome: "no-answer", talkSec: 0, describe: "nobody answers" }
          : undefined,
  });
  ctx.calls.set(call.sid, call);
  const agent = call.dialAnswer ? call.dialAnswer.describe : "each phone it rings follows its number's scenario";
  ctx.note(call, `inbound call from ${input.from} to ${input.to}, ringing while Twilio asks its Voice URL (${agent})`);
  void runInbound(ctx, call, account, voiceUrl).catch((error: unknown) =>
    ctx.log.error({ err: error }, "simulated inbound call failed"),
  );
  return call;
}

/** An inbound call: Twilio asks the number's Voice URL what to do while the caller hears ringing, then plays it. */
async function runInbound(ctx: SimContext, call: SimCall, account: SimAccount, voiceUrl: string): Promise<void> {
  try {
    call.twiml = await ctx.webhook(account, voiceUrl, callParams(call));
    call.documentUrl = voiceUrl;
    readTwiml(call.twiml);
  } catch (error) {
    // The caller hears Twilio's "an application error has occurred" and the call ends.
    ctx.note(call, `application error: ${(error as Error).message}`);
    call.answeredAt = Date.now();
    return finish(ctx, call, "completed");
  }
  call.answeredAt = Date.now();
  await setStatus(ctx, call, "in-progress");
  try {
    // The caller's own number picks how long they talk and what they press at a menu.
    await play(ctx, call, ctx.scenario(call.from));
  } catch (error) {
    ctx.note(call, `application error: ${(error as Error).message}`);
  }
  await finish(ctx, call, "completed");
}
