import { createHmac, timingSafeEqual } from "node:crypto";
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import { z } from "zod";
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
  if (!isRecord(body)) return undefined;
  return body;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const someId = z.string().min(1);
/** An object: not null, not a list (Bolt reads fields of these without asking). */
const record = z.record(z.string(), z.unknown());
/**
 * Who clicked or submitted, and in which team: every interactive payload Slack sends carries both.
 * `team` is null only for an org-wide (Enterprise Grid) install, where the user's team_id or the
 * enterprise says whose it is. Where Bolt reads `channel.id` or `response_urls[0]`, objects.
 */
const interactive = z
  .object({
    user: z.object({ id: someId, team_id: z.string().optional() }),
    team: z.object({ id: someId }).nullable(),
    enterprise: z.object({ id: someId }).nullish(),
    channel: record.optional(),
    response_urls: z.array(record).optional(),
  })
  .refine((body) => body.team !== null || Boolean(body.user.team_id) || Boolean(body.enterprise?.id), {
    message: "team is null, and neither user.team_id nor enterprise.id says whose it is",
    path: ["team"],
  });
/** An Events API envelope: the event an object with its type; the fields Bolt reads, of a type it can read. */
const eventEnvelope = z.object({
  event: z.object({
    type: z.string(),
    user: z.union([z.string(), record]).optional(),
    channel: z.union([z.string(), record]).optional(),
    item: record.optional(),
    subteam: record.optional(),
  }),
  authorizations: z.array(record).optional(),
});
/** A slash command: who, where, and the URL its answer goes to (Leadline's commands answer through it). */
const slashCommand = z.object({
  command: z.string(),
  text: z.string(),
  user_id: z.string(),
  team_id: z.string(),
  response_url: z.string().regex(/^https?:\/\/\S+$/),
});
/** Bolt hands the first action to the listeners: there is one, and it is an object. */
const actions = z.object({ actions: z.array(record).min(1) });
/** A block_actions payload: its actions by id, and the message or view they were in (where answers go). */
const blockActions = z.object({ actions: z.array(z.object({ action_id: z.string() })).min(1), container: record });
const viewPayload = z.object({ view: z.object({ callback_id: z.string() }) });

/**
 * The shape Bolt relies on for each kind of body, in the order Bolt tells them apart (an `event`
 * makes an event whatever its `type`; then `command`; then options, actions, shortcuts, views):
 * a signed body Slack would never send is refused here with a 400 naming what is missing, not
 * failed deep inside Bolt (reading `team_id` of an absent user) as a 500. Undefined when it fits;
 * bodies Bolt does not dispatch (types Leadline does not use) pass, and are acknowledged.
 */
function slackBodyProblem(body: Record<string, unknown>): string | undefined {
  const type = typeof body.type === "string" && /^[a-z_]{1,40}$/.test(body.type) ? body.type : undefined;
  const check = (kind: string, schemas: z.ZodType[]): string | undefined => {
    for (const schema of schemas) {
      const result = schema.safeParse(body);
      if (!result.success) {
        const fields = [...new Set(result.error.issues.map((issue) => issue.path.join(".") || "(body)"))];
        return `Not a payload Slack sends: a ${type ?? kind} payload needs ${fields.join(", ")}.`;
      }
    }
    return undefined;
  };
  if (body.event !== undefined) return check("event", [eventEnvelope]);
  if (body.command !== undefined) return check("slash command", [slashCommand]);
  if (body.name !== undefined || type === "block_suggestion") return check("options", [interactive]);
  if (body.actions !== undefined) {
    // Bolt's action listeners match a first action with an action_id, whatever the type: a block action.
    const first = Array.isArray(body.actions) ? body.actions[0] : undefined;
    const blockAction = type === "block_actions" || (isRecord(first) && "action_id" in first);
    return check("actions", [interactive, blockAction ? blockActions : actions]);
  }
  if (type === "dialog_submission") return check(type, [interactive]);
  if (type === "shortcut" || type === "message_action") return check(type, [interactive]);
  if (type === "view_submission" || type === "view_closed") return check(type, [interactive, viewPayload]);
  // Without any actions Bolt would not even dispatch it; refused like its other missing fields.
  if (type === "block_actions") return check(type, [interactive, blockActions]);
  return undefined;
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
        const problem = slackBodyProblem(body);
        if (problem) {
          options.log.warn({ path: "/slack/events", problem }, "refused a malformed Slack payload");
          throw new HttpError(400, "malformed payload", { error: "invalid_body", message: problem });
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
