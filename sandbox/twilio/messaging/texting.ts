import { parsePhoneNumberWithError } from "libphonenumber-js";
import type { SimContext } from "../context.js";
import type { SimAccount } from "../model.js";
import { E164, randomSid } from "../rest-kit.js";
import {
  FINAL_MESSAGE,
  KEYWORD_REPLIES,
  optOutTypeOf,
  type SimMessage,
  type SimMessagingService,
  segmentsOf,
} from "./model.js";

/**
 * A text's life after Messages create accepted it, and texts people send to the account's numbers.
 * Outbound: queued → sending → sent → delivered (or failed/undelivered with an ErrorCode), each with a
 * signed status callback to the message's StatusCallback, else its Messaging Service's. US traffic from a
 * 10-digit long code without a VERIFIED A2P campaign fails with 30034, as carriers block it.
 * Inbound: the Messaging Service's inbound URL (else the number's SmsUrl) gets the signed webhook; the
 * standard keywords update the account's opt-out list and, with Advanced Opt-Out, carry OptOutType.
 * https://www.twilio.com/docs/messaging/guides/track-outbound-message-status,
 * https://www.twilio.com/docs/messaging/guides/webhook-request, https://www.twilio.com/docs/api/errors/30034
 */

/** How a text to a number ends, over the default (delivered): e.g. a landline, 30006. */
export interface TextOutcome {
  status: "delivered" | "undelivered" | "failed";
  errorCode?: number;
}

const ERROR_WORDS: Record<number, string> = {
  30003: "Unreachable destination handset",
  30005: "Unknown destination handset",
  30006: "Landline or unreachable carrier",
  30007: "Message filtered",
  30034: "Message from an unregistered number",
};

/** The Messaging Service whose sender pool holds `number`, if any. */
export function serviceOfNumber(ctx: SimContext, accountSid: string, number: string): SimMessagingService | undefined {
  for (const service of ctx.messagingServices.values())
    if (service.accountSid === accountSid && service.senders.includes(number)) return service;
  return undefined;
}

function isUs(number: string): boolean {
  try {
    return parsePhoneNumberWithError(number).country === "US";
  } catch {
    return false;
  }
}

/** Twilio's test From (+15005550006) is exempt; any other US long code needs an approved campaign. */
function blockedAsUnregistered(ctx: SimContext, message: SimMessage): boolean {
  if (!isUs(message.to) || message.from === "+15005550006") return false;
  const service = message.messagingServiceSid
    ? ctx.messagingServices.get(message.messagingServiceSid)
    : serviceOfNumber(ctx, message.accountSid, message.from ?? "");
  return service?.campaign?.status !== "VERIFIED";
}

function statusParams(message: SimMessage): Record<string, string> {
  return {
    AccountSid: message.accountSid,
    ApiVersion: "2010-04-01",
    MessageSid: message.sid,
    SmsSid: message.sid,
    MessageStatus: message.status,
    SmsStatus: message.status,
    To: message.to,
    From: message.from ?? "",
    ...(message.messagingServiceSid ? { MessagingServiceSid: message.messagingServiceSid } : {}),
    ...(message.errorCode ? { ErrorCode: String(message.errorCode) } : {}),
  };
}

async function moveTo(ctx: SimContext, account: SimAccount, message: SimMessage, status: string, errorCode?: number) {
  if (FINAL_MESSAGE.has(message.status)) return;
  message.status = status;
  if (status === "sent") message.sent = new Date();
  if (errorCode) {
    message.errorCode = errorCode;
    message.errorMessage = ERROR_WORDS[errorCode] ?? "Delivery failed";
  }
  ctx.noteText(message, `text ${status}${errorCode ? ` (${errorCode})` : ""}`);
  const service = message.messagingServiceSid ? ctx.messagingServices.get(message.messagingServiceSid) : undefined;
  const url = message.statusCallback ?? service?.statusCallback;
  if (!url) return;
  try {
    await ctx.webhook(account, url, statusParams(message));
  } catch (error) {
    ctx.log.warn({ err: error, sid: message.sid }, "message status callback failed");
  }
}

/** Plays an accepted text out: its callbacks in order, a step of (simulated) 200 ms apart. */
export async function deliver(ctx: SimContext, account: SimAccount, message: SimMessage): Promise<void> {
  if (message.messagingServiceSid && !message.from) {
    // A Messaging Service picks the sender after accepting the message (unless the request named one).
    const service = ctx.messagingServices.get(message.messagingServiceSid)!;
    message.from = service.senders[0] ?? null;
  }
  await moveTo(ctx, account, message, "queued");
  if (!(await ctx.later(200))) return;
  if (blockedAsUnregistered(ctx, message)) return moveTo(ctx, account, message, "failed", 30034);
  const outcome = ctx.textOutcomes.get(message.to) ?? { status: "delivered" };
  await moveTo(ctx, account, message, "sending");
  if (!(await ctx.later(200))) return;
  await moveTo(ctx, account, message, "sent");
  if (!(await ctx.later(200))) return;
  await moveTo(ctx, account, message, outcome.status, outcome.errorCode);
}

export interface InboundTextInput {
  from: string;
  /** One of an account's numbers. */
  to: string;
  body: string;
  media?: string[];
}

function keywordReply(
  ctx: SimContext,
  inbound: SimMessage,
  service: SimMessagingService | undefined,
  keyword: "STOP" | "START" | "HELP",
): void {
  const body = service?.optOutReplies?.[keyword] ?? KEYWORD_REPLIES[keyword];
  const reply: SimMessage = {
    ...inbound,
    sid: randomSid("SM"),
    to: inbound.from!,
    from: inbound.to,
    body,
    media: [],
    direction: "outbound-reply",
    status: "delivered",
    segments: segmentsOf(body),
    created: new Date(),
    sent: new Date(),
  };
  ctx.messages.set(reply.sid, reply);
  ctx.noteText(reply, `Twilio's ${keyword} reply to ${reply.to}`);
}

/** A person texts one of an account's numbers: the keyword rules, then the signed webhook. Returns the message. */
export async function inboundText(ctx: SimContext, input: InboundTextInput): Promise<SimMessage> {
  if (!E164.test(input.from) || !E164.test(input.to)) throw new Error("inbound text numbers must be E.164");
  const account = [...ctx.accounts.values()].find((a) => a.numbers.has(input.to));
  if (!account) throw new Error(`${input.to} is not a number on any simulated account`);
  const service = serviceOfNumber(ctx, account.sid, input.to);
  const url = service?.inboundRequestUrl ?? account.numberSettings?.get(input.to)?.fields.SmsUrl;
  if (!url) throw new Error(`${input.to} has no inbound URL for texts (Messaging Service or SmsUrl)`);
  const message: SimMessage = {
    sid: randomSid("SM"),
    accountSid: account.sid,
    to: input.to,
    from: input.from,
    body: input.body,
    media: input.media ?? [],
    direction: "inbound",
    status: "received",
    errorCode: null,
    errorMessage: null,
    messagingServiceSid: service?.sid ?? null,
    segments: segmentsOf(input.body),
    created: new Date(),
  };
  ctx.messages.set(message.sid, message);
  const filtering = account.stopFiltering ?? true;
  const keyword = filtering ? optOutTypeOf(input.body) : undefined;
  const optOuts = ctx.optOutsOf(account.sid);
  const wasOptedOut = optOuts.has(input.from);
  if (keyword === "STOP") optOuts.add(input.from);
  if (keyword === "START") optOuts.delete(input.from);
  ctx.noteText(message, `text received from ${input.from}${keyword ? ` (${keyword})` : ""}`);
  // Twilio answers the keyword itself (HELP only while the sender is not opted out).
  if (keyword && !(keyword === "HELP" && wasOptedOut)) keywordReply(ctx, message, service, keyword);
  await ctx.webhook(account, url, {
    AccountSid: account.sid,
    ApiVersion: "2010-04-01",
    MessageSid: message.sid,
    SmsMessageSid: message.sid,
    SmsSid: message.sid,
    SmsStatus: "received",
    From: input.from,
    To: input.to,
    Body: input.body,
    NumSegments: String(message.segments),
    NumMedia: String(message.media.length),
    ...Object.fromEntries(message.media.map((url, i) => [`MediaUrl${i}`, url])),
    ...(service ? { MessagingServiceSid: service.sid } : {}),
    ...(keyword && (service?.advancedOptOut ?? true) ? { OptOutType: keyword } : {}),
  });
  return message;
}
