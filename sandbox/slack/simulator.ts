import { createServer } from "node:http";
import { createLogger, type Logger } from "../../src/lib/log.js";
import { parseMaybeJson, readRaw, send } from "../lib/http.js";
import { type OutageOptions, serveLocally } from "../lib/server.js";
import { type ConsoleOptions, createConsole } from "./console.js";
import { SlackOAuth, type SlackOAuthApp, Workspace, type WorkspaceOptions } from "./workspace.js";

type Json = Record<string, unknown>;

/** One Web API call as it reached the simulator (recorded when `recordRequests` is on). */
export interface SlackCall {
  method: string;
  args: Json;
  token?: string;
  /** The team the token was issued for through OAuth (none for a token the simulator did not issue). */
  team?: string;
  at: number;
}

/** One POST to a response_url (the JSON body) or to an upload URL (`{ bytes }`). */
export interface SlackResponse {
  path: string;
  body: Json;
  at: number;
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
  faults: SlackFaults;
  /** The console page's per-run token, when the console is served. */
  consoleToken?: string;
  /** Connections are refused (or reset) until `reachable()` or for `forMs`. */
  unreachable(options?: OutageOptions): Promise<void>;
  reachable(): Promise<void>;
  close(): Promise<void>;
}

/** The Web API reads form bodies (with JSON-encoded objects inside) or JSON bodies, as Slack does. */
function parseArgs(raw: string, type: string): Json {
  if (raw.length === 0) return {};
  if (type.includes("application/json")) return JSON.parse(raw) as Json;
  const args: Json = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = /^[[{]/.test(value) ? (parseMaybeJson(value) ?? value) : value;
  }
  return args;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Methods Slack answers without a token: api.test, and oauth.v2.access (authenticated by the app's client id and secret). */
const TOKENLESS = new Set(["api.test", "oauth.v2.access"]);

/** client_id and client_secret sent the way Slack prefers: HTTP Basic authentication. */
function basicCredentials(header: string): { client_id: string; client_secret: string } | undefined {
  if (!header.startsWith("Basic ")) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { client_id: decoded.slice(0, colon), client_secret: decoded.slice(colon + 1) };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

/**
 * A simulated Slack on 127.0.0.1: the Web API Leadline reaches through SLACK_API_URL, response_url
 * and file upload endpoints, fault injection, and (for the sandbox) the console page. The sandbox
 * and the tests both use it.
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
  const faults: SlackFaults = { delays: new Map(), failNext: new Map(), ...options.faults };
  const console_ = options.console ? createConsole(options.console, workspace, log) : undefined;
  let port = 0;
  // Only this machine's names for the server: a page on another site cannot reach it by DNS rebinding.
  const hosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];

  async function webApi(method: string, args: Json, token: string | undefined): Promise<Json> {
    const team = token ? oauth.tokens.get(token)?.team.id : undefined;
    if (options.recordRequests) requests.push({ method, args, token, ...(team ? { team } : {}), at: Date.now() });
    const delay = faults.delays.get(method) ?? faults.delays.get("*") ?? 0;
    if (delay > 0) await sleep(delay);
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
    return workspace.call(method, args, known?.issued.team);
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
        return send(res, 200, await webApi(path.slice(5), client ? { ...args, ...client } : args, token));
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
        const answer = workspace.respond(path.slice(10), body);
        return send(res, answer.ok ? 200 : 404, answer.ok ? "ok" : answer.error, "text/plain");
      }
      if (path.startsWith("/upload/") && req.method === "POST") {
        // Slack takes the file as the raw body or as multipart form data (what @slack/web-api sends).
        const bytes = fileFromUpload(await readRaw(req, 50_000_000), String(req.headers["content-type"] ?? ""));
        if (options.recordRequests) responses.push({ path, body: { bytes: bytes.length }, at: Date.now() });
        const ok = workspace.upload(path.slice(8), bytes, req.headers["content-type"] ?? "");
        return send(res, ok ? 200 : 404, ok ? "OK - uploaded" : "file not found", "text/plain");
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
    faults,
    consoleToken: console_?.token,
    unreachable: listening.unreachable,
    reachable: listening.reachable,
    close: listening.close,
  };
}

/** The file in an upload request: the body itself, or the part with a filename of a multipart body. */
export function fileFromUpload(body: Buffer, contentType: string): Buffer {
  const boundary = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return body;
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length, next);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd >= 0 && /filename=/i.test(part.subarray(0, headerEnd).toString("latin1"))) {
      // The part's content ends with the CRLF before the next delimiter.
      return part.subarray(headerEnd + 4, part.length - 2);
    }
    start = next;
  }
  return body;
}
