import { createHmac, timingSafeEqual } from "node:crypto";
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import type { Logger } from "../lib/log.js";
import { HttpError, type Router, readBody, sendJson, sendText } from "./router.js";

/**
 * Slack's requests are small: a view submission or a click carries at most a modal or a message
 * (100 blocks of ≤3,000 characters). 1 MB is far above any real one; reading stops there.
 */
export const SLACK_BODY_LIMIT = 1024 * 1024;
/** Slack signs with the request time; older or newer than this either way is refused (replays). */
const MAX_SKEW_S = 5 * 60;
/** Slack waits 3 s for the HTTP answer; a listener that never acks gets an empty 200 a little before. */
const ACK_DEADLINE_MS = 2_800;

export function slackSignatureValid(
  secret: string,
  headers: { signature: unknown; timestamp: unknown },
  body: Buffer,
  nowMs: number,
): boolean {
  const { signature, timestamp } = headers;
  if (typeof signature !== "string" || typeof timestamp !== "string" || !/^\d{1,12}$/.test(timestamp)) return false;
  const ts = Number(timestamp);
  if (Math.abs(nowMs / 1000 - ts) > MAX_SKEW_S) return false;
  const expected = Buffer.from(
    `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:`).update(body).digest("hex")}`,
  );
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** What a verified body must be before Bolt sees it: an object (a JSON `null` or a list is refused). */
function parseSlackBody(raw: Buffer, contentType: string): Record<string, unknown> | undefined {
  const text = raw.toString("utf8");
  let body: unknown;
  try {
    if (contentType.startsWith("application/x-www-form-urlencoded")) {
      const form = new URLSearchParams(text);
      const payload = form.get("payload");
      body = payload !== null ? JSON.parse(payload) : Object.fromEntries(form);
    } else if (contentType.startsWith("application/json")) {
      body = JSON.parse(text);
    } else return undefined;
  } catch {
    return undefined;
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  return body as Record<string, unknown>;
}

/**
 * Leadline's own Bolt receiver on its one HTTP server: it caps the body before anything else,
 * checks Slack's signature and a ±5 minute timestamp window, refuses bodies that are not objects,
 * then hands the event to Bolt and answers the HTTP request with whatever the listener acks.
 */
export function createSlackEventsReceiver(options: {
  signingSecret: string;
  log: Logger;
  now?: () => number;
}): Receiver & { register(router: Router): void } {
  let app: App | undefined;
  const now = options.now ?? Date.now;
  return {
    init(bolt) {
      app = bolt;
    },
    async start() {},
    async stop() {},
    register(router) {
      router.add("POST", "/slack/events", async ({ req, res }) => {
        const raw = await readBody(req, SLACK_BODY_LIMIT);
        const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
        // Slack's SSL check carries no signature and no event: answer it and read nothing else.
        if (contentType.startsWith("application/x-www-form-urlencoded") && raw.toString("utf8") === "ssl_check=1") {
          return sendText(res, 200, "");
        }
        const signed = slackSignatureValid(
          options.signingSecret,
          { signature: req.headers["x-slack-signature"], timestamp: req.headers["x-slack-request-timestamp"] },
          raw,
          now(),
        );
        if (!signed) {
          options.log.warn(
            { path: "/slack/events" },
            "refused a Slack request with a missing, stale or wrong signature",
          );
          throw new HttpError(401, "bad signature", { error: "invalid_signature" });
        }
        const body = parseSlackBody(raw, contentType);
        if (!body) throw new HttpError(400, "bad body", { error: "invalid_body" });
        if (body.type === "url_verification" && typeof body.challenge === "string") {
          return sendJson(res, 200, { challenge: body.challenge });
        }
        if (!app) throw new HttpError(503, "not ready", { error: "not_ready" });

        let answered = false;
        const answer = (response?: unknown) => {
          if (answered || res.headersSent) return;
          answered = true;
          if (response === undefined || response === "") sendText(res, 200, "");
          else if (typeof response === "string") sendText(res, 200, response);
          else sendJson(res, 200, response);
        };
        const deadline = setTimeout(() => {
          if (!answered) options.log.warn({ type: body.type }, "a Slack request was not acknowledged in time");
          answer();
        }, ACK_DEADLINE_MS);
        const retry = req.headers["x-slack-retry-num"];
        const event: ReceiverEvent = {
          body,
          retryNum: typeof retry === "string" && /^\d+$/.test(retry) ? Number(retry) : undefined,
          retryReason:
            typeof req.headers["x-slack-retry-reason"] === "string" ? req.headers["x-slack-retry-reason"] : undefined,
          ack: async (response?: unknown) => answer(response),
        };
        try {
          await app.processEvent(event);
        } catch (error) {
          options.log.error({ err: error, type: body.type }, "a Slack listener failed");
          if (!answered && !res.headersSent) {
            answered = true;
            sendJson(res, 500, { error: "internal_error" });
          }
        } finally {
          clearTimeout(deadline);
          // No listener for this event (an event type Leadline does not use): Slack wants a 200, not a retry.
          answer();
        }
      });
    },
  };
}
