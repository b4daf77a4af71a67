import { createHmac } from "node:crypto";

/**
 * Twilio's webhook signature (X-Twilio-Signature): HMAC-SHA1 with the account's Auth Token over the
 * full URL followed by each POST parameter, sorted by name, as name+value; base64. A repeated
 * parameter contributes each of its distinct values, sorted. Checked against Twilio's published
 * vector in test/helpers/signing.test.ts.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string | string[]>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => {
      const value = params[key]!;
      const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
      return acc + values.map((v) => key + v).join("");
    }, url);
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf8")).digest("base64");
}
