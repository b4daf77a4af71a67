import type { Json, SimAccount } from "../model.js";
import { notFound, restError, rfc2822, sidFrom } from "../rest-kit.js";
import type { RestRoute } from "./route.js";

/**
 * The Account (fetch) and its IncomingPhoneNumbers (list by PhoneNumber, fetch, update VoiceUrl).
 * https://www.twilio.com/docs/iam/api/account, https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource
 */

function numberJson(account: SimAccount, number: string): Json {
  return {
    sid: sidFrom("PN", number),
    phone_number: number,
    account_sid: account.sid,
    voice_url: account.voiceUrls?.get(number) ?? null,
    voice_method: "POST",
    capabilities: { voice: true, sms: true, mms: false, fax: false },
  };
}

export const accountRoutes: RestRoute[] = [
  {
    operation: "account",
    method: "GET",
    path: /^$/,
    handle: ({ account }) => ({
      status: 200,
      body: {
        sid: account.sid,
        friendly_name: "Leadline simulated account",
        status: "active",
        type: "Full",
        date_created: rfc2822(new Date(0)),
      },
    }),
  },
  {
    operation: "numbers",
    method: "GET",
    path: /^\/IncomingPhoneNumbers\.json$/,
    handle: ({ account, query }) => {
      const wanted = query.get("PhoneNumber");
      const list = [...account.numbers].filter((number) => !wanted || number === wanted);
      return {
        status: 200,
        body: {
          incoming_phone_numbers: list.map((number) => numberJson(account, number)),
          page: 0,
          page_size: 50,
          next_page_uri: null,
          uri: `/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers.json`,
        },
      };
    },
  },
  ...(["GET", "POST"] as const).map(
    (method): RestRoute => ({
      operation: "numbers",
      method,
      path: /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/,
      handle: ({ account, match, params }) => {
        const number = [...account.numbers].find((n) => sidFrom("PN", n) === match[1]);
        if (!number) return notFound();
        const voiceUrl = method === "POST" ? params.get("VoiceUrl") : null;
        if (voiceUrl !== null) {
          if (voiceUrl && !/^https?:\/\//.test(voiceUrl)) return restError(400, 21502, "VoiceUrl is not valid");
          account.voiceUrls ??= new Map();
          account.voiceUrls.set(number, voiceUrl);
        }
        return { status: 200, body: numberJson(account, number) };
      },
    }),
  ),
];
