import type { IncomingMessage } from "node:http";
import twilio from "twilio";
import type { Deps } from "../deps.js";
import { HttpError, readBody } from "./router.js";

/** Twilio's webhooks are small forms; 64 KB is far above any real one. */
export const TWILIO_BODY_LIMIT = 64 * 1024;

/** Which workspace a webhook is about, from what Twilio posted (the call's SID, the browser link…). */
export type WorkspaceOfWebhook = (params: Record<string, string>, url: URL) => Promise<number | undefined>;

/** The workspace of the call a webhook names (status, AMD, menu, recording callbacks). */
export const workspaceOfCall =
  (deps: Pick<Deps, "callStore">): WorkspaceOfWebhook =>
  async (params) =>
    params.CallSid ? await deps.callStore.workspaceOfSid(params.CallSid) : undefined;

/**
 * Reads a Twilio webhook, finds the workspace it belongs to (from the call or link it names), and
 * checks X-Twilio-Signature with THAT workspace's Auth Token against the URL Twilio was given:
 * PUBLIC_BASE_URL + the path and query. Host and X-Forwarded-* are never used. A webhook for an
 * unknown call, or for an uninstalled workspace, is refused like a forged one.
 */
export async function verifiedTwilioWebhook(
  req: IncomingMessage,
  deps: Pick<Deps, "config" | "settings" | "log" | "workspaces">,
  workspaceOf: WorkspaceOfWebhook,
): Promise<{ params: Record<string, string>; ws: number }> {
  const raw = await readBody(req, TWILIO_BODY_LIMIT);
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw.toString("utf8"))) params[key] = value;
  const signature = req.headers["x-twilio-signature"];
  const base = deps.config.PUBLIC_BASE_URL;
  const ws = await workspaceOf(params, new URL(req.url ?? "/", "http://localhost"));
  const active = ws !== undefined && (await deps.workspaces.isActive(ws));
  let token = active ? await deps.settings.webhookToken(ws) : { authToken: undefined, recent: false };
  if (typeof signature !== "string" || !signature || !base || ws === undefined || (!token.authToken && !token.recent)) {
    deps.log.warn(
      { path: req.url, hasSignature: Boolean(signature), hasBase: Boolean(base) },
      "refused an unsigned or unverifiable Twilio webhook",
    );
    throw new HttpError(403, "forbidden", { error: "invalid_signature" });
  }
  const url = `${base}${req.url ?? ""}`;
  const verifies = (authToken: string | undefined) =>
    Boolean(authToken) && twilio.validateRequest(authToken!, signature, url, params);
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
}

export function sendTwiml(res: import("node:http").ServerResponse, twiml: string): void {
  res.writeHead(200, { "content-type": "text/xml; charset=utf-8", "content-length": Buffer.byteLength(twiml) });
  res.end(twiml);
}
