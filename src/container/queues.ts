import { createQueueCards } from "../presenters/queue-cards.js";
import { createSpeedPosts, type SpeedPosts } from "../presenters/speed-posts.js";
import { createOpenCall } from "../services/calls/open-call.js";
import { type AutoAdvance, createAutoAdvance, createAutoRule } from "../services/queues/auto-advance.js";
import { type ClaimStore, createClaimStore } from "../services/queues/claim-store.js";
import { createQueueAdmin, type QueueAdmin } from "../services/queues/queue-admin.js";
import { createQueueCardData } from "../services/queues/queue-card-data.js";
import { createQueueClaims, type QueueClaims } from "../services/queues/queue-claims.js";
import { createQueueOverview, type QueueOverview } from "../services/queues/queue-overview.js";
import { createQueueRuns, type QueueRuns } from "../services/queues/queue-runs.js";
import { createQueueStore, type QueueStore } from "../services/queues/queue-store.js";
import { createQueueSupervision, type QueueSupervision } from "../services/queues/queue-supervise.js";
import { createRunLines, type RunLines } from "../services/queues/run-lines.js";
import { createSnoozeTimes } from "../services/queues/snooze.js";
import { createSpeedStore } from "../services/queues/speed-store.js";
import { createSpeedToLead, type SpeedToLead } from "../services/queues/speed-to-lead.js";
import type { CallerIdDomain } from "./callerid.js";
import type { CallsDomain } from "./calls.js";
import type { Core } from "./core.js";
import type { LeadsDomain } from "./leads.js";

/** The call queue: queues, claims, runs over one line. */
export interface QueuesDomain {
  queueStore: QueueStore;
  queueClaimStore: ClaimStore;
  queueClaims: QueueClaims;
  queueRuns: QueueRuns;
  queueAdmin: QueueAdmin;
  queueAutoAdvance: AutoAdvance;
  speedToLead: SpeedToLead;
  speedPosts: SpeedPosts;
  queueSupervision: QueueSupervision;
  queueOverview: QueueOverview;
  /** Runs' lines reconciled with Twilio (a lost callback, a failed hang-up, a restart). */
  runLines: RunLines;
}

export function createQueuesDomain(
  core: Core,
  leads: LeadsDomain,
  calls: CallsDomain,
  callerId: CallerIdDomain["callerId"],
  autoAdvanceScale?: (ms: number) => number,
  sweep: { intervalMs?: number; checkEveryMs?: number } = {},
): QueuesDomain {
  const { database, clock, log, audit, events, twilioFor, config } = core;
  const queueStore = createQueueStore(database);
  const queueClaimStore = createClaimStore(database);
  const queueAutoAdvance = createAutoAdvance({ tasks: core.tasks, log, scale: autoAdvanceScale });
  const autoRule = createAutoRule(queueClaimStore);
  const queueClaims = createQueueClaims({ store: queueClaimStore, leads: leads.leads, law: leads.law, clock, log });
  const queueRuns = createQueueRuns({
    queues: queueStore,
    claims: queueClaims,
    claimStore: queueClaimStore,
    contexts: calls.contexts,
    readiness: calls.readiness,
    openCall: createOpenCall({
      calls: calls.callRows,
      law: leads.law,
      compliance: leads.compliance,
      audit,
      clock,
      log,
    }),
    recordPlaced: calls.recordPlaced,
    calls: calls.callRows,
    callerId,
    outcomes: calls.outcomes,
    twilioFor,
    events,
    audit,
    clock,
    log,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    autoAdvance: queueAutoAdvance,
    autoRule,
    leads: leads.leads,
    snoozeTimes: createSnoozeTimes({ law: leads.law, clock }),
  });
  const cards = createQueueCards({
    cardData: createQueueCardData({
      queues: queueStore,
      claims: queueClaimStore,
      leads: leads.leads,
      calls: calls.callRows,
      law: leads.law,
      clock,
      autoRule,
      autoPending: queueAutoAdvance.pending,
    }),
    runOfCall: async (callId) => {
      const call = await calls.callRows.byId(callId);
      const claimId = /^queue:(\d+)$/.exec(call?.originKey ?? "")?.[1];
      return claimId ? ((await queueClaimStore.byId(Number(claimId)))?.runId ?? undefined) : undefined;
    },
    saveCard: (runId, channel, ts) => queueStore.saveCard(runId, channel, ts),
    slackFor: core.slackFor,
    log,
  });
  cards.subscribe(events);
  const runLines = createRunLines({ ...core, queues: queueStore, runs: queueRuns, ...sweep });
  const queueAdmin = createQueueAdmin({ store: queueStore, gate: core.admins, audit, clock });
  const { speedToLead, speedPosts, queueSupervision } = speedAndSupervision(core, leads, calls, queueStore);
  return {
    queueStore,
    queueClaimStore,
    queueClaims,
    queueRuns,
    queueAdmin,
    queueAutoAdvance,
    speedToLead,
    speedPosts,
    queueSupervision,
    queueOverview: createQueueOverview({ queues: queueStore, claims: queueClaimStore }),
    runLines,
  };
}

/** Speed to lead (its Claim messages and tick) and supervisors on runs' conferences. */
function speedAndSupervision(core: Core, leads: LeadsDomain, calls: CallsDomain, queueStore: QueueStore) {
  const { database, clock, log, audit, events, twilioFor, config } = core;
  const speedToLead = createSpeedToLead({
    store: createSpeedStore(database),
    leads: leads.leads,
    queues: queueStore,
    secrets: core.secrets,
    gate: core.admins,
    clock,
  });
  const speedPosts = createSpeedPosts({
    speed: speedToLead,
    settings: core.settings,
    leadsChannel: config.LEADS_CHANNEL_ID,
    slackFor: core.slackFor,
    clock,
    log,
  });
  speedPosts.subscribe(events);
  const queueSupervision = createQueueSupervision({
    queues: queueStore,
    gate: core.admins,
    agentPhones: calls.agentPhones,
    contexts: calls.contexts,
    twilioFor,
    events,
    audit,
    clock,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
  return { speedToLead, speedPosts, queueSupervision };
}
