import type { SimAccount } from "../model.js";
import { NUMBER_FIELDS, numberJson, numberSettings, numberSid, releaseNumber } from "../numbers.js";
import { notFound, type RestResult, restError } from "../rest-kit.js";
import { unassignNumber } from "../trust-hub.js";
import { page } from "./calls.js";
import type { RestRequest, RestRoute } from "./route.js";

/**
 * IncomingPhoneNumbers: list (PhoneNumber, partial with * for any digit; FriendlyName; paged),
 * fetch, update (VoiceUrl, VoiceMethod, SmsUrl, SmsMethod, StatusCallback, FriendlyName, …) and
 * delete (release: the number leaves the account and its Trust Hub assignments).
 * https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource; update parameters
 * from twilio-oai spec/json/twilio_api_v2010.json @ d50069b (UpdateIncomingPhoneNumber). A URL that
 * is not http(s) is refused with 21502 (https://www.twilio.com/docs/api/errors/21502).
 */

const UPDATE_PARAMS: ReadonlySet<string> = new Set(
  (
    "AccountSid ApiVersion FriendlyName SmsApplicationSid SmsFallbackMethod SmsFallbackUrl SmsMethod SmsUrl " +
    "StatusCallback StatusCallbackMethod VoiceApplicationSid VoiceCallerIdLookup VoiceFallbackMethod " +
    "VoiceFallbackUrl VoiceMethod VoiceUrl EmergencyStatus EmergencyAddressSid TrunkSid VoiceReceiveMode " +
    "IdentitySid AddressSid BundleSid"
  ).split(" "),
);

/** PhoneNumber=+1305 or 305555**00: a part of the number, * standing for any digit. */
function matchesNumber(number: string, wanted: string | null): boolean {
  if (!wanted) return true;
  // A "+" sent unencoded arrives as a space.
  const escaped = wanted.replace(/^ /, "+").replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(escaped.replace(/\*/g, "\\d")).test(number);
}

function listNumbers({ account, path, query }: RestRequest): RestResult {
  const friendly = query.get("FriendlyName");
  const list = [...account.numbers].filter(
    (number) =>
      matchesNumber(number, query.get("PhoneNumber")) &&
      (!friendly || numberSettings(account, number).friendlyName === friendly) &&
      query.get("Origin") !== "hosted",
  );
  const items = list.map((number) => numberJson(account, number));
  return { status: 200, body: page(items, "incoming_phone_numbers", path, query) };
}

const ownNumber = (account: SimAccount, sid: string) => [...account.numbers].find((n) => numberSid(n) === sid);

function updateNumber({ account, match, params }: RestRequest): RestResult {
  const number = ownNumber(account, match[1]!);
  if (!number) return notFound();
  for (const key of params.keys()) {
    if (!UPDATE_PARAMS.has(key)) return restError(400, 21205, `Unknown parameter ${key}`);
    const value = params.get(key)!;
    const isUrl = key === "VoiceUrl" || NUMBER_FIELDS[key]?.url;
    if (isUrl && value && !/^https?:\/\/[^/\s]+/.test(value)) return restError(400, 21502, `${key} is not valid`);
  }
  const settings = numberSettings(account, number);
  for (const [key, value] of params) {
    if (key === "VoiceUrl") {
      account.voiceUrls ??= new Map();
      account.voiceUrls.set(number, value);
    } else if (key === "FriendlyName") {
      settings.friendlyName = value;
    } else if (NUMBER_FIELDS[key]) {
      // Methods are GET or POST in any case; URLs and SIDs are kept as sent.
      settings.fields[key] = key.endsWith("Method") ? value.toUpperCase() : value;
    }
  }
  settings.updated = new Date();
  return { status: 200, body: numberJson(account, number) };
}

export const phoneNumberRoutes: RestRoute[] = [
  { operation: "numbers", method: "GET", path: /^\/IncomingPhoneNumbers\.json$/, handle: listNumbers },
  {
    operation: "numbers",
    method: "GET",
    path: /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/,
    handle: ({ account, match }) => {
      const number = ownNumber(account, match[1]!);
      return number ? { status: 200, body: numberJson(account, number) } : notFound();
    },
  },
  {
    operation: "numbers",
    method: "POST",
    path: /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/,
    handle: updateNumber,
  },
  {
    operation: "releaseNumber",
    method: "DELETE",
    path: /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/,
    handle: ({ ctx, account, match }) => {
      const number = ownNumber(account, match[1]!);
      if (!number) return notFound();
      releaseNumber(account, number);
      unassignNumber(ctx, account.sid, match[1]!);
      return { status: 204, body: null };
    },
  },
];
