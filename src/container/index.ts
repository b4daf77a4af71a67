import { type ChartRenderer, createChartRenderer } from "../presenters/charts.js";
import { createHomeTab, type HomeTab } from "../presenters/home-tab.js";
import { createInboundPosts } from "../presenters/inbound-posts.js";
import { redrawHomeWhenRunsEnd } from "../presenters/queue-home.js";
import { createScheduleAnnouncer } from "../presenters/schedule-announcer.js";
import { createStatsDelivery, type StatsDelivery } from "../presenters/stats-delivery.js";
import { createInboundService, type InboundService } from "../services/inbound/inbound-service.js";
import type { InboundWithLead } from "../services/inbound/inbound-store.js";
import { createInboundStore } from "../services/inbound/inbound-store.js";
import { createScheduleStore } from "../services/scheduling/schedule-store.js";
import { createScheduler, type Scheduler } from "../services/scheduling/scheduler.js";
import { createInboundNumber, type InboundNumber } from "../services/setup/inbound-number.js";
import { createSetupFlow, type SetupFlow } from "../services/setup/setup-flow.js";
import { createSetupStatus, type SetupStatus } from "../services/setup/setup-status.js";
import { nameOf } from "../services/slack/people.js";
import { createHomeService, type HomeService } from "../services/stats/home.js";
import { createQueueStatsStore } from "../services/stats/queue-stats-store.js";
import { createStatsService, type StatsService } from "../services/stats/stats-service.js";
import { createStatsStore } from "../services/stats/stats-store.js";
import { createTextStatsStore } from "../services/stats/text-stats-store.js";
import { createTextBack, type TextBack } from "../services/texts/text-back.js";
import { type CallerIdDomain, createCallerIdDomain } from "./callerid.js";
import { type CallsDomain, createCallsDomain } from "./calls.js";
import { type ContainerInputs, type Core, createCore } from "./core.js";
import { type CrmDomain, createCrmDomain } from "./crm.js";
import { createLeadsDomain, type LeadsDomain } from "./leads.js";
import { createQueuesDomain, type QueuesDomain } from "./queues.js";
import { createTextsDomain, type TextsDomain } from "./texts.js";
import { createTranscriptsDomain, type TranscriptsDomain } from "./transcripts.js";

export type { ContainerInputs };

/**
 * Every service, built once per process from its dependencies (nothing here talks to the outside
 * world yet). Listeners and routes are each handed the slice they use (listeners/*\/index.ts,
 * http/index.ts), never this whole object.
 */
export interface Container
  extends Core,
    LeadsDomain,
    CallsDomain,
    CallerIdDomain,
    TranscriptsDomain,
    QueuesDomain,
    TextsDomain,
    CrmDomain {
  setup: SetupFlow;
  setupStatus: SetupStatus;
  inboundNumber: InboundNumber;
  inbound: InboundService;
  scheduler: Scheduler;
  stats: StatsService;
  home: HomeService;
  homeTab: HomeTab;
  statsDelivery: StatsDelivery;
  /** Charts, drawn in a thread of their own. */
  charts: ChartRenderer;
  startBackgroundWork(): Promise<void>;
  stopBackgroundWork(): Promise<void>;
}

/** Calls to the team's numbers: routed to an agent, announced in the leads channel. */
function inboundCalls(
  core: Core,
  leads: LeadsDomain,
  calls: CallsDomain,
  missed: (call: InboundWithLead) => Promise<unknown>,
) {
  const { config, clock, log, tasks } = core;
  const inbound = createInboundService({
    store: createInboundStore({ db: core.db }),
    leads: leads.leads,
    agentPhones: calls.agentPhones,
    settings: core.settings,
    announcer: createInboundPosts({
      settings: core.settings,
      slackFor: core.slackFor,
      leadsChannel: config.LEADS_CHANNEL_ID,
      log,
    }),
    fetchRecording: core.recordingDownload,
    nameOf: async (ws, userId) => nameOf(await core.slackFor(ws), userId),
    tasks,
    clock,
    log,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    defaultCountry: config.DEFAULT_COUNTRY,
    events: core.events,
    missed,
  });
  // An unknown caller added as a lead: their earlier calls become the lead's (posts redrawn, contact
  // counted) before the new lead's card is drawn, so the card does not say "not contacted yet".
  leads.leadCards.settleBeforeCard((ws, leadId) => inbound.leadAdded(ws, leadId));
  return inbound;
}

/** Missed-call text-back: the texts domain's send, booked on the scheduler when the law says later. */
function textBackOf(core: Core, texts: TextsDomain, scheduler: Scheduler): TextBack {
  return createTextBack({
    settings: core.settings,
    store: texts.textRows,
    texts: texts.texts,
    book: (input) =>
      scheduler.book({
        ws: input.ws,
        leadId: input.leadId,
        agentId: input.agentId,
        channel: input.channel,
        at: input.at,
        bookedBy: "textback",
        text: { body: input.body },
      }),
    leadsChannel: async (ws) => (await core.settings.get(ws)).leadsChannel ?? core.config.LEADS_CHANNEL_ID,
    clock: core.clock,
    log: core.log,
  });
}

export function createContainer(inputs: ContainerInputs): Container {
  const core = createCore(inputs);
  const { config, database, clock, log, audit } = core;
  const leads = createLeadsDomain(core);
  const callerIds = createCallerIdDomain(core);
  const calls = createCallsDomain(core, leads, inputs, callerIds.callerId);
  const queues = createQueuesDomain(core, leads, calls, callerIds.callerId, inputs.queueAutoAdvanceScale, {
    intervalMs: inputs.sweepIntervalMs,
    checkEveryMs: inputs.sweepQuietMs,
  });
  const texts = createTextsDomain(core, leads, inputs, callerIds.callerId);
  const crm = createCrmDomain(core, leads, inputs);
  let textBack: TextBack | undefined;
  const inbound = inboundCalls(core, leads, calls, async (call) => textBack?.missed(call));
  const voiceUrl = (ws: number) => inbound.voiceUrl(ws);
  const inboundNumber = createInboundNumber({ twilioFor: core.twilioFor, audit, voiceUrl });
  const scheduler = createScheduler({
    store: createScheduleStore(database),
    calls: calls.calls,
    reconciler: calls.reconciler,
    agentPhones: calls.agentPhones,
    leads: leads.leads,
    law: leads.law,
    audit,
    admins: core.admins,
    announce: createScheduleAnnouncer({ slackFor: core.slackFor, clock }),
    clock,
    log,
    leaseMs: inputs.scheduleLeaseMs,
    every: inputs.scheduleEvery,
    crashPoint: inputs.crashPoint,
    sendText: async (input) => ({ textId: (await texts.texts.sendText(input)).text.id }),
  });
  textBack = textBackOf(core, texts, scheduler);
  const transcripts = createTranscriptsDomain(core, leads, calls, scheduler, {
    every: inputs.transcriptEvery,
    pollMs: inputs.transcriptPollMs,
  });
  const charts = createChartRenderer();
  const statsStore = createStatsStore(database);
  const textStats = createTextStatsStore(database);
  const stats = createStatsService({ store: statsStore, texts: textStats, queues: createQueueStatsStore(database) });
  const home = createHomeService({
    stats,
    store: statsStore,
    scheduler,
    dnc: leads.dnc,
    waitingCallbacks: (ws, agentId, since) => statsStore.waiting(ws, agentId, since),
    texts: textStats,
    keyring: core.keyring,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    queues: (ws, agentId, limit) => queues.queueOverview.forAgent(ws, agentId, limit),
  });
  const homeTab = createHomeTab({ home, admins: core.admins, slackFor: core.slackFor, clock });
  redrawHomeWhenRunsEnd({ events: core.events, runById: queues.queueStore.runById, homeTab, log });
  return {
    ...core,
    ...leads,
    ...calls,
    ...texts,
    ...callerIds,
    ...transcripts,
    ...queues,
    ...crm,
    setup: createSetupFlow({
      settings: core.settings,
      secrets: core.secrets,
      admins: core.admins,
      audit,
      clients: core.twilioClients,
      defaultCountry: config.DEFAULT_COUNTRY,
      allowedCountries: config.ALLOWED_COUNTRIES,
    }),
    setupStatus: createSetupStatus({ settings: core.settings, dnc: leads.dnc, inboundNumber, a2p: texts.a2p, clock }),
    inboundNumber,
    inbound,
    scheduler,
    stats,
    home,
    homeTab,
    statsDelivery: createStatsDelivery({ stats, slackFor: core.slackFor, charts, log }),
    charts,
    async startBackgroundWork() {
      if (!config.PUBLIC_BASE_URL) {
        const resumed = await calls.poller.resume();
        if (resumed > 0) log.info({ resumed }, "resumed polling calls still in progress");
      }
      await calls.prices.resume();
      await calls.sweeper.start();
      await queues.runLines.start();
      // Calls that came due while Leadline was down are looked at once, now, then every tick.
      await scheduler.tick().catch((error) => log.error({ err: error }, "scheduled calls tick failed"));
      scheduler.start();
      callerIds.callerIdRefresh.start();
      transcripts.transcripts.start();
      texts.textOutbox.start();
      crm.crmSender.start();
      queues.speedPosts.start();
    },
    async stopBackgroundWork() {
      await texts.textOutbox.stop();
      callerIds.callerIdRefresh.stop();
      await Promise.all([scheduler.stop(), crm.crmSender.stop()]);
      await transcripts.transcripts.stop();
      calls.sweeper.stop();
      queues.runLines.stop();
      calls.prices.stop();
      await calls.poller.stop();
      await charts.stop();
      queues.queueAutoAdvance.stop();
      queues.speedPosts.stop();
    },
  };
}
