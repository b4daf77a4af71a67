import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createLogger, type Logger } from "../../src/lib/log.js";
import { parseMaybeJson, readRaw } from "../lib/http.js";
import { type OutageOptions, serveLocally } from "../lib/server.js";
import { type Fault, FaultPlan, type RandomFaults } from "./faults.js";
import {
  type ContextLimits,
  contextOf,
  REGISTERED_LIMITS,
  RetryAfterLedger,
  rateLimitHeaders,
  SlidingWindow,
  UNREGISTERED_LIMITS,
  type Verdict,
} from "./rate-limit.js";
import { activityRoutes } from "./routes-activity.js";
import { peopleRoutes } from "./routes-people.js";
import { type Answer, type Ctx, fail, matchRoute, type Route } from "./routing.js";
import { type FubPerson, FubStore, type FubSystem, type FubUser, type PersonInput } from "./store.js";
import { type Delivery, type EmitOptions, WebhookEmitter } from "./webhooks.js";

// A Follow Up Boss API server for tests and the sandbox: HTTP Basic auth with the API key as user
// name (reference/authentication), X-System/X-System-Key identification (reference/identification),
// FUB's rate limits (rate-limit.ts), scripted faults (faults.ts) and a webhook emitter (webhooks.ts).
// README.md lists the sources and what the simulator chose where FUB's pages are silent.

/** One API request as it reached the simulator. */
export interface FubRequest {
  at: number;
  method: string;
  path: string;
  query: string;
  /** "METHOD /route", the name faults are scripted against; the path when no route matched. */
  op: string;
  body: unknown;
  userId: number | null;
  /** The X-System header as sent, and whether it and its key matched a registered system. */
  system: string | null;
  registered: boolean;
  /** The answer's status; null when the connection was dropped. */
  status: number | null;
  /** How many milliseconds before a Retry-After the simulator gave this key ran out it came (0: not early). */
  earlyByMs: number;
  fault?: Fault["kind"];
}

export interface FubSimulatorOptions {
  port?: number;
  log?: Logger;
  systems?: FubSystem[];
  /** Per-context limits in the sliding 10-second window, with and without a registered system. */
  limits?: { registered?: ContextLimits; unregistered?: ContextLimits };
  /** Post webhooks (peopleCreated, callsCreated…) whenever the API or a helper changes something (default true). */
  autoEmit?: boolean;
  /** How long a webhook receiver has to answer (FUB: 10 seconds). */
  webhookTimeoutMs?: number;
  /** Lead sources whose lead flow is archived: POST /v1/events answers 204 for them. */
  archivedSources?: string[];
  randomFaults?: RandomFaults;
  /** Milliseconds since the epoch, for the rate-limit window and Retry-After (tests pass a fake one). */
  clock?: () => number;
}

export interface FubSimulator {
  url: string;
  store: FubStore;
  people: Map<number, FubPerson>;
  calls: FubStore["calls"];
  texts: FubStore["texts"];
  events: FubStore["events"];
  webhooks: FubStore["webhooks"];
  requests: FubRequest[];
  /** Requests that came before the Retry-After the simulator had given their key ran out. */
  earlyRequests(): FubRequest[];
  deliveries: Delivery[];
  faults: FaultPlan;
  addSystem(system: FubSystem): FubSystem;
  addUser(input: Partial<FubUser> & { email: string }): FubUser;
  /** A person created "in FUB" (by someone in the app): peopleCreated goes out when autoEmit is on. */
  addPerson(input: PersonInput): FubPerson;
  updatePerson(id: number, patch: PersonInput): FubPerson;
  emit(event: string, resourceIds: number[], options?: EmitOptions): Promise<Delivery[]>;
  replay(delivery: Delivery): Promise<Delivery>;
  /** Calls `listener` after every change to FUB's records (people, calls, texts…); returns how to stop. */
  onChange(listener: (event: string, ids: number[]) => void): () => void;
  /** Resolves when every webhook sent so far has been answered. */
  settled(): Promise<void>;
  resetRateLimits(): void;
  unreachable(options?: OutageOptions): Promise<void>;
  reachable(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function apiKeyOf(req: IncomingMessage): string | undefined {
  const [scheme, encoded] = (req.headers.authorization ?? "").split(" ");
  if (scheme?.toLowerCase() !== "basic" || !encoded) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  // The key is the user name; the password is ignored ("leave the password blank (or … any value").
  return (colon < 0 ? decoded : decoded.slice(0, colon)) || undefined;
}

function write(res: ServerResponse, answer: Answer, headers: Record<string, string> = {}): void {
  const body = answer.body === undefined ? "" : JSON.stringify(answer.body);
  res.writeHead(answer.status, { ...headers, ...(body ? { "content-type": "application/json; charset=utf-8" } : {}) });
  res.end(body);
}

export async function startFubSimulator(options: FubSimulatorOptions = {}): Promise<FubSimulator> {
  const log = (options.log ?? createLogger("silent")).child({ component: "fub-simulator" });
  const store = new FubStore();
  for (const system of options.systems ?? []) store.systems.set(system.name, system);
  const routes: Route[] = [...peopleRoutes(options), ...activityRoutes()];
  const limits = {
    registered: { ...REGISTERED_LIMITS, ...options.limits?.registered },
    unregistered: { ...UNREGISTERED_LIMITS, ...options.limits?.unregistered },
  };
  const clock = options.clock ?? Date.now;
  const window = new SlidingWindow(clock);
  const ledger = new RetryAfterLedger(clock);
  const faults = new FaultPlan();
  faults.randomly(options.randomFaults);
  const requests: FubRequest[] = [];
  let url = "";
  const emitter = new WebhookEmitter(store, () => url, options.webhookTimeoutMs);
  const listeners = new Set<(event: string, ids: number[]) => void>();
  const changed = (event: string, ids: number[]) => {
    for (const listener of listeners) listener(event, ids);
    if (options.autoEmit ?? true) void emitter.emit(event, ids);
  };

  async function handle(req: IncomingMessage, res: ServerResponse, record: FubRequest) {
    const raw = (await readRaw(req)).toString("utf8");
    record.body = raw ? (parseMaybeJson(raw) ?? raw) : undefined;
    const apiKey = apiKeyOf(req);
    const user = apiKey === undefined ? undefined : store.userByKey(apiKey);
    // Identification is recorded before the key is judged, so a refused request still shows what it sent.
    const systemName = req.headers["x-system"];
    const registered = typeof systemName === "string" ? store.systems.get(systemName) : undefined;
    const system = registered && registered.key === req.headers["x-system-key"] ? registered : undefined;
    record.registered = system !== undefined;
    if (!user) return write(res, fail(401, "Missing or invalid user API key."));
    record.userId = user.id;

    record.earlyByMs = ledger.earlyBy(apiKey!);
    const context = contextOf(record.method, record.path);
    const verdict = window.take(apiKey!, context, (system ? limits.registered : limits.unregistered)[context] ?? null);
    const tooMany = (v: Verdict) => {
      ledger.told(apiKey!, v.retryAfter);
      write(
        res,
        fail(429, "Too many requests. Wait for Retry-After seconds before sending another."),
        rateLimitHeaders(v),
      );
    };
    if (!verdict.allowed) return tooMany(verdict);
    const headers = rateLimitHeaders(verdict);

    const match = matchRoute(routes, record.method, record.path);
    if (!match) return write(res, fail(404, `No such endpoint: ${record.method} ${record.path}.`), headers);
    record.op = `${record.method} ${match.route.pattern}`;
    if (match.route.registeredOnly && !system) {
      return write(res, fail(403, "Only registered systems can call this endpoint."), headers);
    }
    const ctx: Ctx = { ...record, query: new URLSearchParams(record.query), user, system, store, apiUrl: url, changed };
    const run = () => {
      try {
        return match.route.handle(ctx, match.params);
      } catch (error) {
        log.error({ err: error, op: record.op }, "simulated FUB failed");
        return fail(500, "Internal Server Error");
      }
    };

    const fault = faults.next(record.op);
    record.fault = fault?.kind;
    if (!fault) return write(res, run(), headers);
    switch (fault.kind) {
      case "rate-limit":
        return tooMany({ ...verdict, allowed: false, remaining: 0, retryAfter: fault.retryAfter ?? 1 });
      case "server-error":
        if (fault.applied) run();
        return write(res, fail(fault.status ?? 500, "The server could not process the request."), headers);
      case "slow": {
        const answer = fault.applied === false ? undefined : run();
        await sleep(fault.ms);
        if (res.destroyed) return;
        return write(res, answer ?? run(), headers);
      }
      case "drop":
        if (fault.applied) run();
        record.status = null;
        req.socket.destroy();
        return;
    }
  }

  const server = createServer((req, res) => {
    const target = new URL(req.url ?? "/", "http://fub.local");
    const record: FubRequest = {
      at: clock(),
      method: req.method ?? "GET",
      path: target.pathname.replace(/\/+$/, "") || "/",
      query: target.search.slice(1),
      op: `${req.method} ${target.pathname}`,
      body: undefined,
      userId: null,
      system: typeof req.headers["x-system"] === "string" ? req.headers["x-system"] : null,
      registered: false,
      status: null,
      earlyByMs: 0,
    };
    requests.push(record);
    res.on("finish", () => {
      record.status = res.statusCode;
    });
    handle(req, res, record).catch((error: unknown) => {
      log.error({ err: error }, "simulated FUB could not answer");
      if (!res.headersSent && !res.destroyed) write(res, fail(400, "The request could not be read."));
    });
  });
  const served = await serveLocally(server, options.port ?? 0);
  url = served.url;

  return {
    url,
    store,
    people: store.people,
    calls: store.calls,
    texts: store.texts,
    events: store.events,
    webhooks: store.webhooks,
    requests,
    earlyRequests: () => requests.filter((r) => r.earlyByMs > 0),
    deliveries: emitter.deliveries,
    faults,
    addSystem(system) {
      store.systems.set(system.name, system);
      return system;
    },
    addUser: (input) => store.addUser(input),
    addPerson(input) {
      const person = store.createPerson(input);
      changed("peopleCreated", [person.id]);
      return person;
    },
    updatePerson(id, patch) {
      const person = store.people.get(id);
      if (!person) throw new Error(`no person ${id}`);
      store.updatePerson(person, patch);
      changed("peopleUpdated", [id]);
      return person;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (event, ids, emitOptions) => emitter.emit(event, ids, emitOptions),
    replay: (delivery) => emitter.replay(delivery),
    settled: () => emitter.settled(),
    resetRateLimits: () => window.reset(),
    unreachable: (outage) => served.unreachable(outage),
    reachable: () => served.reachable(),
    async close() {
      await emitter.settled();
      await served.close();
    },
  };
}
