import type { App } from "@slack/bolt";
import type { Config } from "../config.js";
import type { Clock } from "../lib/clock.js";
import type { Logger } from "../lib/log.js";
import type { TaskTracker } from "../lib/tasks.js";
import { type AuditService, createAuditService } from "./audit/audit.js";
import { type BrowserPhoneService, createBrowserPhoneService } from "./calls/browser-phone.js";
import { type CallLifecycle, createCallLifecycle } from "./calls/call-lifecycle.js";
import { type CallService, createCallService } from "./calls/call-service.js";
import { createCallStatusStore } from "./calls/call-status-store.js";
import { createRecordingService, type RecordingService } from "./calls/recordings.js";
import { createStatusPoller, type StatusPoller } from "./calls/status-poller.js";
import { createLeadReader, createLeadService, type LeadService } from "./leads/lead-service.js";
import { type AdminService, createAdminService } from "./setup/admins.js";
import { createSettingsService, type SettingsService } from "./setup/settings.js";
import { createSetupFlow, type SetupFlow } from "./setup/setup-flow.js";
import { type CallAnnouncer, createCallAnnouncer } from "./slack/call-lines.js";
import { createSlackMessenger, type SlackMessenger } from "./slack/messenger.js";
import type { Db } from "./store/db.js";
import type { Keyring } from "./store/keyring.js";
import { createSecretStore, type SecretStore } from "./store/secrets.js";
import { createTwilioClientFactory, type TwilioFor } from "./twilio/client.js";

export interface Deps {
  config: Config;
  log: Logger;
  db: Db;
  clock: Clock;
  tasks: TaskTracker;
  slack: App["client"];
  secrets: SecretStore;
  audit: AuditService;
  twilioFor: TwilioFor;
  settings: SettingsService;
  admins: AdminService;
  setup: SetupFlow;
  leads: LeadService;
  messenger: SlackMessenger;
  calls: CallService;
  announcer: CallAnnouncer;
  browserPhone: BrowserPhoneService;
  lifecycle: CallLifecycle;
  poller: StatusPoller;
  recordings: RecordingService;
  startBackgroundWork(): Promise<void>;
  stopBackgroundWork(): Promise<void>;
}

interface ServiceInputs {
  config: Config;
  log: Logger;
  db: Db;
  clock: Clock;
  keyring: Keyring;
  tasks: TaskTracker;
  slack: App["client"];
  twilioTimeoutMs?: number;
  pollDelaysMs?: number[];
  priceDelaysMs?: number[];
  /** Read-only SQLite connection for lead search. */
  reader?: import("better-sqlite3").Database;
  writer?: import("better-sqlite3").Database;
}

export function createServices(inputs: ServiceInputs): Deps {
  const { config, log, db, clock, keyring, tasks, slack } = inputs;
  const secrets = createSecretStore({ db, keyring });
  const audit = createAuditService({ db });
  const twilioFor = createTwilioClientFactory({ apiUrl: config.TWILIO_API_URL, timeoutMs: inputs.twilioTimeoutMs });
  const settings = createSettingsService({ db, secrets });
  const admins = createAdminService({
    adminIds: config.ADMIN_SLACK_USER_IDS,
    usersInfo: (args) => slack.users.info(args),
    log,
  });
  const setup = createSetupFlow({ settings, admins, audit, twilioFor, defaultCountry: config.DEFAULT_COUNTRY });
  const leads = createLeadService({
    db,
    defaultCountry: config.DEFAULT_COUNTRY,
    reads: inputs.reader ? createLeadReader(inputs.reader) : undefined,
  });
  const messenger = createSlackMessenger({ slack, log });
  const browserPhone = createBrowserPhoneService({
    db,
    settings,
    clock,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    secretKey: keyring.current.key,
  });
  const announcer = createCallAnnouncer({ db, messenger, log });
  // Filled in below: the poller needs the lifecycle, which needs the call service's agent phones.
  let poller: StatusPoller | undefined;
  const calls = createCallService({
    afterPlaced: (call) => {
      if (!config.PUBLIC_BASE_URL) void poller?.watch(call.id);
    },
    browserLinks: browserPhone,
    db,
    settings,
    audit,
    twilioFor,
    clock,
    log,
    allowedCountries: config.ALLOWED_COUNTRIES,
    defaultCountry: config.DEFAULT_COUNTRY,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
  const lifecycle = createCallLifecycle({
    db,
    settings,
    twilioFor,
    announcer,
    audit,
    tasks,
    clock,
    log,
    agentPhone: (agentId) => calls.agentPhone(agentId),
    priceDelaysMs: inputs.priceDelaysMs,
    statusStore: inputs.writer ? createCallStatusStore(inputs.writer) : undefined,
  });
  poller = createStatusPoller({ db, settings, twilioFor, lifecycle, tasks, clock, log, delaysMs: inputs.pollDelaysMs });
  const statusPoller = poller;
  const recordings = createRecordingService({
    db,
    settings,
    slack,
    messenger,
    clock,
    log,
    keyring,
    twilioApiUrl: config.TWILIO_API_URL,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
  return {
    config,
    log,
    db,
    clock,
    tasks,
    slack,
    secrets,
    audit,
    twilioFor,
    settings,
    admins,
    setup,
    leads,
    messenger,
    calls,
    announcer,
    browserPhone,
    lifecycle,
    poller: statusPoller,
    recordings,
    async startBackgroundWork() {
      if (!config.PUBLIC_BASE_URL) {
        const resumed = await statusPoller.resume();
        if (resumed > 0) log.info({ resumed }, "resumed polling calls still in progress");
      }
      await lifecycle.resumePriceChecks();
    },
    async stopBackgroundWork() {
      lifecycle.stop();
      await statusPoller.stop();
    },
  };
}
