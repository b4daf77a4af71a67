import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../lib/log.js";
import type { SettingsService } from "../services/setup/settings.js";
import { twilioSdk } from "../services/twilio/sdk.js";
import type { Workspaces } from "../services/workspaces/workspace-service.js";
import { HttpError, readBody } from "./router.js";

/** Twilio's webhooks are small forms; 64 KB is far above any real one. */
export const TWILIO_BODY_LIMIT = 64 * 1024;

/** Which workspace a webhook is about, from what Twilio posted and the URL it was given (the call, the link…). */
export type WorkspaceOfWebhook = (params: Record<string, string>, url: URL) => Promise<number | undefined>;

/** Reads and verifies a Twilio webhook; the workspace it belongs to comes with its parameters. */
export type VerifyTwilioWebhook = (
  req: IncomingMessage,
  workspaceOf: WorkspaceOfWebhook,
) => Promise<{ params: Record<string, string>; ws: number }>;

/**
 * Reads a Twilio webhook, finds the workspace it belongs to (from the call or link it names), and
 * checks X-Twilio-Signature with THAT workspace's Auth Token against the URL Twilio was given:
 * PUBLIC_BASE_URL + the path and query. Host and X-Forwarded-* are never used. A webhook for an
 * unknown call, or for an uninstalled workspace, is refused like a forged one.
 */
export function createTwilioWebhookVerifier(deps: {
  publicBaseUrl?: string;
  settings: Pick<SettingsService, "webhookToken">;
  workspaces: Pick<Workspaces, "isActive">;
  log: Logger;
}): VerifyTwilioWebhook {
  return async (req, workspaceOf) => {
    const raw = await readBody(req, TWILIO_BODY_LIMIT);
    const params: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(raw.toString("utf8"))) params[key] = value;
    const signature = req.headers["x-twilio-signature"];
    const base = deps.publicBaseUrl;
    const ws = await workspaceOf(params, new URL(req.url ?? "/", "http://localhost"));
    const active = ws !== undefined && (await deps.workspaces.isActive(ws));
    let token = active ? await deps.settings.webhookToken(ws) : { authToken: undefined, recent: false };
    if (
      typeof signature !== "string" ||
      !signature ||
      !base ||
      ws === undefined ||
      (!token.authToken && !token.recent)
    ) {
      deps.log.warn(
        { path: req.url, hasSignature: Boolean(signature), hasBase: Boolean(base) },
        "refused an unsigned or unverifiable Twilio webhook",
      );
      throw new HttpError(403, "forbidden", { error: "invalid_signature" });
    }
    const url = `${base}${req.url ?? ""}`;
    const verifies = (authToken: string | undefined) =>
      Boolean(authToken) &&
      (signedAsGiven(authToken!, signature, url, params) ||
        twilioSdk().validateRequest(authToken!, signature, url, params));
    let verified = verifies(token.authToken);
    // A copy confirmed within the last second that does not verify: the token may have just changed.
    if (!verified && token.recent) {
      token = await deps.settings.webhookToken(ws, true);
      verified = verifies(token.authToken);
    }
    if (!verified) {
      deps.log.warn({ path: req.url }, "refused a Twilio webhook with a bad signature");
      throw new HttpError(403, "forbidden", { error: "invalid_signature" });
    }
    return { params, ws: ws! };
  };
}

/**
 * Twilio's signature over the URL exactly as configured (its documented algorithm: the URL, then each
 * parameter's name and value in name order, HMAC-SHA1 with the Auth Token, base64): one HMAC, the
 * common case. Only a request it does not match goes through the library's wider check (the URL with and
 * without its port, escaped forms).
 */
function signedAsGiven(authToken: string, signature: string, url: string, params: Record<string, string>): boolean {
  let signed = url;
  for (const key of Object.keys(params).sort()) signed += key + params[key];
  const expected = Buffer.from(createHmac("sha1", authToken).update(signed, "utf8").digest("base64"));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function sendTwiml(res: ServerResponse, twiml: string): void {
  res.writeHead(200, { "content-type": "text/xml; charset=utf-8", "content-length": Buffer.byteLength(twiml) });
  res.end(twiml);
}
