import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { App, LogLevel, SocketModeReceiver } from "@slack/bolt";
import type { Logger as SlackLogger } from "@slack/logger";
import { WebClient } from "@slack/web-api";
import type { Config } from "./config.js";
import { createServices, type Deps } from "./deps.js";
import { registerRoutes } from "./http/index.js";
import type { SoftphoneOverride } from "./http/phone.js";
import { createRouter, HttpError, handleRequest } from "./http/router.js";
import { createSlackEventsReceiver } from "./http/slack-events.js";
import { type Clock, systemClock } from "./lib/clock.js";
import { createLogger, type Logger } from "./lib/log.js";
import { createTaskTracker } from "./lib/tasks.js";
import { registerSlackListeners } from "./listeners.js";
import { createSlackHealth, type SlackTokenRejected } from "./services/slack/identity.js";
import { applyMigrations, createDb, openReader, openWriter, sqlitePath } from "./services/store/db.js";
import { EncryptionKeyMissing, loadKeyring } from "./services/store/keyring.js";

export interface LeadlineOptions {
  clock?: Clock;
  log?: Logger;
  /** Twilio SDK request timeout; tests shorten it to exercise the reconcile path. */
  twilioTimeoutMs?: number;
  /** Backoff of the status poller and of the price lookups; tests shorten them. */
  pollDelaysMs?: number[];
  priceDelaysMs?: number[];
  /** How often the call sweep runs (settling calls a crash or a lost callback left open); tests shorten it. */
  sweepIntervalMs?: number;
  /** The sandbox's stand-in for the Twilio Voice SDK on the softphone page; never set by main.ts. */
  softphone?: SoftphoneOverride;
  /** The interface to listen on (default: all, as a server behind a proxy does; the sandbox uses 127.0.0.1). */
  host?: string;
  /** Called when something found after start means the app cannot go on (a Slack token rejected later). */
  onFatal?: (error: SlackTokenRejected) => void;
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

  const slackLog = boltLogger(log);
  const eventsReceiver = config.SLACK_APP_TOKEN
    ? undefined
    : createSlackEventsReceiver({ signingSecret: config.SLACK_SIGNING_SECRET, log, now: () => clock().getTime() });
  const receiver = eventsReceiver ?? new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN!, logger: slackLog });
  // Background work (call lines, recordings, lead cards) posts with this client; listeners get Bolt's.
  const slackClient = new WebClient(config.SLACK_BOT_TOKEN, {
    slackApiUrl: config.SLACK_API_URL,
    logger: slackLog,
    timeout: 10_000,
    // Network failures are retried a little; a post whose answer was lost could otherwise repeat for minutes.
    retryConfig: { retries: 2, factor: 2, minTimeout: 500 },
  });
  const slackHealth = createSlackHealth({
    client: slackClient,
    log,
    variable: "SLACK_BOT_TOKEN",
    apiUrl: config.SLACK_API_URL,
  });
  const bolt = new App({
    receiver,
    logger: slackLog,
    clientOptions: { slackApiUrl: config.SLACK_API_URL },
    // No auth.test per request or at construction: the token is checked once at start (createSlackHealth),
    // so an unreachable Slack never turns a signed request into an error.
    authorize: async () => {
      const identity = slackHealth.identity();
      return {
        botToken: config.SLACK_BOT_TOKEN,
        teamId: identity?.teamId,
        botUserId: identity?.botUserId,
        botId: identity?.botId,
      };
    },
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
    slackClient,
    reader,
    writer,
    twilioTimeoutMs: options.twilioTimeoutMs,
    pollDelaysMs: options.pollDelaysMs,
    priceDelaysMs: options.priceDelaysMs,
    sweepIntervalMs: options.sweepIntervalMs,
  });
  registerSlackListeners(bolt, deps);

  // Every stored secret must open with the keys given; a wrong key stops here, not at the first call.
  const secretsCheck = await deps.secrets.check();
  if (secretsCheck.missingKeyIds.length > 0) {
    await db.$disconnect();
    reader.close();
    writer.close();
    throw new EncryptionKeyMissing(secretsCheck.missingKeyIds, keyring);
  }
  if (secretsCheck.unreadable.length > 0) {
    log.error(
      { secrets: secretsCheck.unreadable },
      "stored secrets fail authentication (altered in the database?); they count as missing until an admin re-enters them in /twilio-setup",
    );
  }

  const router = createRouter();
  eventsReceiver?.register(router);
  registerRoutes(router, deps, { slackReachable: () => slackHealth.reachable(), softphone: options.softphone });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handleRequest(router, log, req, res);
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
        server.listen(config.PORT, options.host, () => resolve());
      });
      try {
        await slackHealth.start((error) => options.onFatal?.(error));
      } catch (error) {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        throw error;
      }
      if (!eventsReceiver) await bolt.start();
      await deps.startBackgroundWork();
      const port = (server.address() as AddressInfo).port;
      log.info({ port, mode: eventsReceiver ? "http" : "socket" }, "Leadline is listening");
      return port;
    },
    stop() {
      stopping ??= (async () => {
        log.info("shutting down: no new requests, finishing the ones in flight");
        slackHealth.stop();
        await deps.stopBackgroundWork();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (!eventsReceiver) await bolt.stop().catch(() => {});
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
