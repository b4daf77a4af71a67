import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createLogger, type Logger } from "../../src/lib/log.js";
import { parseMaybeJson, readRaw, send } from "../lib/http.js";
import { type OutageOptions, serveLocally } from "../lib/server.js";
import { type ConsoleOptions, createConsole } from "./console.js";
import { callMethod } from "./methods/index.js";
import { SlackOAuth, type SlackOAuthApp } from "./oauth.js";
import { type RateLimitOptions, RateLimits } from "./rate-limits.js";
import { basicCredentials, escapeHtml, fileFromUpload, parseArgs } from "./requests.js";
import { respond } from "./response-url.js";
import { Workspace, type WorkspaceOptions } from "./workspace.js";

type Json = Record<string, unknown>;

/** One Web API call as it reached the simulator (recorded when `recordRequests` is on). */
export interface SlackCall {
  method: string;
  args: Json;
  token?: string;
  /** The team the token was issued for through OAuth (none for a token the simulator did not issue). */
  team?: string;
  at: number;
  /** Answered 429 (`ratelimited`) with this Retry-After, in seconds. */
  retryAfter?: number;
  /**
   * Sent while a Retry-After the simulator gave for the same limit (method, team, and channel for
   * chat.postMessage) was still running: the client did not wait as told.
   */
  early?: boolean;
}

/** One POST to a response_url (the JSON body) or to an upload URL (`{ bytes }`). */
export interface SlackResponse {
  path: string;
  body: Json;
  at: number;
}

/** A message or view the simulator refused as Slack would (Block Kit limits, text length). */
export interface SlackRefusal {
  /** The Web API method, or the response_url path. */
  method: string;
  error: string;
  /** Slack's sentences with their pointers. */
  messages: string[];
  at: number;
}

/** A refusal of what was sent (not of who sent it or where): Block Kit and length checks. */
export function refusalOf(method: string, answer: Json): SlackRefusal | undefined {
  const error = String(answer.error ?? "");
  const messages = ((answer.response_metadata as Json | undefined)?.messages as string[] | undefined) ?? [];
  const refused =
    ["invalid_blocks", "invalid_blocks_format", "msg_too_long"].includes(error) ||
    (error === "invalid_arguments" && messages.length > 0);
  return refused && answer.ok === false ? { method, error, messages, at: Date.now() } : undefined;
}

/** Fault injection, changeable while the simulator runs. */
export interface SlackFaults {
  /** Milliseconds to wait before answering, per Web API method; "*" applies to every method. */
  delays: Map<string, number>;
  /** A one-off error for a method, e.g. `failNext.set("views.open", "expired_trigger_id")`. */
  failNext: Map<string, string>;
  /**
   * While set (`invalid_auth`, `token_revoked`, `account_inactive`…), every Web API method, auth.test
   * included, answers `{ ok: false, error }`, as Slack does for a token it no longer accepts.
   */
  authError?: string;
}

export interface SlackSimulatorOptions {
  log?: Logger;
  port?: number;
  workspace?: Omit<WorkspaceOptions, "baseUrl">;
  /** Keep every Web API call in `requests` and every response_url / upload POST in `responses`. */
  recordRequests?: boolean;
  faults?: Partial<SlackFaults>;
  /** The app's OAuth credentials and settings (also settable later with `oauth.configure`). */
  oauth?: Partial<SlackOAuthApp> & Pick<SlackOAuthApp, "clientId" | "clientSecret">;
  /** Serve the console page at /sandbox (the sandbox does; tests do not). */
  console?: ConsoleOptions;
  /** Slack's rate limits (rate-limits.ts); off when not given. `{}` is Slack's own pace. */
  rateLimits?: RateLimitOptions | false;
}

export interface SlackSimulator {
  url: string;
  /** What SLACK_API_URL points at. */
  apiUrl: string;
  workspace: Workspace;
  /** Slack's OAuth: the authorize page at /oauth/v2/authorize, oauth.v2.access, the teams and the tokens issued. */
  oauth: SlackOAuth;
  requests: SlackCall[];
  responses: SlackResponse[];
  /** Every message or view refused for what it held (always kept): a test can insist there were none. */
  refusals: SlackRefusal[];
  faults: SlackFaults;
  /** The rate limiter; undefined when rate limits are off. */
  rateLimits?: RateLimits;
  /** The console page's per-run token, when the console is served. */
  consoleToken?: string;
  /** Connections are refused (or reset) until `reachable()` or for `forMs`. */
  unreachable(options?: OutageOptions): Promise<void>;
  reachable(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Methods Slack answers without a token: api.test, and oauth.v2.access (authenticated by the app's client id and secret). */
const TOKENLESS = new Set(["api.test", "oauth.v2.access"]);

/**
 * A simulated Slack on 127.0.0.1: the Web API Leadline reaches through SLACK_API_URL (methods/),
 * with Slack's Block Kit checks (block-kit/) and rate limits (rate-limits.ts), response_url and
 * file upload endpoints, OAuth (oauth.ts), fault injection, and (for the sandbox) the console page.
 * The sandbox and the tests both use it.
 */
export async function startSlackSimulator(options: SlackSimulatorOptions = {}): Promise<SlackSimulator> {
  const log = (options.log ?? createLogger("silent")).child({ component: "slack-simulator" });
  let baseUrl = "";
  const workspace = new Workspace({ ...options.workspace, baseUrl: () => baseUrl });
  const { identity } = workspace;
  const oauth = new SlackOAuth({
    appId: identity.appId,
    defaultTeam: {
      id: identity.team.id,
      name: identity.team.name,
      domain: identity.team.domain,
      botUserId: identity.botUserId,
      botId: identity.botId,
    },
    openWorld: workspace.openWorld,
  });
  if (options.oauth) oauth.configure(options.oauth);
  const requests: SlackCall[] = [];
  const responses: SlackResponse[] = [];
  const refusals: SlackRefusal[] = [];
  const faults: SlackFaults = { delays: new Map(), failNext: new Map(), ...options.faults };
  const rateLimits = options.rateLimits ? new RateLimits(options.rateLimits) : undefined;
  const console_ = options.console
    ? createConsole(options.console, workspace, log, (what, answer) => {
        const refusal = refusalOf(what, answer);
        if (refusal) refusals.push(refusal);
      })
    : undefined;

  let port = 0;
  // Only this machine's names for the server: a page on another site cannot reach it by DNS rebinding.
  const hosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];

  /** One Web API call: its HTTP status, body, and the Retry-After header of a 429. */
  async function webApi(method: string, args: Json, token: string | undefined) {
    const team = token ? oauth.tokens.get(token)?.team.id : undefined;
    const call: SlackCall = { method, args, token, ...(team ? { team } : {}), at: Date.now() };
    if (options.recordRequests) requests.push(call);
    const limited = rateLimits?.take(method, team ?? identity.team.id, args);
    if (limited?.early) call.early = true;
    if (limited?.retryAfter !== undefined) {
      call.retryAfter = limited.retryAfter;
      return { status: 429, body: { ok: false, error: "ratelimited" }, retryAfter: limited.retryAfter };
    }
    const delay = faults.delays.get(method) ?? faults.delays.get("*") ?? 0;
    if (delay > 0) await sleep(delay);
    // A failure a test injected (failNext) is not a refusal of what was sent.
    const injected = faults.failNext.has(method);
    const body = answer(method, args, token);
    const refusal = injected ? undefined : refusalOf(method, body);
    if (refusal) refusals.push(refusal);
    return { status: 200, body };
  }

  function answer(method: string, args: Json, token: string | undefined): Json {
    const tokenless = TOKENLESS.has(method);
    if (!tokenless && !token) return { ok: false, error: "not_authed" };
    if (!tokenless && faults.authError) return { ok: false, error: faults.authError };
    const forced = faults.failNext.get(method);
    if (forced) {
      faults.failNext.delete(method);
      return { ok: false, error: forced };
    }
    if (method === "api.test") {
      // Slack echoes the arguments; an `error` argument makes it answer with that error.
      return typeof args.error === "string" ? { ok: false, error: args.error, args } : { ok: true, args };
    }
    if (method === "oauth.v2.access") return oauth.access(args);
    // A token OAuth issued answers for its own team, until it is revoked or expires; any other
    // token is the workspace's own (single-workspace tests and the sandbox).
    const known = oauth.check(token!);
    if (known && "error" in known) return { ok: false, error: known.error };
    return callMethod(workspace, method, args, known?.issued.team);
  }

  /**
   * url_private / url_private_download: the bytes only for a request with a workspace token in the
   * Authorization header (https://api.slack.com/types/file#authentication); without one, Slack
   * redirects to its sign-in page, an HTML page answered 200.
   */
  function privateFile(req: IncomingMessage, res: ServerResponse, path: string) {
    const match = /^\/files-pri\/([A-Z0-9]+)-(F[0-9A-Z]+)\//.exec(path);
    const file = match ? workspace.files.get(match[2]!) : undefined;
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    const known = token ? oauth.check(token) : undefined;
    const allowed =
      token !== "" &&
      !faults.authError &&
      !(known && "error" in known) &&
      (known?.issued.team.id ?? identity.team.id) === match?.[1];
    if (!allowed) {
      res.writeHead(302, { location: `${baseUrl}/signin?redir=${encodeURIComponent(path)}` });
      res.end();
      return;
    }
    if (!file) return send(res, 404, "Not found", "text/plain");
    return send(res, 200, file.bytes, file.type || "application/octet-stream");
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    try {
      if (!hosts().includes(req.headers.host ?? "")) return send(res, 421, { ok: false, error: "wrong_host" });
      if (path.startsWith("/api/")) {
        const raw = (await readRaw(req)).toString("utf8");
        const args = parseArgs(raw, req.headers["content-type"] ?? "");
        const authorization = req.headers.authorization ?? "";
        const client = basicCredentials(authorization);
        const header = client ? "" : authorization.replace(/^Bearer /, "");
        const token = header || (typeof args.token === "string" ? args.token : undefined);
        const result = await webApi(path.slice(5), client ? { ...args, ...client } : args, token);
        if (result.retryAfter !== undefined) res.setHeader("retry-after", String(result.retryAfter));
        return send(res, result.status, result.body);
      }
      if (path === "/oauth/v2/authorize" && req.method === "GET") {
        const answer = oauth.authorize(url.searchParams);
        if ("redirect" in answer) {
          res.writeHead(302, { location: answer.redirect, "cache-control": "no-store" });
          res.end();
          return;
        }
        return send(
          res,
          answer.status,
          `<!doctype html><title>Slack</title><h1>This install link does not work</h1><p>${escapeHtml(answer.error)}</p>`,
          "text/html; charset=utf-8",
        );
      }
      if (path.startsWith("/response/") && req.method === "POST") {
        const body = (parseMaybeJson((await readRaw(req)).toString("utf8")) ?? {}) as Json;
        if (options.recordRequests) responses.push({ path, body, at: Date.now() });
        const answer = respond(workspace, path.slice(10), body);
        const refusal = typeof answer.body === "object" ? refusalOf(path, answer.body) : undefined;
        if (refusal) refusals.push(refusal);
        return send(res, answer.status, answer.body, typeof answer.body === "string" ? "text/plain" : undefined);
      }
      if (path.startsWith("/upload/") && req.method === "POST") {
        // Slack takes the file as the raw body or as multipart form data (what @slack/web-api sends).
        const bytes = fileFromUpload(await readRaw(req, 50_000_000), String(req.headers["content-type"] ?? ""));
        if (options.recordRequests) responses.push({ path, body: { bytes: bytes.length }, at: Date.now() });
        const ok = workspace.upload(path.slice(8), bytes, req.headers["content-type"] ?? "");
        return send(res, ok ? 200 : 404, ok ? "OK - uploaded" : "file not found", "text/plain");
      }
      if (path.startsWith("/files-pri/") && req.method === "GET") return privateFile(req, res, path);
      if (path === "/signin" && req.method === "GET") {
        return send(res, 200, "<!doctype html><title>Sign in | Slack</title><h1>Sign in to Slack</h1>", "text/html");
      }
      if (path.startsWith("/files/") && req.method === "GET") {
        const file = workspace.files.get(path.slice(7));
        if (!file) return send(res, 404, { error: "file_not_found" });
        return send(res, 200, file.bytes, file.type || "application/octet-stream");
      }
      const origins = hosts().map((host) => `http://${host}`);
      if (console_ && (await console_.handle(req, res, url, origins))) return;
      send(res, 404, { ok: false, error: "not_found" });
    } catch (error) {
      log.error({ err: error, path }, "simulated Slack request failed");
      if (!res.headersSent) send(res, 500, { ok: false, error: "internal_error" });
    }
  });
  const listening = await serveLocally(server, options.port);
  baseUrl = listening.url;
  port = listening.port;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/`,
    workspace,
    oauth,
    requests,
    responses,
    refusals,
    faults,
    rateLimits,
    consoleToken: console_?.token,
    unreachable: listening.unreachable,
    reachable: listening.reachable,
    close: listening.close,
  };
}
