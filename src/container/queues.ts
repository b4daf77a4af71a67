import { createQueueCards } from "../presenters/queue-cards.js";
import { createOpenCall } from "../services/calls/open-call.js";
import { type AutoAdvance, createAutoAdvance, createAutoRule } from "../services/queues/auto-advance.js";
import { type ClaimStore, createClaimStore } from "../services/queues/claim-store.js";
import { createQueueAdmin, type QueueAdmin } from "../services/queues/queue-admin.js";
import { createQueueCardData } from "../services/queues/queue-card-data.js";
import { createQueueClaims, type QueueClaims } from "../services/queues/queue-claims.js";
import { createQueueRuns, type QueueRuns } from "../services/queues/queue-runs.js";
import { createQueueStore, type QueueStore } from "../services/queues/queue-store.js";
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
}

export function createQueuesDomain(
  core: Core,
  leads: LeadsDomain,
  calls: CallsDomain,
  callerId: CallerIdDomain["callerId"],
  autoAdvanceScale?: (ms: number) => number,
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
    saveCard: (runId, channel, ts) => queueStore.updateRun(runId, { channel, cardTs: ts }),
    slackFor: core.slackFor,
    log,
  });
  cards.subscribe(events);
  const queueAdmin = createQueueAdmin({ store: queueStore, gate: core.admins, audit, clock });
  return { queueStore, queueClaimStore, queueClaims, queueRuns, queueAdmin, queueAutoAdvance };
}
