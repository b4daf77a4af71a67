import type { SimContext } from "../context.js";
import { messageJson, type SimMessage, segmentsOf } from "../messaging/model.js";
import { deliver } from "../messaging/texting.js";
import type { SimAccount } from "../model.js";
import { E164, notFound, randomSid, restError } from "../rest-kit.js";
import { page } from "./calls.js";
import type { RestRequest, RestRoute } from "./route.js";

/**
 * The Message resource: create (Twilio's validation and error codes, the test credentials' magic
 * numbers, the account's opt-out list), list (To, From, DateSent filters; newest first; paged) and fetch.
 * https://www.twilio.com/docs/messaging/api/message-resource; magic numbers:
 * https://www.twilio.com/docs/iam/test-credentials (Test inputs for SMS).
 */

/** CreateMessage's parameters (twilio-oai api_v2010 CreateMessage). */
export const MESSAGE_PARAMS: ReadonlySet<string> = new Set([
  "To",
  "From",
  "MessagingServiceSid",
  "Body",
  "MediaUrl",
  "ContentSid",
  "ContentVariables",
  "StatusCallback",
  "ApplicationSid",
  "MaxPrice",
  "ProvideFeedback",
  "Attempt",
  "ValidityPeriod",
  "ForceDelivery",
  "ContentRetention",
  "AddressRetention",
  "SmartEncoded",
  "PersistentAction",
  "ShortenUrls",
  "ScheduleType",
  "SendAt",
  "SendAsMms",
  "RiskCheck",
]);

/** Twilio's test To numbers for Messages and the errors they give. */
export const MAGIC_TEXT_TO: Record<string, [number, string]> = {
  "+15005550001": [21211, "The 'To' number +15005550001 is not a valid phone number."],
  "+15005550002": [21612, "The 'To' phone number is not currently reachable via SMS."],
  "+15005550003": [21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number"],
  "+15005550004": [21610, "Attempt to send to unsubscribed recipient"],
  "+15005550009": [21614, "'To' number is not a valid mobile number"],
};

const MAX_BODY = 1600;
const isUrl = (value: string) => /^https?:\/\/[^\s/_]+(?:[:/?#]|$)/.test(value);

function checkSender(ctx: SimContext, account: SimAccount, params: URLSearchParams) {
  const serviceSid = params.get("MessagingServiceSid");
  const from = params.get("From");
  if (serviceSid) {
    const service = ctx.messagingServices.get(serviceSid);
    if (!service || service.accountSid !== account.sid)
      return restError(400, 21701, `The Messaging Service Sid ${serviceSid} is invalid.`);
    if (!from && service.senders.length === 0)
      return restError(
        400,
        21703,
        "The Messaging Service does not have a phone number available to send a message to this recipient.",
      );
  }
  if (!from) return serviceSid ? undefined : restError(400, 21603, "A 'From' phone number is required.");
  if (!E164.test(from) || from === "+15005550001")
    return restError(
      400,
      21212,
      `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
    );
  if (!account.numbers.has(from))
    return restError(
      400,
      21606,
      `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
    );
  return undefined;
}

export function createMessage(ctx: SimContext, account: SimAccount, params: URLSearchParams) {
  for (const key of params.keys())
    if (!MESSAGE_PARAMS.has(key)) return restError(400, 21205, `Unknown parameter ${key}`);
  const to = params.get("To");
  if (!to) return restError(400, 21604, "A 'To' phone number is required.");
  const sender = checkSender(ctx, account, params);
  if (sender) return sender;
  const body = params.get("Body") ?? "";
  const media = params.getAll("MediaUrl");
  if (!body && media.length === 0 && !params.get("ContentSid"))
    return restError(400, 21602, "Message body is required.");
  if (body.length > MAX_BODY)
    return restError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
  if (media.length > 10 || media.some((url) => !isUrl(url))) return restError(400, 21620, "Invalid media URL(s).");
  const callback = params.get("StatusCallback");
  if (callback && !isUrl(callback)) return restError(400, 21609, `Invalid StatusCallback url ${callback}`);
  const magic = MAGIC_TEXT_TO[to];
  if (magic) return restError(400, magic[0], magic[1]);
  if (!E164.test(to)) return restError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (ctx.optOutsOf(account.sid).has(to)) return restError(400, 21610, "Attempt to send to unsubscribed recipient");
  const serviceSid = params.get("MessagingServiceSid");
  const message: SimMessage = {
    sid: randomSid("SM"),
    accountSid: account.sid,
    to,
    from: params.get("From"),
    body,
    media,
    direction: "outbound-api",
    // With a Messaging Service (and no From) Twilio answers `accepted` and picks the sender later.
    status: serviceSid && !params.get("From") ? "accepted" : "queued",
    errorCode: null,
    errorMessage: null,
    messagingServiceSid: serviceSid,
    ...(callback ? { statusCallback: callback } : {}),
    segments: segmentsOf(body),
    created: new Date(),
  };
  ctx.messages.set(message.sid, message);
  ctx.noteText(message, `text created to ${to}`);
  const json = messageJson(message);
  if (!ctx.holdTexts) void deliver(ctx, account, message);
  return { status: 201, body: json };
}

/** Messages list: To, From, DateSent (a day) and DateSent>/< filters, newest first, a page at a time. */
function listMessages({ ctx, account, path, query }: RestRequest) {
  const day = (value: string | null) => (value ? new Date(value.slice(0, 10)).getTime() : undefined);
  const after = day(query.get("DateSent>"));
  const before = query.get("DateSent<") ? new Date(query.get("DateSent<")!).getTime() : undefined;
  const list = [...ctx.messages.values()].filter((m) => {
    const at = (m.sent ?? m.created).getTime();
    return (
      m.accountSid === account.sid &&
      (!query.get("To") || m.to === query.get("To")) &&
      (!query.get("From") || m.from === query.get("From")) &&
      (after === undefined || at >= after) &&
      (before === undefined || at < before)
    );
  });
  list.sort((a, b) => b.created.getTime() - a.created.getTime());
  return { status: 200, body: page(list.map(messageJson), "messages", path, query) };
}

export const messageRoutes: RestRoute[] = [
  {
    operation: "createMessage",
    method: "POST",
    path: /^\/Messages\.json$/,
    handle: ({ ctx, account, params }) => createMessage(ctx, account, params),
  },
  { operation: "listMessages", method: "GET", path: /^\/Messages\.json$/, handle: listMessages },
  {
    operation: "fetchMessage",
    method: "GET",
    path: /^\/Messages\/((?:SM|MM)[0-9a-f]{32})\.json$/,
    handle: ({ ctx, account, match }) => {
      const message = ctx.messages.get(match[1]!);
      return message && message.accountSid === account.sid ? { status: 200, body: messageJson(message) } : notFound();
    },
  },
];
