import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../src/lib/log.js";
import { parseMaybeJson, readRaw, send } from "../lib/http.js";
import { slackSignature } from "./signing.js";
import type { SlackUser, Workspace } from "./workspace.js";

type Json = Record<string, unknown>;

export interface ConsoleOptions {
  signingSecret: string;
  /** Leadline's own address, where Slack's signed requests go. */
  appUrl: () => string;
  channel: string;
  /** Facts shown in the console's side panel (the simulated Twilio account, the demo numbers). */
  info: () => Json;
  /**
   * More of the console's own endpoints, by path (e.g. /sandbox/clock): GET answers with `get()`; POST
   * passes the same token and origin checks as every console POST, then `post(body)`; a refusal is a 400.
   */
  routes?: Record<string, ConsoleRoute>;
}

type RouteAnswer = { ok: true; [key: string]: unknown } | { ok: false; error: string };

export interface ConsoleRoute {
  get(): object;
  post(body: Json): RouteAnswer | Promise<RouteAnswer>;
}

/** The console page's routes, mounted on the Slack simulator's server. */
export interface Console {
  /** Sent by the console page in `x-sandbox-token` with every POST; made for this run. */
  token: string;
  /** Answers a /sandbox request; false when the path is not the console's. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, origins: string[]): Promise<boolean>;
}

export const TOKEN_HEADER = "x-sandbox-token";

const STATIC_DIR = new URL("../static/", import.meta.url);
const STATIC: Record<string, [string, string]> = {
  "/sandbox": ["console.html", "text/html; charset=utf-8"],
  "/sandbox/console.js": ["console.js", "application/javascript; charset=utf-8"],
  "/sandbox/console.css": ["console.css", "text/css; charset=utf-8"],
};

class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The console page at /sandbox: it renders the channel and modals and turns what a person types
 * and clicks into requests signed with the signing secret. Its POSTs change the workspace and act
 * as a user, so they need the per-run token the page was served with and, when the browser names
 * one, this console's own Origin: another site open in the same browser cannot drive it.
 */
export function createConsole(options: ConsoleOptions, workspace: Workspace, log: Logger): Console {
  const token = randomBytes(24).toString("base64url");
  const { identity } = workspace;

  const userFor = (id: unknown): SlackUser => {
    const user = workspace.users.get(String(id ?? ""));
    if (!user) throw new ConsoleError(400, "Pick a user from the list.");
    return user;
  };
  const payloadUser = (user: SlackUser) => ({
    id: user.id,
    username: user.name,
    name: user.name,
    team_id: identity.team.id,
  });

  /** Sends a request into Leadline the way Slack does, signed; returns its status and body. */
  async function deliver(body: string): Promise<{ status: number; text: string }> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(`${options.appUrl()}/slack/events`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": String(timestamp),
          "x-slack-signature": slackSignature(options.signingSecret, timestamp, body),
        },
        body,
        // Slack gives up on an app after 3 s.
        signal: AbortSignal.timeout(3_000),
      });
      return { status: res.status, text: await res.text() };
    } catch (error) {
      log.warn({ err: error }, "Leadline did not answer within 3 seconds");
      return { status: 0, text: "" };
    }
  }

  const slackbot = (user: string, text: string) =>
    workspace.post({ channel: options.channel, text, visibleTo: user, user: "USLACKBOT" });

  async function command(userId: unknown, input: string): Promise<void> {
    const user = userFor(userId);
    const text = input.trim();
    if (!text.startsWith("/")) {
      if (text) workspace.say(user.id, options.channel, text);
      return;
    }
    const name = text.split(/\s+/)[0] ?? "";
    const form = new URLSearchParams({
      token: "sandbox-verification-token",
      team_id: identity.team.id,
      team_domain: identity.team.domain,
      channel_id: options.channel,
      channel_name: workspace.channels.get(options.channel)?.name ?? "leads",
      user_id: user.id,
      user_name: user.name,
      command: name,
      text: text.slice(name.length).trim(),
      api_app_id: identity.appId,
      is_enterprise_install: "false",
      response_url: workspace.issueResponseUrl({ channel: options.channel, user: user.id }),
      trigger_id: workspace.issueTrigger(user.id),
    });
    const result = await deliver(form.toString());
    if (result.status === 404 || (result.status >= 400 && result.status !== 401)) {
      slackbot(user.id, `${name} failed with the error "dispatch_failed" (Leadline answered ${result.status}).`);
    } else if (result.status === 0) {
      slackbot(user.id, `${name} failed with the error "operation_timeout".`);
    } else if (result.status === 401) {
      slackbot(user.id, `${name} failed: Leadline refused the request signature.`);
    } else if (result.text.trim()) {
      // An ack with a body is shown to the user who typed the command, as Slack does.
      const body = parseMaybeJson(result.text);
      const reply = typeof body === "object" ? (body as Json) : { text: result.text };
      workspace.post({
        channel: options.channel,
        text: String(reply.text ?? ""),
        blocks: reply.blocks as Json[] | undefined,
        visibleTo: reply.response_type === "in_channel" ? undefined : user.id,
      });
      if (reply.response_type === "in_channel") workspace.say(user.id, options.channel, text);
    }
  }

  async function action(body: Json): Promise<void> {
    const user = userFor(body.user);
    const element = body.action as Json;
    const actionJson = { ...element, action_ts: `${Date.now() / 1000}` };
    let payload: Json;
    if (body.viewId) {
      const stored = workspace.views.get(String(body.viewId));
      if (!stored) throw new ConsoleError(410, "That modal is closed.");
      payload = {
        type: "block_actions",
        container: { type: "view", view_id: stored.id },
        view: { ...workspace.viewJson(stored), state: { values: body.state ?? {} } },
      };
    } else {
      const message = workspace.find(String(body.channel), String(body.ts));
      if (!message) throw new ConsoleError(410, "That message is gone.");
      payload = {
        type: "block_actions",
        container: {
          type: "message",
          message_ts: message.ts,
          channel_id: message.channel,
          is_ephemeral: Boolean(message.visibleTo),
          thread_ts: message.threadTs,
        },
        channel: { id: message.channel, name: workspace.channels.get(message.channel)?.name ?? "" },
        ...(message.visibleTo ? {} : { message: workspace.messageJson(message) }),
        response_url: workspace.issueResponseUrl({ channel: message.channel, user: user.id, messageTs: message.ts }),
      };
    }
    const full = {
      ...payload,
      team: { id: identity.team.id, domain: identity.team.domain },
      user: payloadUser(user),
      api_app_id: identity.appId,
      token: "sandbox-verification-token",
      trigger_id: workspace.issueTrigger(user.id),
      actions: [actionJson],
      is_enterprise_install: false,
    };
    const result = await deliver(new URLSearchParams({ payload: JSON.stringify(full) }).toString());
    if (result.status !== 200) slackbot(user.id, `Leadline did not handle that click (status ${result.status}).`);
  }

  async function submit(body: Json): Promise<void> {
    const user = userFor(body.user);
    const stored = workspace.views.get(String(body.viewId));
    if (!stored || stored.user !== user.id) throw new ConsoleError(410, "That modal is closed.");
    const payload = {
      type: "view_submission",
      team: { id: identity.team.id, domain: identity.team.domain },
      user: payloadUser(user),
      api_app_id: identity.appId,
      token: "sandbox-verification-token",
      trigger_id: workspace.issueTrigger(user.id),
      view: { ...workspace.viewJson(stored), state: { values: body.state ?? {} } },
      response_urls: [],
      is_enterprise_install: false,
    };
    const result = await deliver(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    if (result.status !== 200) {
      stored.errors = { _: "We had some trouble connecting. Try again?" };
      workspace.changed();
      return;
    }
    const answer = (parseMaybeJson(result.text) ?? {}) as Json;
    switch (answer.response_action) {
      case "errors":
        stored.errors = (answer.errors as Record<string, string>) ?? {};
        workspace.changed();
        return;
      case "update":
        workspace.replaceView(stored, answer.view as Json);
        return;
      case "push": {
        const pushed = workspace.storeView(user.id, answer.view as Json);
        workspace.modals.set(user.id, [...(workspace.modals.get(user.id) ?? []), pushed.id]);
        workspace.changed();
        return;
      }
      case "clear":
        workspace.closeView(user.id, true);
        return;
      default:
        workspace.closeView(user.id);
    }
  }

  /** What the console page shows one user: the channel as they see it, their modal, the side panel. */
  function state(userId: string): Json {
    const visible = workspace.messages.filter(
      (message) => message.channel === options.channel && (!message.visibleTo || message.visibleTo === userId),
    );
    const consoleUser = (user: SlackUser) => ({
      id: user.id,
      name: user.name,
      realName: user.real_name ?? user.name,
      isAdmin: user.is_admin ?? false,
    });
    const me = workspace.users.get(userId);
    const top = workspace.topView(userId);
    return {
      version: workspace.version,
      team: identity.team,
      channel: workspace.channels.get(options.channel),
      users: [...workspace.users.values()].map(consoleUser),
      me: me ? consoleUser(me) : undefined,
      messages: visible.map((message) => {
        const author = message.user ? workspace.users.get(message.user) : undefined;
        return {
          ...message,
          author: message.user ? (author?.real_name ?? author?.name ?? "Slackbot") : "Leadline",
          bot: !message.user,
        };
      }),
      modal: top ? { id: top.id, hash: top.hash, view: top.view, errors: top.errors } : null,
      info: options.info(),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, origins: string[]): Promise<boolean> {
    const path = url.pathname;
    try {
      const asset = req.method === "GET" ? STATIC[path === "/sandbox/" ? "/sandbox" : path] : undefined;
      if (asset) {
        let content: string | Buffer = readFileSync(new URL(asset[0], STATIC_DIR));
        // The page carries this run's token; its script sends it back with every POST.
        if (asset[0] === "console.html") content = content.toString("utf8").replace("__SANDBOX_TOKEN__", token);
        send(res, 200, content, asset[1]);
        return true;
      }
      if (path === "/" && req.method === "GET") {
        res.writeHead(302, { location: "/sandbox" });
        res.end();
        return true;
      }
      const route = options.routes?.[path];
      if (route && req.method === "GET") {
        send(res, 200, route.get());
        return true;
      }
      if (path === "/sandbox/state" && req.method === "GET") {
        send(res, 200, state(url.searchParams.get("user") ?? ""));
        return true;
      }
      if (path === "/sandbox/events" && req.method === "GET") {
        res.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-store",
          connection: "keep-alive",
        });
        res.write(`data: ${workspace.version}\n\n`);
        const stop = workspace.onChange(() => res.write(`data: ${workspace.version}\n\n`));
        req.on("close", stop);
        return true;
      }
      if (req.method === "POST" && path.startsWith("/sandbox/")) {
        const origin = req.headers.origin;
        if (origin !== undefined && !origins.includes(origin)) {
          throw new ConsoleError(403, "Only the sandbox console itself may do that (cross-site request refused).");
        }
        const given = req.headers[TOKEN_HEADER];
        if (typeof given !== "string" || !sameToken(given, token)) {
          throw new ConsoleError(403, "Only the sandbox console itself may do that: reload the page.");
        }
        const body = JSON.parse((await readRaw(req, 200_000)).toString("utf8") || "{}") as Json;
        if (path === "/sandbox/command") await command(body.user, String(body.text ?? ""));
        else if (path === "/sandbox/action") await action(body);
        else if (path === "/sandbox/submit") await submit(body);
        else if (path === "/sandbox/close") workspace.closeView(userFor(body.user).id);
        else if (route) {
          const answer = await route.post(body);
          if (!answer.ok) throw new ConsoleError(400, answer.error);
          // The page redraws from /sandbox/state: tell it something changed.
          workspace.changed();
          send(res, 200, answer);
          return true;
        } else {
          send(res, 404, { ok: false, error: "not_found" });
          return true;
        }
        send(res, 200, { ok: true });
        return true;
      }
      return false;
    } catch (error) {
      if (error instanceof ConsoleError) {
        send(res, error.status, { ok: false, error: error.message });
        return true;
      }
      throw error;
    }
  }

  return { token, handle };
}
