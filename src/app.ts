import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, resolve } from "node:path";
import { App, LogLevel, type Receiver, SocketModeReceiver } from "@slack/bolt";
import type { Logger as SlackLogger } from "@slack/logger";
import type { Config } from "./config.js";
import { type Container, createContainer } from "./container/index.js";
import { createCountingServer } from "./http/counting-server.js";
import { registerRoutes } from "./http/index.js";
import type { SoftphoneOverride } from "./http/phone.js";
import { createRouter, HttpError, handleRequest } from "./http/router.js";
import { createSlackEventsReceiver } from "./http/slack-events.js";
import { registerSlackOAuth } from "./http/slack-oauth.js";
import { clockOf, systemClock } from "./lib/clock.js";
import { createLogger, type Logger } from "./lib/log.js";
import { pick } from "./lib/pick.js";
import { createTaskTracker } from "./lib/tasks.js";
import { registerSlackListeners } from "./listeners/index.js";
import type { CrmProviderModule } from "./services/crm/connector.js";
import { createSlackHealth, type SlackTokenRejected } from "./services/slack/identity.js";
import { slackClient } from "./services/slack/messengers.js";
import { type DatabaseHandle, openDatabase } from "./services/store/db.js";
import { EncryptionKeyMissing, loadKeyring } from "./services/store/keyring.js";
import type { Workspaces } from "./services/workspaces/workspace-service.js";

export interface LeadlineOptions {
  /** How long stop() waits for requests in flight before it closes every connection (30 s by default). */
  stopGraceMs?: number;
  /** Real time (leases, timeouts, stored times); the system's by default. */
  clock?: () => Date;
  /** The time calling hours are judged at: the sandbox's "pretend it is" control, a fixed time in tests. */
  callingClock?: () => Date;
  /** Lease lengths for a call's poller and its post's editor (tests shorten them). */
  pollLeaseMs?: number;
  postLeaseMs?: number;
  /** The scheduler's claim lease and node-cron expression (tests shorten them). */
  scheduleLeaseMs?: number;
  scheduleEvery?: string;
  /** The transcript tick's node-cron expression (tests call tick() themselves). */
  transcriptEvery?: string;
  /** How long after asking Twilio for a transcript it is asked about again (the sandbox scales it to its pace). */
  transcriptPollMs?: number;
  /** The CRM outbox's lease, first retry wait, tick and request timeout (tests shorten them). */
  crmLeaseMs?: number;
  crmBackoffMs?: number;
  crmEvery?: string;
  crmTimeoutMs?: number;
  /**
   * The CRMs that can be connected: the registry (services/crm/providers.ts) by default. Their settings
   * must have been read by `loadConfig(env, sameList)`. Tests add a fake adapter this way.
   */
  crmProviders?: readonly CrmProviderModule[];
  /** Test-only: called at named points of placing a call (the kill -9 tests stop the process there). */
  crashPoint?: (point: string) => void;
  log?: Logger;
  /** Twilio SDK request timeout; tests shorten it to exercise the reconcile path. */
  twilioTimeoutMs?: number;
  /** Backoff of the status poller and of the price lookups; tests shorten them. */
  pollDelaysMs?: number[];
  priceDelaysMs?: number[];
  /** How often the call sweep runs (settling calls a crash or a lost callback left open); tests shorten it. */
  sweepIntervalMs?: number;
  /**
   * How old a call row without Twilio's answer is before the sweep settles it with Twilio, and how long a
   * live call heard nothing before the sweep asks Twilio about it (the kill -9 tests shorten them).
   */
  sweepUnsettledMs?: number;
  sweepQuietMs?: number;
  /** Between two inbound texts posted to one channel (Slack allows about one a second); tests shorten it. */
  textPaceMs?: number;
  /** The text outbox's claim on rows it is posting (renewed while it posts); tests shorten it. */
  textLeaseMs?: number;
  /** How long a queue's auto-advance wait of `ms` really lasts (tests shorten it). */
  queueAutoAdvanceScale?: (ms: number) => number;
  /** The sandbox's stand-in for the Twilio Voice SDK on the softphone page; never set by main.ts. */
  softphone?: SoftphoneOverride;
  /** The interface to listen on (default: all, as a server behind a proxy does; the sandbox uses 127.0.0.1). */
  host?: string;
  /** Called when something found after start means the app cannot go on (a Slack token rejected later). */
  onFatal?: (error: SlackTokenRejected) => void;
}

export interface Leadline {
  /** Every service; tests read stored state through it (`deps.db`). */
  deps: Container;
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
  // The Web API client's debug lines quote whole requests and answers: messages, summaries, a call's
  // words. Only that they happened is logged.
  const quoting = /^http request (body|result): /;
  return {
    debug: (...msg) => {
      const line = join(msg);
      child.debug(quoting.test(line) ? line.replace(/^(http request \w+): [\s\S]*$/, "$1: [not logged]") : line);
    },
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

/** The encryption keys; a missing or wrong one stops the start with the database closed. */
async function openKeyring(config: Config, database: DatabaseHandle, log: Logger) {
  try {
    return loadKeyring({
      currentKey: config.APP_ENCRYPTION_KEY,
      previousKey: config.APP_ENCRYPTION_KEY_PREVIOUS,
      production: config.NODE_ENV === "production",
      dataDir: database.sqlite ? dirname(database.sqlite.file) : resolve(process.cwd(), "data"),
      log,
    });
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * Single-workspace mode checks SLACK_BOT_TOKEN with auth.test; multi-workspace mode checks that Slack
 * answers at all (api.test). The first answer also names the single workspace.
 */
function slackHealthFor(config: Config, log: Logger, slackLog: SlackLogger, workspaces: Workspaces) {
  const oauth = Boolean(config.SLACK_CLIENT_ID);
  return createSlackHealth({
    // The check backs off on its own (1 s, 2 s, 5 s, 10 s, 30 s): one request per check, no client retries.
    client: slackClient(config.SLACK_BOT_TOKEN, config.SLACK_API_URL, slackLog, 0),
    log,
    variable: "SLACK_BOT_TOKEN",
    apiUrl: config.SLACK_API_URL,
    tokenless: oauth,
    onIdentity: oauth
      ? undefined
      : (identity) =>
          workspaces
            .startSingle(
              { teamId: identity.teamId, enterpriseId: identity.enterpriseId ?? "" },
              { name: identity.teamName, botUserId: identity.botUserId, botId: identity.botId },
            )
            .then(() => undefined),
  });
}

/**
 * Bolt, with every request authorized from Leadline's own records: the workspace it belongs to (a
 * tenant) and its bot token. No auth.test per request: an unreachable Slack never turns a signed
 * request into an error, and an uninstalled workspace is refused.
 */
function createBolt(config: Config, receiver: Receiver, slackLog: SlackLogger, workspaces: Workspaces): App {
  const oauth = Boolean(config.SLACK_CLIENT_ID);
  return new App({
    receiver,
    logger: slackLog,
    clientOptions: { slackApiUrl: config.SLACK_API_URL },
    authorize: async (source) => {
      if (!oauth && !(await workspaces.resolve({}))) {
        // Slack was unreachable at start: the first signed request names the workspace instead.
        await workspaces.startSingle({ teamId: source.teamId ?? "", enterpriseId: source.enterpriseId ?? "" }, {});
      }
      const workspace = await workspaces.resolve(source);
      if (!workspace)
        throw new Error(`Leadline is not installed in ${source.enterpriseId ?? ""}/${source.teamId ?? ""}`);
      return {
        botToken: workspace.botToken,
        botId: workspace.botId,
        botUserId: workspace.botUserId,
        teamId: source.teamId,
        enterpriseId: source.enterpriseId,
        workspaceId: workspace.id,
      };
    },
    // Leadline keeps its own state; Bolt's per-request conversation lookup would be wasted work.
    convoStore: false,
  });
}

/** Composition root: config → deps → Bolt → listeners → routes. Starting the process is main.ts's job. */
export async function createLeadline(config: Config, options: LeadlineOptions = {}): Promise<Leadline> {
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const clock =
    options.clock || options.callingClock
      ? clockOf(options.clock ?? (() => new Date()), options.callingClock ?? options.clock)
      : systemClock;
  const { database, migrated } = await openDatabase(config.DATABASE_URL);
  if (migrated.length > 0) log.info({ migrations: migrated, database: database.where }, "database migrated");
  const keyring = await openKeyring(config, database, log);
  const tasks = createTaskTracker((error) => log.error({ err: error }, "background task failed"));
  const oauth = Boolean(config.SLACK_CLIENT_ID);

  const slackLog = boltLogger(log);
  const eventsReceiver = config.SLACK_APP_TOKEN
    ? undefined
    : createSlackEventsReceiver({ signingSecret: config.SLACK_SIGNING_SECRET, log, now: () => clock.now().getTime() });
  const receiver = eventsReceiver ?? new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN!, logger: slackLog });

  const deps = createContainer({
    config,
    log,
    slackLog,
    database,
    clock,
    keyring,
    tasks,
    twilioTimeoutMs: options.twilioTimeoutMs,
    pollDelaysMs: options.pollDelaysMs,
    priceDelaysMs: options.priceDelaysMs,
    sweepIntervalMs: options.sweepIntervalMs,
    sweepUnsettledMs: options.sweepUnsettledMs,
    sweepQuietMs: options.sweepQuietMs,
    pollLeaseMs: options.pollLeaseMs,
    postLeaseMs: options.postLeaseMs,
    scheduleLeaseMs: options.scheduleLeaseMs,
    scheduleEvery: options.scheduleEvery,
    transcriptEvery: options.transcriptEvery,
    transcriptPollMs: options.transcriptPollMs,
    textPaceMs: options.textPaceMs,
    textLeaseMs: options.textLeaseMs,
    queueAutoAdvanceScale: options.queueAutoAdvanceScale,
    crmLeaseMs: options.crmLeaseMs,
    crmBackoffMs: options.crmBackoffMs,
    crmEvery: options.crmEvery,
    crmTimeoutMs: options.crmTimeoutMs,
    crmProviders: options.crmProviders,
    crashPoint: options.crashPoint,
  });

  const slackHealth = slackHealthFor(config, log, slackLog, deps.workspaces);

  const bolt = createBolt(config, receiver, slackLog, deps.workspaces);
  registerSlackListeners(bolt, deps);

  // Every stored secret must open with the keys given; a wrong key stops here, not at the first call.
  const secretsCheck = await deps.secrets.check();
  if (secretsCheck.missingKeyIds.length > 0) {
    await database.close();
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
  if (oauth) registerSlackOAuth(router, pick(deps, "workspaces", "log", "oauthStates"), config, slackLog);
  registerRoutes(router, deps, { slackReachable: () => slackHealth.reachable(), softphone: options.softphone });

  const { server, requestsDone } = createCountingServer((req, res) => handleRequest(router, log, req, res));
  // Longer than the 60 s idle timeout of common load balancers: a proxy never reuses a connection
  // Leadline has just closed (the client sees ECONNRESET when that happens).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

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
        await requestsDone(options.stopGraceMs ?? 30_000);
        // A keep-alive connection with no answer owed (a client left its last body unread, or is still
        // sending one) is not idle to Node and would hold close() for its request timeout (5 minutes).
        server.closeAllConnections();
        await closed;
        await tasks.drain(10_000);
        await database.close();
        log.info("stopped");
      })();
      return stopping;
    },
  };
}

export { HttpError };
