import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from "@slack/bolt";
import type { Logger as SlackLogger } from "@slack/logger";
import type { Config } from "./config.js";
import { registerRoutes } from "./http/index.js";
import type { SoftphoneOverride } from "./http/phone.js";
import { createRouter, HttpError, sendJson } from "./http/router.js";
import { type Clock, systemClock } from "./lib/clock.js";
import { createLogger, type Logger } from "./lib/log.js";
import { createTaskTracker } from "./lib/tasks.js";
import { registerSlackListeners } from "./listeners.js";
import { createServices, type Deps } from "./services/index.js";
import { applyMigrations, createDb, openReader, openWriter, sqlitePath } from "./services/store/db.js";
import { loadKeyring } from "./services/store/keyring.js";

export interface LeadlineOptions {
  clock?: Clock;
  log?: Logger;
  /** Twilio SDK request timeout; tests shorten it to exercise the reconcile path. */
  twilioTimeoutMs?: number;
  /** Backoff of the status poller and of the price lookups; tests shorten them. */
  pollDelaysMs?: number[];
  priceDelaysMs?: number[];
  /** The sandbox's stand-in for the Twilio Voice SDK on the softphone page; never set by main.ts. */
  softphone?: SoftphoneOverride;
}

export interface Leadline {
  deps: Deps;
  bolt: App;
  server: Server;
  start(): Promise<number>;
  stop(): Promise<void>;
}

function boltLogger(log: Logger): SlackLogger {
  const child = log.child({ component: "bolt" });
  let level = LogLevel.INFO;
  const join = (parts: unknown[]) =>
    parts.map((part) => (typeof part === "string" ? part : JSON.stringify(part))).join(" ");
  return {
    debug: (...msg) => child.debug(join(msg)),
    info: (...msg) => child.info(join(msg)),
    warn: (...msg) => child.warn(join(msg)),
    error: (...msg) => child.error(join(msg)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** Composition root: config → deps → Bolt → listeners → routes. Starting the process is main.ts's job. */
export async function createLeadline(config: Config, options: LeadlineOptions = {}): Promise<Leadline> {
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const clock = options.clock ?? systemClock;
  const databaseFile = sqlitePath(config.DATABASE_URL);
  const applied = applyMigrations(databaseFile);
  if (applied.length > 0) log.info({ migrations: applied }, "database migrated");
  const keyring = loadKeyring({
    currentKey: config.APP_ENCRYPTION_KEY,
    previousKey: config.APP_ENCRYPTION_KEY_PREVIOUS,
    production: config.NODE_ENV === "production",
    dataDir: dirname(databaseFile),
    log,
  });
  const db = await createDb(config.DATABASE_URL);
  const reader = openReader(databaseFile);
  const writer = openWriter(databaseFile);
  const tasks = createTaskTracker((error) => log.error({ err: error }, "background task failed"));

  const httpReceiver = config.SLACK_APP_TOKEN
    ? undefined
    : new HTTPReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET,
        endpoints: "/slack/events",
        logger: boltLogger(log),
      });
  const receiver =
    httpReceiver ?? new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN!, logger: boltLogger(log) });
  const bolt = new App({
    token: config.SLACK_BOT_TOKEN,
    receiver,
    logger: boltLogger(log),
    clientOptions: { slackApiUrl: config.SLACK_API_URL },
    // Leadline keeps its own state; Bolt's per-request conversation lookup would be wasted work.
    convoStore: false,
  });

  const deps = createServices({
    config,
    log,
    db,
    clock,
    keyring,
    tasks,
    slack: bolt.client,
    reader,
    writer,
    twilioTimeoutMs: options.twilioTimeoutMs,
    pollDelaysMs: options.pollDelaysMs,
    priceDelaysMs: options.priceDelaysMs,
  });
  registerSlackListeners(bolt, deps);

  const router = createRouter();
  registerRoutes(router, deps, options.softphone);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (httpReceiver && url.pathname === "/slack/events") {
      httpReceiver.requestListener(req, res);
      return;
    }
    const found = router.match(req.method ?? "GET", url.pathname);
    if (found === undefined) return sendJson(res, 404, { error: "not_found" });
    if (found === "method") return sendJson(res, 405, { error: "method_not_allowed" });
    Promise.resolve(found.handler({ req, res, params: found.params, url })).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (!res.headersSent) sendJson(res, error.status, error.body ?? { error: error.message });
        return;
      }
      log.error({ err: error, path: url.pathname }, "route failed");
      if (!res.headersSent) sendJson(res, 500, { error: "internal_error" });
    });
  });
  server.keepAliveTimeout = 5_000;

  let stopping: Promise<void> | undefined;
  return {
    deps,
    bolt,
    server,
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.PORT, () => resolve());
      });
      if (!httpReceiver) await bolt.start();
      await deps.startBackgroundWork();
      const port = (server.address() as AddressInfo).port;
      log.info({ port, mode: httpReceiver ? "http" : "socket" }, "Leadline is listening");
      return port;
    },
    stop() {
      stopping ??= (async () => {
        log.info("shutting down: no new requests, finishing the ones in flight");
        await deps.stopBackgroundWork();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (!httpReceiver) await bolt.stop().catch(() => {});
        await closed;
        await tasks.drain(10_000);
        await db.$disconnect();
        reader.close();
        writer.close();
        log.info("stopped");
      })();
      return stopping;
    },
  };
}

export { HttpError };
