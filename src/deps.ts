import type { Logger as SlackLogger } from "@slack/logger";
import type { Config } from "./config.js";
import type { Clock } from "./lib/clock.js";
import type { Logger } from "./lib/log.js";
import type { TaskTracker } from "./lib/tasks.js";
import { type AuditService, createAuditService } from "./services/audit/audit.js";
import { type BrowserPhoneService, createBrowserPhoneService } from "./services/calls/browser-phone.js";
import type { CallNotifier } from "./services/calls/call-notifier.js";
import { createCallPrices } from "./services/calls/call-prices.js";
import { type CallService, createCallService } from "./services/calls/call-service.js";
import { type CallStatus, createCallStatus } from "./services/calls/call-status.js";
import { type CallStore, createCallStore } from "./services/calls/call-store.js";
import { type CallSweeper, createCallSweeper } from "./services/calls/call-sweeper.js";
import { createKeyMenu, type KeyMenu } from "./services/calls/key-menu.js";
import { createOutcomeService, type OutcomeService } from "./services/calls/outcomes.js";
import { createRecordingService, type RecordingService } from "./services/calls/recordings.js";
import { createStatusPoller, type StatusPoller } from "./services/calls/status-poller.js";
import { createVoicemail, type Voicemail } from "./services/calls/voicemail.js";
import { type CallingLaw, createCallingLaw } from "./services/compliance/calling-law.js";
import { type ComplianceStore, createComplianceStore } from "./services/compliance/compliance-store.js";
import { type ConsentService, createConsentService } from "./services/compliance/consent-service.js";
import { createDncService, type DncService } from "./services/compliance/dnc-service.js";
import { createInboundService, type InboundService } from "./services/inbound/inbound-service.js";
import { createInboundStore } from "./services/inbound/inbound-store.js";
import { createLeadService, type LeadService } from "./services/leads/lead-service.js";
import { createLeadStore } from "./services/leads/lead-store.js";
import { createScheduleStore } from "./services/scheduling/schedule-store.js";
import { createScheduler, type Scheduler } from "./services/scheduling/scheduler.js";
import { type AdminService, createAdminService } from "./services/setup/admins.js";
import { createInboundNumber, type InboundNumber } from "./services/setup/inbound-number.js";
import { createSettingsService, type SettingsService } from "./services/setup/settings.js";
import { createSetupFlow, type SetupFlow } from "./services/setup/setup-flow.js";
import { createCallLines } from "./services/slack/call-lines.js";
import type { SlackMessenger } from "./services/slack/messenger.js";
import { createSlackMessengers } from "./services/slack/messengers.js";
import { refreshBotToken } from "./services/slack/oauth.js";
import { createHomeService, type HomeService } from "./services/stats/home.js";
import { createStatsService, type StatsService } from "./services/stats/stats-service.js";
import { createStatsStore } from "./services/stats/stats-store.js";
import type { DatabaseHandle, Db } from "./services/store/db.js";
import type { Keyring } from "./services/store/keyring.js";
import { createSecretStore, type SecretStore } from "./services/store/secrets.js";
import { createTwilioClientFactory, type TwilioFor } from "./services/twilio/client.js";
import { createWorkspaces, type Workspaces } from "./services/workspaces/workspace-service.js";
import { createWorkspaceStore, settingsVersionReader } from "./services/workspaces/workspace-store.js";
import { inboundLine, transcriptMessage, voicemailMessage } from "./views/inbound.js";
import { scheduleEventMessage } from "./views/schedule.js";

/** When Slack does not say the agent's zone (users.info failed): times are read and shown in UTC. */
const FALLBACK_ZONE = "UTC";

export interface Deps {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  db: Db;
  clock: Clock;
  tasks: TaskTracker;
  secrets: SecretStore;
  audit: AuditService;
  twilioFor: TwilioFor;
  workspaces: Workspaces;
  /** The Slack adapter for a workspace (its own bot token). */
  slackFor(ws: number): Promise<SlackMessenger>;
  settings: SettingsService;
  admins: AdminService;
  setup: SetupFlow;
  leads: LeadService;
  /** The calling-law verdict, the do-not-call list and consent records. */
  law: CallingLaw;
  /** The calling-law domain's queries (facts a call is judged on, the list, consent records). */
  compliance: ComplianceStore;
  dnc: DncService;
  consents: ConsentService;
  callStore: CallStore;
  calls: CallService;
  lines: CallNotifier;
  status: CallStatus;
  voicemail: Voicemail;
  menu: KeyMenu;
  browserPhone: BrowserPhoneService;
  poller: StatusPoller;
  sweeper: CallSweeper;
  recordings: RecordingService;
  scheduler: Scheduler;
  outcomes: OutcomeService;
  stats: StatsService;
  home: HomeService;
  inbound: InboundService;
  inboundNumber: InboundNumber;
  /** The agent's IANA time zone from Slack (users.info), for reading and showing times. */
  agentZone(ws: number, userId: string): Promise<string>;
  startBackgroundWork(): Promise<void>;
  stopBackgroundWork(): Promise<void>;
}

interface ServiceInputs {
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
  /** Lease lengths (tests shorten them to watch an instance take over from a dead one). */
  pollLeaseMs?: number;
  lineLeaseMs?: number;
  /** The scheduler's claim lease and cron expression (tests shorten them). */
  scheduleLeaseMs?: number;
  scheduleEvery?: string;
  /** Test-only: called at named points of placing a call; the kill -9 tests stop the process there. */
  crashPoint?: (point: string) => void;
}

/** Builds every service from its dependencies; nothing here talks to the outside world yet. */
export function createServices(inputs: ServiceInputs): Deps {
  const { config, log, database, clock, keyring, tasks } = inputs;
  const db = database.prisma;
  const oauth = Boolean(config.SLACK_CLIENT_ID);
  const secrets = createSecretStore({ db, keyring, clock });
  const audit = createAuditService({ db });
  const twilioFor = createTwilioClientFactory({ apiUrl: config.TWILIO_API_URL, timeoutMs: inputs.twilioTimeoutMs });
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
  });
  const messengers = createSlackMessengers({
    workspaces,
    apiUrl: config.SLACK_API_URL,
    log,
    slackLog: inputs.slackLog,
  });
  const slackFor = (ws: number) => messengers.for(ws);
  const settings = createSettingsService({ db, secrets, readVersion: settingsVersionReader(database) });
  const admins = createAdminService({
    // In OAuth mode every workspace has its own admins: Slack's admins and owners of each.
    adminIds: oauth ? undefined : config.ADMIN_SLACK_USER_IDS,
    slackUser: async (ws, userId) => (await slackFor(ws)).user(userId),
  });
  const setup = createSetupFlow({
    settings,
    secrets,
    admins,
    audit,
    twilioFor,
    defaultCountry: config.DEFAULT_COUNTRY,
    allowedCountries: config.ALLOWED_COUNTRIES,
  });
  const leads = createLeadService({ store: createLeadStore(database), defaultCountry: config.DEFAULT_COUNTRY });
  const compliance = createComplianceStore(database);
  const law = createCallingLaw({ store: compliance, settings, reader: db });
  const dnc = createDncService({ store: compliance, admins, defaultCountry: config.DEFAULT_COUNTRY, clock });
  const consents = createConsentService({ store: compliance, clock });
  const callStore = createCallStore(database);
  const lines = createCallLines({ calls: callStore, messengers, clock, log, lockMs: inputs.lineLeaseMs });
  const browserPhone = createBrowserPhoneService({
    calls: callStore,
    leads,
    settings,
    clock,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    secretKey: keyring.current.key,
  });
  const prices = createCallPrices({
    calls: callStore,
    settings,
    twilioFor,
    tasks,
    clock,
    log,
    delaysMs: inputs.priceDelaysMs,
  });
  const status = createCallStatus({ calls: callStore, notifier: lines, prices, tasks, clock, log });
  const poller = createStatusPoller({
    calls: callStore,
    settings,
    twilioFor,
    status,
    tasks,
    clock,
    log,
    delaysMs: inputs.pollDelaysMs,
    leaseMs: inputs.pollLeaseMs,
  });
  const calls = createCallService({
    calls: callStore,
    leads,
    settings,
    audit,
    twilioFor,
    notifier: lines,
    browserLinks: browserPhone,
    law,
    compliance,
    afterPlaced: (call) => {
      if (!config.PUBLIC_BASE_URL) tasks.run(() => poller.watch(call.id));
    },
    clock,
    log,
    allowedCountries: config.ALLOWED_COUNTRIES,
    defaultCountry: config.DEFAULT_COUNTRY,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    crashPoint: inputs.crashPoint,
  });
  const sweeper = createCallSweeper({
    calls: callStore,
    service: calls,
    status,
    notifier: lines,
    settings,
    twilioFor,
    tasks,
    clock,
    log,
    intervalMs: inputs.sweepIntervalMs,
    leaseMs: inputs.pollLeaseMs,
    resumePolling: config.PUBLIC_BASE_URL ? undefined : () => poller.resume(),
  });
  const voicemail = createVoicemail({ calls: callStore, leads, settings, twilioFor, notifier: lines, tasks, log });
  const menu = createKeyMenu({
    calls: callStore,
    dnc,
    settings,
    audit,
    notifier: lines,
    tasks,
    allowedCountries: config.ALLOWED_COUNTRIES,
  });
  const recordings = createRecordingService({
    calls: callStore,
    settings,
    notifier: lines,
    tasks,
    clock,
    log,
    keyring,
    twilioApiUrl: config.TWILIO_API_URL,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
  const statsStore = createStatsStore(database);
  const stats = createStatsService({ store: statsStore });
  const agentZone = async (ws: number, userId: string) => {
    try {
      return (await (await slackFor(ws)).user(userId))?.tz ?? FALLBACK_ZONE;
    } catch {
      return FALLBACK_ZONE;
    }
  };
  const scheduler = createScheduler({
    store: createScheduleStore(database),
    calls,
    leads,
    law,
    audit,
    admins,
    announce: async (ws, event) => {
      const message = scheduleEventMessage(event, {
        agentZone: await agentZone(ws, event.row.agentId),
        now: clock.callingNow(),
      });
      await (await slackFor(ws)).tell(event.row.agentId, { channel: event.row.channel }, message);
    },
    clock,
    log,
    leaseMs: inputs.scheduleLeaseMs,
    every: inputs.scheduleEvery,
    crashPoint: inputs.crashPoint,
  });
  const inbound = createInboundService({
    store: createInboundStore({ db }),
    leads,
    calls: callStore,
    settings,
    announcer: {
      async post(call, where) {
        const channel =
          where?.channel ?? (await settings.get(call.workspaceId)).leadsChannel ?? config.LEADS_CHANNEL_ID;
        if (!channel) {
          log.info({ inboundCallId: call.id }, "an inbound call has no channel to be shown in (set a leads channel)");
          return undefined;
        }
        const posted = await (await slackFor(call.workspaceId)).postToChannel(
          { channel, threadTs: where?.threadTs },
          inboundLine(call),
        );
        return posted.channel && posted.ts ? { channel: posted.channel, ts: posted.ts } : undefined;
      },
      async update(call) {
        if (call.slackChannel && call.slackTs)
          await (await slackFor(call.workspaceId)).update(call.slackChannel, call.slackTs, inboundLine(call));
      },
      async voicemail(call, audio) {
        if (!call.slackChannel) return;
        const slack = await slackFor(call.workspaceId);
        const threadTs = call.slackThreadTs ?? call.slackTs ?? undefined;
        if (audio) {
          try {
            await slack.upload({
              channel: call.slackChannel,
              threadTs,
              bytes: audio,
              filename: `voicemail-${call.twilioSid}.mp3`,
              title: voicemailMessage(call, true).text,
            });
            return;
          } catch (error) {
            log.warn({ err: error }, "could not upload the voicemail");
          }
        }
        await slack.postToChannel({ channel: call.slackChannel, threadTs }, voicemailMessage(call, false));
      },
      async transcript(call) {
        if (!call.slackChannel) return;
        await (await slackFor(call.workspaceId)).postToChannel(
          { channel: call.slackChannel, threadTs: call.slackThreadTs ?? call.slackTs ?? undefined },
          transcriptMessage(call),
        );
      },
    },
    async fetchRecording(ws, recordingSid) {
      const { accountSid, authToken } = await settings.get(ws);
      if (!accountSid || !authToken) throw new Error("Twilio is not configured");
      // Built from our own account and the recording's id: credentials never go to a URL from a request.
      const res = await fetch(
        `${config.TWILIO_API_URL}/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}.mp3`,
        {
          headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}` },
          signal: AbortSignal.timeout(15_000),
        },
      );
      if (!res.ok) throw new Error(`Twilio answered ${res.status} for the recording`);
      return Buffer.from(await res.arrayBuffer());
    },
    nameOf: async (ws, userId) => (await (await slackFor(ws)).user(userId))?.name,
    tasks,
    clock,
    log,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    defaultCountry: config.DEFAULT_COUNTRY,
  });
  return {
    config,
    log,
    database,
    db,
    clock,
    tasks,
    secrets,
    audit,
    twilioFor,
    workspaces,
    slackFor,
    settings,
    admins,
    setup,
    leads,
    law,
    compliance,
    dnc,
    consents,
    callStore,
    calls,
    lines,
    status,
    voicemail,
    menu,
    browserPhone,
    poller,
    sweeper,
    recordings,
    scheduler,
    stats,
    inbound,
    inboundNumber: createInboundNumber({ settings, twilioFor, audit, voiceUrl: (ws) => inbound.voiceUrl(ws) }),
    home: createHomeService({
      stats,
      store: statsStore,
      scheduler,
      dnc,
      waitingCallbacks: (ws, agentId, since) => statsStore.waiting(ws, agentId, since),
      keyring,
      publicBaseUrl: config.PUBLIC_BASE_URL,
    }),
    outcomes: createOutcomeService({ calls: callStore, leads, dnc, notifier: lines, admins, clock }),
    agentZone,
    async startBackgroundWork() {
      if (!config.PUBLIC_BASE_URL) {
        const resumed = await poller.resume();
        if (resumed > 0) log.info({ resumed }, "resumed polling calls still in progress");
      }
      await prices.resume();
      await sweeper.start();
      // Calls that came due while Leadline was down are looked at once, now, then every tick.
      await scheduler.tick().catch((error) => log.error({ err: error }, "scheduled calls tick failed"));
      scheduler.start();
    },
    async stopBackgroundWork() {
      await scheduler.stop();
      sweeper.stop();
      prices.stop();
      await poller.stop();
    },
  };
}
