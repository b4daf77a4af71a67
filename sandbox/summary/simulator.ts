import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createLogger, type Logger } from "../../src/lib/log.js";
import { parseMaybeJson, readRaw } from "../lib/http.js";
import { type OutageOptions, serveLocally } from "../lib/server.js";
import { type CompletionRequest, complete, type Fault, transcriptOf } from "./completions.js";
import type { InjectionStance } from "./model.js";

// An OpenAI-style chat-completions server (platform.openai.com/docs/api-reference/chat): bearer auth,
// POST /v1/chat/completions and GET /v1/models, errors as { error: { message, type, param, code } }
// (platform.openai.com/docs/guides/error-codes). What it answers is in completions.ts.

export interface SummaryRequest {
  at: number;
  method: string;
  path: string;
  body: unknown;
  /** The user messages' text: what the fake read as the transcript. */
  transcript: string;
  status: number | null;
  fault?: Fault["kind"];
}

export interface SummaryFakeOptions {
  port?: number;
  log?: Logger;
  /** The bearer token it accepts (default "sk-sandbox"). */
  apiKey?: string;
  models?: string[];
  /** The models' context window in tokens (a token is counted as four characters). */
  contextLength?: number;
  /** "Now", for turning "Tuesday at 5" into a date. */
  now?: () => Date;
  injection?: InjectionStance;
}

export interface SummaryFake {
  url: string;
  /** The base URL for the SDK: `new OpenAI({ baseURL: fake.baseURL, apiKey })`. */
  baseURL: string;
  apiKey: string;
  requests: SummaryRequest[];
  /** The next completions meet these faults, one each, in order. */
  script(...faults: Fault[]): void;
  /** Every completion meets this fault until it is set back to undefined. */
  always(fault: Fault | undefined): void;
  pending(): number;
  unreachable(options?: OutageOptions): Promise<void>;
  reachable(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_MODELS = ["gpt-4o-mini", "gpt-4.1-mini", "sandbox-summary"];

function openaiError(
  status: number,
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
) {
  return { status, body: { error: { message, type, param, code } } };
}

function write(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-request-id": `req_${randomBytes(12).toString("hex")}`,
    "openai-processing-ms": "12",
    ...headers,
  });
  res.end(JSON.stringify(body));
}

/** OpenAI never echoes a whole key: "Incorrect API key provided: sk-abc***wxyz". */
const masked = (key: string) => (key.length <= 8 ? "***" : `${key.slice(0, 3)}***${key.slice(-4)}`);

export async function startSummaryFake(options: SummaryFakeOptions = {}): Promise<SummaryFake> {
  const log = (options.log ?? createLogger("silent")).child({ component: "summary-fake" });
  const apiKey = options.apiKey ?? "sk-sandbox";
  const models = options.models ?? DEFAULT_MODELS;
  const queue: Fault[] = [];
  let standing: Fault | undefined;
  const requests: SummaryRequest[] = [];
  const created = Math.floor(Date.UTC(2024, 0, 1) / 1000);

  async function handle(req: IncomingMessage, res: ServerResponse, record: SummaryRequest) {
    const [scheme, token] = (req.headers.authorization ?? "").split(" ");
    if (scheme !== "Bearer" || !token) {
      const e = openaiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        "invalid_request_error",
      );
      return write(res, e.status, e.body);
    }
    if (token !== apiKey) {
      const e = openaiError(
        401,
        `Incorrect API key provided: ${masked(token)}.`,
        "invalid_request_error",
        "invalid_api_key",
      );
      return write(res, e.status, e.body);
    }
    if (record.method === "GET" && (record.path === "/v1/models" || record.path.startsWith("/v1/models/"))) {
      const list = models.map((id) => ({ id, object: "model", created, owned_by: "leadline-sandbox" }));
      if (record.path === "/v1/models") return write(res, 200, { object: "list", data: list });
      const id = decodeURIComponent(record.path.slice("/v1/models/".length));
      const model = list.find((m) => m.id === id);
      if (model) return write(res, 200, model);
      const e = openaiError(
        404,
        `The model '${id}' does not exist`,
        "invalid_request_error",
        "model_not_found",
        "model",
      );
      return write(res, e.status, e.body);
    }
    if (record.method !== "POST" || record.path !== "/v1/chat/completions") {
      const e = openaiError(404, `Invalid URL (${record.method} ${record.path})`, "invalid_request_error");
      return write(res, e.status, e.body);
    }
    const raw = (await readRaw(req, 10_000_000)).toString("utf8");
    const body = parseMaybeJson(raw);
    record.body = body;
    if (typeof body !== "object" || body === null) {
      const e = openaiError(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        "invalid_request_error",
      );
      return write(res, e.status, e.body);
    }
    const request = body as CompletionRequest;
    record.transcript = transcriptOf(request);
    const fault = queue.shift() ?? standing;
    record.fault = fault?.kind;
    const answer = await complete(request, fault, {
      models,
      contextLength: options.contextLength ?? 16_385,
      now: options.now?.() ?? new Date(),
      injection: options.injection ?? "obey",
    });
    if (res.destroyed) return;
    write(res, answer.status, answer.body, answer.headers);
  }

  const server = createServer((req, res) => {
    const record: SummaryRequest = {
      at: Date.now(),
      method: req.method ?? "GET",
      path: new URL(req.url ?? "/", "http://summary.local").pathname.replace(/\/+$/, ""),
      body: undefined,
      transcript: "",
      status: null,
    };
    requests.push(record);
    res.on("finish", () => {
      record.status = res.statusCode;
    });
    handle(req, res, record).catch((error: unknown) => {
      log.error({ err: error }, "the summary fake failed");
      if (!res.headersSent) {
        const e = openaiError(
          500,
          "The server had an error while processing your request. Sorry about that!",
          "server_error",
        );
        write(res, e.status, e.body);
      }
    });
  });
  const served = await serveLocally(server, options.port ?? 0);

  return {
    url: served.url,
    baseURL: `${served.url}/v1`,
    apiKey,
    requests,
    script: (...faults) => {
      queue.push(...faults);
    },
    always: (fault) => {
      standing = fault;
    },
    pending: () => queue.length,
    unreachable: (outage) => served.unreachable(outage),
    reachable: () => served.reachable(),
    close: () => served.close(),
  };
}
