import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { blockKitProblems, viewProblems } from "../../src/sandbox/slack/block-kit-limits.js";

type Json = Record<string, unknown>;

export interface SlackCall {
  method: string;
  args: Json;
  token?: string;
  at: number;
}

export interface SlackUser {
  id: string;
  name: string;
  is_admin?: boolean;
  is_owner?: boolean;
  tz?: string;
}

export interface FakeSlack {
  url: string;
  apiUrl: string;
  calls: SlackCall[];
  responses: { path: string; body: Json; at: number }[];
  users: Map<string, SlackUser>;
  /** Channels the bot is a member of; posting elsewhere gives `not_in_channel`. */
  botChannels: Set<string>;
  messages: Map<string, Json>;
  views: Map<string, Json>;
  delays: Map<string, number>;
  /** A one-off error for a method, e.g. `failNext.set("views.open", "expired_trigger_id")`. */
  failNext: Map<string, string>;
  callsTo(method: string): SlackCall[];
  responseUrl(): string;
  waitFor<T>(find: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (raw.length === 0) return {};
  if ((req.headers["content-type"] ?? "").includes("application/json")) return JSON.parse(raw) as Json;
  const form = new URLSearchParams(raw);
  const args: Json = {};
  for (const [key, value] of form) {
    // WebClient serialises objects and arrays as JSON strings inside the form.
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const responses: FakeSlack["responses"] = [];
  const users = new Map<string, SlackUser>();
  const botChannels = new Set<string>();
  const messages = new Map<string, Json>();
  const views = new Map<string, Json>();
  const delays = new Map<string, number>();
  const failNext = new Map<string, string>();
  let counter = 0;
  let baseUrl = "";

  const nextTs = () => {
    counter += 1;
    return `${1_760_000_000 + counter}.${String(counter).padStart(6, "0")}`;
  };

  const handle = (method: string, args: Json): Json => {
    const forced = failNext.get(method);
    if (forced) {
      failNext.delete(method);
      return { ok: false, error: forced };
    }
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://leadline-test.slack.com/",
          team: "Leadline Test",
          user: "leadline",
          team_id: "T0LEADLINE",
          user_id: "U0BOT",
          bot_id: "B0BOT",
        };
      case "chat.postMessage": {
        const channel = String(args.channel ?? "");
        // A user id opens the app's DM with that user.
        if (!botChannels.has(channel) && !/^[UWD]/.test(channel)) return { ok: false, error: "not_in_channel" };
        if (!args.text && !args.blocks) return { ok: false, error: "no_text" };
        const problems = blockKitProblems(args.blocks, "message");
        if (problems.length > 0) return { ok: false, error: "invalid_blocks", errors: problems };
        const ts = nextTs();
        const message = { ...args, ts, channel };
        messages.set(`${channel}:${ts}`, message);
        return { ok: true, channel, ts, message };
      }
      case "chat.update": {
        const key = `${String(args.channel)}:${String(args.ts)}`;
        const existing = messages.get(key);
        if (!existing) return { ok: false, error: "message_not_found" };
        const problems = blockKitProblems(args.blocks, "message");
        if (problems.length > 0) return { ok: false, error: "invalid_blocks", errors: problems };
        messages.set(key, { ...existing, ...args });
        return { ok: true, channel: args.channel, ts: args.ts };
      }
      case "chat.postEphemeral": {
        if (!args.user) return { ok: false, error: "user_not_found" };
        if (!botChannels.has(String(args.channel))) return { ok: false, error: "not_in_channel" };
        const problems = blockKitProblems(args.blocks, "message");
        if (problems.length > 0) return { ok: false, error: "invalid_blocks", errors: problems };
        return { ok: true, message_ts: nextTs() };
      }
      case "views.open":
      case "views.push": {
        if (!args.trigger_id && !args.interactivity_pointer) return { ok: false, error: "invalid_arguments" };
        const view = args.view as Json;
        const problems = viewProblems(view);
        if (problems.length > 0)
          return { ok: false, error: "invalid_arguments", response_metadata: { messages: problems } };
        counter += 1;
        const id = `V${String(counter).padStart(8, "0")}`;
        const stored = { ...view, id, hash: `h${counter}` };
        views.set(id, stored);
        return { ok: true, view: stored };
      }
      case "views.update": {
        const id = String(args.view_id ?? "");
        if (!views.has(id)) return { ok: false, error: "not_found" };
        const view = args.view as Json;
        const problems = viewProblems(view);
        if (problems.length > 0)
          return { ok: false, error: "invalid_arguments", response_metadata: { messages: problems } };
        counter += 1;
        const stored = { ...view, id, hash: `h${counter}` };
        views.set(id, stored);
        return { ok: true, view: stored };
      }
      case "views.publish":
        return { ok: true, view: { ...(args.view as Json), id: "VHOME" } };
      case "users.info": {
        const user = users.get(String(args.user));
        if (!user) return { ok: false, error: "user_not_found" };
        return {
          ok: true,
          user: {
            ...user,
            is_admin: user.is_admin ?? false,
            is_owner: user.is_owner ?? false,
            tz: user.tz ?? "America/New_York",
          },
        };
      }
      case "conversations.info":
        return { ok: true, channel: { id: args.channel, is_member: botChannels.has(String(args.channel)) } };
      case "chat.getPermalink":
        return {
          ok: true,
          permalink: `https://leadline-test.slack.com/archives/${String(args.channel)}/p${String(args.message_ts).replace(".", "")}`,
        };
      case "files.getUploadURLExternal": {
        counter += 1;
        const fileId = `F${String(counter).padStart(8, "0")}`;
        return { ok: true, upload_url: `${baseUrl}/upload/${fileId}`, file_id: fileId };
      }
      case "files.completeUploadExternal":
        return { ok: true, files: (args.files as Json[] | undefined) ?? [] };
      default:
        return { ok: false, error: "unknown_method" };
    }
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    try {
      if (url.pathname.startsWith("/response/") || url.pathname.startsWith("/upload/")) {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const raw = Buffer.concat(chunks).toString("utf8");
        responses.push({
          path: url.pathname,
          body: url.pathname.startsWith("/response/") ? (safeJson(raw) as Json) : { bytes: raw.length },
          at: Date.now(),
        });
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("ok");
        return;
      }
      const method = url.pathname.replace(/^\/api\//, "");
      const args = await readBody(req);
      const token = (req.headers.authorization ?? "").replace(/^Bearer /, "") || (args.token as string | undefined);
      calls.push({ method, args, token, at: Date.now() });
      const delay = delays.get(method) ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const body = token ? handle(method, args) : { ok: false, error: "not_authed" };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    } catch (error) {
      res.writeHead(500);
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let responseCounter = 0;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/`,
    calls,
    responses,
    users,
    botChannels,
    messages,
    views,
    delays,
    failNext,
    callsTo: (method) => calls.filter((call) => call.method === method),
    responseUrl: () => {
      responseCounter += 1;
      return `${baseUrl}/response/${responseCounter}`;
    },
    async waitFor(find, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find();
        if (found) return found as never;
        if (Date.now() > deadline) throw new Error("fake Slack: timed out waiting for the expected request");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
