import type { SimAccount, SimCall } from "./model.js";
import { twilioSignature } from "./signing.js";

/**
 * Twilio's webhooks: a form-encoded POST signed with the account's Auth Token (X-Twilio-Signature,
 * signing.ts), answered with TwiML or nothing. A non-2xx answer is a failure, as Twilio logs it.
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security
 */
export async function sendWebhook(account: SimAccount, url: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilioSignature(account.authToken, url, params),
    },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return text;
}

/** The parameters Twilio sends with every voice webhook about a call. */
export const callParams = (call: SimCall): Record<string, string> => ({
  AccountSid: call.accountSid,
  ApiVersion: "2010-04-01",
  CallSid: call.sid,
  CallStatus: call.status,
  Called: call.to,
  Caller: call.from,
  Direction: call.direction,
  From: call.from,
  To: call.to,
  ...(call.parentSid ? { ParentCallSid: call.parentSid } : {}),
});
