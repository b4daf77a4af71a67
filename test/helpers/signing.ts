import { createHmac } from "node:crypto";

/** Slack v0 signing, the same the sandbox console uses. */
export { slackSignature } from "../../src/sandbox/slack/console-server.js";

/** Twilio signing: HMAC-SHA1 over the full URL plus each POST param (sorted by key) as key+value. */
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
