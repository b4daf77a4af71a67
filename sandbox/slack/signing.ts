import { createHmac } from "node:crypto";

/** Slack v0 request signing: HMAC-SHA256 of `v0:{timestamp}:{body}` with the app's signing secret. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}
