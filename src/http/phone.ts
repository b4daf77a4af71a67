import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, sep } from "node:path";
import { z } from "zod";
import { UserError } from "../lib/errors.js";
import { projectRoot } from "../lib/paths.js";
import type { BrowserPhoneService } from "../services/calls/browser-phone.js";
import { userErrorWords } from "../views/error-words/index.js";
import { phoneErrorPage, phonePage } from "../views/phone-page.js";
import { HttpError, type Router, readBody, sendJson, sendText } from "./router.js";

const HTML = "text/html; charset=utf-8";
const tokenRequest = z.object({ session: z.string().min(1).max(200) });
const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const JS = "application/javascript; charset=utf-8";
const securityHeaders = (connectSrc: string) => ({
  "content-security-policy": `default-src 'self'; script-src 'self'; connect-src 'self' ${connectSrc}; media-src 'self' https://*.twilio.com; style-src 'unsafe-inline'`,
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
});

/**
 * A replacement for the Twilio Voice SDK on the softphone page, and the one origin it may talk to.
 * Only the sandbox passes one (in code, never from the environment), to reach its simulated Twilio.
 */
export interface SoftphoneOverride {
  sdkScript: string;
  connectSrc: string;
}

export function registerPhone(
  router: Router,
  deps: { browserPhone: Pick<BrowserPhoneService, "openLink" | "accessToken"> },
  override?: SoftphoneOverride,
): void {
  const SECURITY_HEADERS = securityHeaders(override?.connectSrc ?? "https://*.twilio.com wss://*.twilio.com");
  // The package's exports hide dist/, so find it from the entry point it does export.
  const require = createRequire(import.meta.url);
  const entry = require.resolve("@twilio/voice-sdk");
  const sdkPath = join(
    entry.slice(0, entry.lastIndexOf(`${sep}voice-sdk${sep}`) + `${sep}voice-sdk${sep}`.length),
    "dist",
    "twilio.min.js",
  );
  let sdk: string | undefined;
  const app = readFileSync(join(projectRoot(), "src", "http", "static", "phone.js"), "utf8");

  router.add("GET", "/phone", async ({ res, url }) => {
    try {
      const opened = await deps.browserPhone.openLink(url.searchParams.get("t") ?? "");
      res.writeHead(200, { "content-type": HTML, ...SECURITY_HEADERS });
      res.end(phonePage({ leadName: opened.lead.name, leadId: opened.lead.id, session: opened.session }));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      res.writeHead(410, { "content-type": HTML, ...SECURITY_HEADERS });
      res.end(phoneErrorPage(userErrorWords(error)));
    }
  });

  router.add("POST", "/phone/token", async ({ req, res }) => {
    const raw = await readBody(req, 4096);
    const parsed = tokenRequest.safeParse(safeJson(raw.toString("utf8")));
    if (!parsed.success) {
      throw new HttpError(400, "bad body", { error: "invalid_body", message: 'Send {"session": "…"} as JSON.' });
    }
    const { session } = parsed.data;
    try {
      sendJson(res, 200, await deps.browserPhone.accessToken(session));
    } catch (error) {
      if (error instanceof UserError)
        throw new HttpError(403, "forbidden", { error: "forbidden", message: userErrorWords(error) });
      throw error;
    }
  });

  router.add("GET", "/phone/voice-sdk.js", ({ res }) => {
    sdk ??= override?.sdkScript ?? readFileSync(sdkPath, "utf8");
    res.writeHead(200, { "content-type": JS, "cache-control": override ? "no-store" : "public, max-age=86400" });
    res.end(sdk);
  });

  router.add("GET", "/phone/app.js", ({ res }) => sendText(res, 200, app, JS));
}
