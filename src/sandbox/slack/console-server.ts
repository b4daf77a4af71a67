import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Logger } from "../../lib/log.js";
import { projectRoot } from "../../lib/paths.js";
import { type SandboxMessage, TEAM, type Workspace } from "./workspace.js";

type Json = Record<string, unknown>;

/** Slack v0 request signing: HMAC-SHA256 of `v0:{timestamp}:{body}` with the app's signing secret. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export interface ConsoleServer {
  url: string;
  close(): Promise<void>;
}

export interface ConsoleOptions {
  workspace: Workspace;
  signingSecret: string;
  /** Leadline's own address, where Slack's signed requests go. */
  appUrl: () => string;
  channel: string;
  log: Logger;
  /** Facts shown in the console's side panel (the simulated Twilio account, the demo numbers). */
  info: () => Json;
  port?: number;
}

const STATIC: Record<string, [string, string]> = {
  "/sandbox": ["console.html", "text/html; charset=utf-8"],
  "/sandbox/console.js": ["console.js", "application/javascript; charset=utf-8"],
  "/sandbox/console.css": ["console.css", "text/css; charset=utf-8"],
};

async function readRaw(req: IncomingMessage, limit = 1_000_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The Web API reads form bodies (with JSON-encoded objects inside) or JSON bodies, as Slack does. */
function parseArgs(raw: string, type: string): Json {
  if (raw.length === 0) return {};
  if (type.includes("application/json")) return JSON.parse(raw) as Json;
  const args: Json = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    try {
      args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
    } catch {
      args[key] = value;
    }
  }
  return args;
}

const send = (res: ServerResponse, status: number, body: unknown, type = "application/json") => {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body));
};

/**
 * The sandbox's Slack: the Web API Leadline reaches through SLACK_API_URL, response_url and file
 * upload endpoints, and the console page at /sandbox that renders the channel and modals and
 * turns what a person types and clicks into requests signed with the signing secret.
 */
export async function startConsoleServer(options: ConsoleOptions): Promise<ConsoleServer> {
  const { workspace, log } = options;
  const staticDir = join(projectRoot(), "src", "sandbox", "static");

  const userFor = (id: unknown) => {
    const user = workspace.users.get(String(id ?? ""));
    if (!user) throw new ConsoleError(400, "Pick a user from the list.");
    return user;
  };

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
      team_id: TEAM.id,
      team_domain: TEAM.domain,
      channel_id: options.channel,
      channel_name: workspace.channels.get(options.channel)?.name ?? "leads",
      user_id: user.id,
      user_name: user.name,
      command: name,
      text: text.slice(name.length).trim(),
      api_app_id: "A0LEADLINE",
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
        ...(message.visibleTo ? {} : { message: messageJson(message) }),
        response_url: workspace.issueResponseUrl({ channel: message.channel, user: user.id, messageTs: message.ts }),
      };
    }
    const full = {
      ...payload,
      team: { id: TEAM.id, domain: TEAM.domain },
      user: { id: user.id, username: user.name, name: user.name, team_id: TEAM.id },
      api_app_id: "A0LEADLINE",
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
      team: { id: TEAM.id, domain: TEAM.domain },
      user: { id: user.id, username: user.name, name: user.name, team_id: TEAM.id },
      api_app_id: "A0LEADLINE",
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

  function state(userId: string): Json {
    const visible = workspace.messages.filter(
      (message) => message.channel === options.channel && (!message.visibleTo || message.visibleTo === userId),
    );
    const top = workspace.topView(userId);
    return {
      version: workspace.version,
      team: TEAM,
      channel: workspace.channels.get(options.channel),
      users: [...workspace.users.values()],
      me: workspace.users.get(userId),
      messages: visible.map((message) => ({
        ...message,
        author: message.user ? (workspace.users.get(message.user)?.realName ?? "Slackbot") : "Leadline",
        bot: !message.user,
      })),
      modal: top ? { id: top.id, hash: top.hash, view: top.view, errors: top.errors } : null,
      info: options.info(),
    };
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    try {
      const asset = req.method === "GET" ? STATIC[path === "/sandbox/" ? "/sandbox" : path] : undefined;
      if (asset) return send(res, 200, readFileSync(join(staticDir, asset[0])), asset[1]);
      if (path === "/" && req.method === "GET") {
        res.writeHead(302, { location: "/sandbox" });
        return res.end();
      }
      if (path.startsWith("/api/")) {
        const raw = (await readRaw(req)).toString("utf8");
        const args = parseArgs(raw, req.headers["content-type"] ?? "");
        const token = (req.headers.authorization ?? "").replace(/^Bearer /, "") || args.token;
        const answer = token ? workspace.call(path.slice(5), args) : { ok: false, error: "not_authed" };
        return send(res, 200, answer);
      }
      if (path.startsWith("/response/") && req.method === "POST") {
        const answer = workspace.respond(
          path.slice(10),
          parseArgs((await readRaw(req)).toString("utf8"), "application/json"),
        );
        return send(res, answer.ok ? 200 : 404, answer.ok ? "ok" : answer.error, "text/plain");
      }
      if (path.startsWith("/upload/") && req.method === "POST") {
        const ok = workspace.upload(path.slice(8), await readRaw(req, 50_000_000), req.headers["content-type"] ?? "");
        return send(res, ok ? 200 : 404, ok ? "OK - uploaded" : "file not found", "text/plain");
      }
      if (path.startsWith("/files/") && req.method === "GET") {
        const file = workspace.files.get(path.slice(7));
        if (!file) return send(res, 404, { error: "file_not_found" });
        return send(res, 200, file.bytes, file.type || "application/octet-stream");
      }
      if (path === "/sandbox/state" && req.method === "GET")
        return send(res, 200, state(url.searchParams.get("user") ?? ""));
      if (path === "/sandbox/events" && req.method === "GET") {
        res.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-store",
          connection: "keep-alive",
        });
        res.write(`data: ${workspace.version}\n\n`);
        const stop = workspace.onChange(() => res.write(`data: ${workspace.version}\n\n`));
        req.on("close", stop);
        return;
      }
      if (req.method === "POST" && path.startsWith("/sandbox/")) {
        const body = JSON.parse((await readRaw(req, 200_000)).toString("utf8") || "{}") as Json;
        if (path === "/sandbox/command") await command(body.user, String(body.text ?? ""));
        else if (path === "/sandbox/action") await action(body);
        else if (path === "/sandbox/submit") await submit(body);
        else if (path === "/sandbox/close") workspace.closeView(userFor(body.user).id);
        else return send(res, 404, { error: "not_found" });
        return send(res, 200, { ok: true });
      }
      send(res, 404, { ok: false, error: "not_found" });
    } catch (error) {
      if (error instanceof ConsoleError) return send(res, error.status, { ok: false, error: error.message });
      log.error({ err: error, path }, "sandbox console request failed");
      send(res, 500, { ok: false, error: "internal_error" });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function messageJson(message: SandboxMessage): Json {
  return {
    type: "message",
    ts: message.ts,
    thread_ts: message.threadTs,
    text: message.text,
    blocks: message.blocks,
    bot_id: message.user ? undefined : "B0LEADLINE",
    user: message.user,
  };
}
