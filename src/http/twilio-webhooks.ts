import type { IncomingMessage } from "node:http";
import twilio from "twilio";
import type { Deps } from "../deps.js";
import { HttpError, readBody } from "./router.js";

/**
 * Reads a Twilio webhook and checks X-Twilio-Signature with the stored Auth Token against the URL
 * Twilio was given: PUBLIC_BASE_URL + the path and query. Host and X-Forwarded-* are never used.
 */
export async function verifiedTwilioParams(
  req: IncomingMessage,
  deps: Pick<Deps, "config" | "settings" | "log">,
): Promise<Record<string, string>> {
  const raw = await readBody(req, 64 * 1024);
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw.toString("utf8"))) params[key] = value;
  const signature = req.headers["x-twilio-signature"];
  const base = deps.config.PUBLIC_BASE_URL;
  const { authToken } = await deps.settings.get();
  if (typeof signature !== "string" || !signature || !base || !authToken) {
    deps.log.warn(
      { path: req.url, hasSignature: Boolean(signature), hasBase: Boolean(base) },
      "refused an unsigned or unverifiable Twilio webhook",
    );
    throw new HttpError(403, "forbidden", { error: "invalid_signature" });
  }
  const url = `${base}${req.url ?? ""}`;
  if (!twilio.validateRequest(authToken, signature, url, params)) {
    deps.log.warn({ path: req.url }, "refused a Twilio webhook with a bad signature");
    throw new HttpError(403, "forbidden", { error: "invalid_signature" });
  }
  return params;
}

export function sendTwiml(res: import("node:http").ServerResponse, twiml: string): void {
  res.writeHead(200, { "content-type": "text/xml; charset=utf-8", "content-length": Buffer.byteLength(twiml) });
  res.end(twiml);
}
