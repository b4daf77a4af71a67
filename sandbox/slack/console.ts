import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../src/lib/log.js";
import { readRaw, send } from "../lib/http.js";
import { ConsoleError, createConsoleActions, FILE_INPUT_LIMIT } from "./console-actions.js";
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
  /** Commands whose manifest entry says should_escape: true (their `@name` reaches Leadline as a mention). */
  escapedCommands?: readonly string[];
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
export function createConsole(
  options: ConsoleOptions,
  workspace: Workspace,
  log: Logger,
  refused?: (what: string, answer: Json) => void,
): Console {
  const token = randomBytes(24).toString("base64url");
  const { identity } = workspace;
  const { command, action, submit, home, upload, userFor } = createConsoleActions(options, workspace, log, refused);

  /** What the console page shows one user: the channel as they see it, their modal, the side panel. */
  function state(userId: string): Json {
    const seen = (channel: string) =>
      workspace.messages.filter(
        (message) => message.channel === channel && (!message.visibleTo || message.visibleTo === userId),
      );
    const visible = seen(options.channel);
    // The app's direct messages with this user (a queue run's card, charts, exports): `D` + the user id's tail.
    const direct = userId ? seen(`D${userId.slice(1)}`) : [];
    const consoleUser = (user: SlackUser) => ({
      id: user.id,
      name: user.name,
      realName: user.real_name ?? user.name,
      isAdmin: user.is_admin ?? false,
    });
    const shown = (message: (typeof workspace.messages)[number]) => {
      const author = message.user ? workspace.users.get(message.user) : undefined;
      return {
        ...message,
        author: message.user ? (author?.real_name ?? author?.name ?? "Slackbot") : "Leadline",
        bot: !message.user,
      };
    };
    const me = workspace.users.get(userId);
    const top = workspace.topView(userId);
    const homeView = workspace.homes.get(userId);
    return {
      version: workspace.version,
      team: identity.team,
      channel: workspace.channels.get(options.channel),
      users: [...workspace.users.values()].map(consoleUser),
      me: me ? consoleUser(me) : undefined,
      messages: visible.map(shown),
      dm: direct.map(shown),
      modal: top ? { id: top.id, hash: top.hash, view: top.view, errors: top.errors } : null,
      home: homeView ? { id: homeView.id, hash: homeView.hash, view: homeView.view } : null,
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
        // A file from a file_input comes base64-encoded: room for Slack's 10 MB.
        const limit = path === "/sandbox/file" ? Math.ceil(FILE_INPUT_LIMIT * 1.4) : 200_000;
        const body = JSON.parse((await readRaw(req, limit)).toString("utf8") || "{}") as Json;
        if (path === "/sandbox/file") {
          send(res, 200, { ok: true, file: upload(body) });
          return true;
        }
        if (path === "/sandbox/command") await command(body.user, String(body.text ?? ""));
        else if (path === "/sandbox/home") await home(body.user);
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
