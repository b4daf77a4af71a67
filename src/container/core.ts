import type { Logger as SlackLogger } from "@slack/logger";
import type { Config } from "../config.js";
import type { Clock } from "../lib/clock.js";
import { createEventBus, type EventBus } from "../lib/events.js";
import type { Logger } from "../lib/log.js";
import type { TaskTracker } from "../lib/tasks.js";
import { type AuditService, createAuditService } from "../services/audit/audit-store.js";
import type { CrmProviderModule } from "../services/crm/connector.js";
import { type AdminGate, createAdminGate } from "../services/setup/admin-gate.js";
import { createAdminService } from "../services/setup/admins.js";
import { createSettingsService, type SettingsService } from "../services/setup/settings.js";
import { createSettingsStore } from "../services/setup/settings-store.js";
import type { SlackMessenger } from "../services/slack/messenger.js";
import { createSlackMessengers, type SlackMessengers } from "../services/slack/messengers.js";
import { refreshBotToken } from "../services/slack/oauth.js";
import { type DatabaseHandle, type DatabaseHealth, type Db, pingDatabase } from "../services/store/db.js";
import type { Keyring } from "../services/store/keyring.js";
import { createSecretStore, type SecretStore } from "../services/store/secrets.js";
import { createTwilioClientFactory, type TwilioClientFactory } from "../services/twilio/client.js";
import { createRecordingDownload, type RecordingDownload } from "../services/twilio/recording-audio.js";
import { createTwilioFor, type TwilioFor } from "../services/twilio/workspace-twilio.js";
import { createOAuthStateStore, type OAuthStateStore } from "../services/workspaces/oauth-state-store.js";
import { createWorkspaces, type Workspaces } from "../services/workspaces/workspace-service.js";
import { createWorkspaceStore, settingsVersionReader } from "../services/workspaces/workspace-store.js";

/** What the container is built from: the process's config, log, clock and database (app.ts opens them). */
export interface ContainerInputs {
  config: Config;
  log: Logger;
  slackLog: SlackLogger;
  database: DatabaseHandle;
  clock: Clock;
  keyring: Keyring;
  tasks: TaskTracker;
  twilioTimeoutMs?: number;
  pollDelaysMs?: number[];
  priceDelaysMs?: number[];
  sweepIntervalMs?: number;
  /** When the call sweep settles a call row left without Twilio's answer, and asks about a quiet live call (tests shorten them). */
  sweepUnsettledMs?: number;
  sweepQuietMs?: number;
  /** Lease lengths (tests shorten them to watch an instance take over from a dead one). */
  pollLeaseMs?: number;
  postLeaseMs?: number;
  /** The scheduler's claim lease and cron expression (tests shorten them). */
  scheduleLeaseMs?: number;
  scheduleEvery?: string;
  /** The transcript tick's cron expression (tests call tick() themselves). */
  transcriptEvery?: string;
  transcriptPollMs?: number;
  /** Between two inbound texts posted to one channel; tests shorten it. */
  textPaceMs?: number;
  /** The text outbox's claim lease; tests shorten it. */
  textLeaseMs?: number;
  /** How long a queue's auto-advance wait of `ms` really lasts (tests shorten it). */
  queueAutoAdvanceScale?: (ms: number) => number;
  /** The CRM outbox's claim lease, first retry wait, tick, and request timeout (tests shorten them). */
  crmLeaseMs?: number;
  crmBackoffMs?: number;
  crmEvery?: string;
  crmTimeoutMs?: number;
  /** The CRMs that can be connected (the registry, services/crm/providers.ts, unless a test adds one). */
  crmProviders?: readonly CrmProviderModule[];
  /** Test-only: called at named points of placing a call; the kill -9 tests stop the process there. */
  crashPoint?: (point: string) => void;
}

/** The parts every domain uses: tenants, secrets, settings, admins, Slack and Twilio access, events. */
export interface Core {
  config: Config;
  log: Logger;
  clock: Clock;
  tasks: TaskTracker;
  events: EventBus;
  database: DatabaseHandle;
  /** The ORM client: for tests and operator scripts that read what was stored; no listener or route gets it. */
  db: Db;
  keyring: Keyring;
  secrets: SecretStore;
  audit: AuditService;
  workspaces: Workspaces;
  messengers: SlackMessengers;
  /** The Slack adapter for a workspace (its own bot token). */
  slackFor(ws: number): Promise<SlackMessenger>;
  settings: SettingsService;
  admins: AdminGate;
  /** A Twilio client for given credentials (the setup check only). */
  twilioClients: TwilioClientFactory;
  /** The one way to a workspace's Twilio (settings → credentials → client). */
  twilioFor: TwilioFor;
  recordingDownload: RecordingDownload;
  /** Slack OAuth install states already used (many-workspace mode): each works once. */
  oauthStates: OAuthStateStore;
  /** The health probe's question to the database: does it answer, and take a write? */
  databaseHealth(): Promise<DatabaseHealth>;
}

export function createCore(inputs: ContainerInputs): Core {
  const { config, log, database, clock, keyring, tasks } = inputs;
  const db = database.prisma;
  const oauth = Boolean(config.SLACK_CLIENT_ID);
  const secrets = createSecretStore({ db, keyring, clock });
  const audit = createAuditService({ db });
  const workspaces = createWorkspaces({
    store: createWorkspaceStore({ db, secrets }),
    secrets,
    mode: oauth ? "oauth" : "single",
    singleToken: config.SLACK_BOT_TOKEN,
    singleLeadsToken: config.LEADS_API_TOKEN,
    refresh: oauth
      ? (refreshToken) =>
          refreshBotToken({
            apiUrl: config.SLACK_API_URL,
            clientId: config.SLACK_CLIENT_ID!,
            clientSecret: config.SLACK_CLIENT_SECRET!,
            refreshToken,
            now: clock.now,
          })
      : undefined,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    clock,
    log,
    audit,
  });
  const messengers = createSlackMessengers({
    workspaces,
    apiUrl: config.SLACK_API_URL,
    log,
    slackLog: inputs.slackLog,
  });
  const slackFor = (ws: number) => messengers.for(ws);
  const settings = createSettingsService({
    store: createSettingsStore(db),
    secrets,
    readVersion: settingsVersionReader(database),
  });
  const admins = createAdminGate({
    admins: createAdminService({
      // In OAuth mode every workspace has its own admins: Slack's admins and owners of each.
      adminIds: oauth ? undefined : config.ADMIN_SLACK_USER_IDS,
      slackUser: async (ws, userId) => (await slackFor(ws)).user(userId),
    }),
    audit,
  });
  const twilioClients = createTwilioClientFactory({ apiUrl: config.TWILIO_API_URL, timeoutMs: inputs.twilioTimeoutMs });
  const twilioFor = createTwilioFor({ settings, clients: twilioClients });
  return {
    config,
    log,
    clock,
    tasks,
    events: createEventBus(tasks),
    database,
    db,
    keyring,
    secrets,
    audit,
    workspaces,
    messengers,
    slackFor,
    settings,
    admins,
    twilioClients,
    twilioFor,
    recordingDownload: createRecordingDownload({ twilioFor, apiUrl: config.TWILIO_API_URL }),
    oauthStates: createOAuthStateStore(database),
    databaseHealth: () => pingDatabase(database),
  };
}
