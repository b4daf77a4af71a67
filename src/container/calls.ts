import { createCallPosts } from "../presenters/call-posts.js";
import { createAgentPhoneStore } from "../services/calls/agent-phone-store.js";
import { type AgentPhones, createAgentPhones } from "../services/calls/agent-phones.js";
import { type BrowserPhoneService, createBrowserPhoneService } from "../services/calls/browser-phone.js";
import { type CallContexts, createCallContexts } from "../services/calls/call-context.js";
import { type CallLookup, createCallLookup } from "../services/calls/call-lookup.js";
import type { CallNotifier } from "../services/calls/call-notifier.js";
import { type CallPrices, createCallPrices } from "../services/calls/call-prices.js";
import { type CallService, createCallService } from "../services/calls/call-service.js";
import { type CallStatus, createCallStatus } from "../services/calls/call-status.js";
import { type CallStore, createCallStore } from "../services/calls/call-store.js";
import { type CallSweeper, createCallSweeper } from "../services/calls/call-sweeper.js";
import { createKeyMenu, type KeyMenu } from "../services/calls/key-menu.js";
import { createBrowserLinkStore } from "../services/calls/link-store.js";
import { createLiveAccept, type LiveAccept } from "../services/calls/live-accept.js";
import { createOpenCall } from "../services/calls/open-call.js";
import { createOutcomeService, type OutcomeService } from "../services/calls/outcomes.js";
import { createPollLeaseStore } from "../services/calls/poll-store.js";
import { createCallPostStore } from "../services/calls/post-store.js";
import { type CallReadiness, createCallReadiness } from "../services/calls/readiness.js";
import {
  createReconciler,
  createRecordPlaced,
  type Reconciler,
  type RecordPlaced,
} from "../services/calls/reconcile.js";
import { createRecordingService, type RecordingService } from "../services/calls/recordings.js";
import { createStatusPoller, type StatusPoller } from "../services/calls/status-poller.js";
import { createStatusStore } from "../services/calls/status-store.js";
import { createVoicemail, type Voicemail } from "../services/calls/voicemail.js";
import type { CallerIdDomain } from "./callerid.js";
import type { ContainerInputs, Core } from "./core.js";
import type { LeadsDomain } from "./leads.js";

/** The calls domain: placing, following, settling and showing calls. */
export interface CallsDomain {
  /** The call rows (the per-lead guard): a store, for the few services beside the calls domain that read a call. */
  callRows: CallStore;
  /** What Twilio's webhooks read about a call (its workspace, a live call by id). */
  callLookup: CallLookup;
  /** A live call's agent pressed a key (the lead is dialled) or did not (nothing is). */
  liveAccept: LiveAccept;
  agentPhones: AgentPhones;
  readiness: CallReadiness;
  calls: CallService;
  reconciler: Reconciler;
  posts: CallNotifier;
  status: CallStatus;
  voicemail: Voicemail;
  menu: KeyMenu;
  browserPhone: BrowserPhoneService;
  poller: StatusPoller;
  sweeper: CallSweeper;
  prices: CallPrices;
  recordings: RecordingService;
  outcomes: OutcomeService;
  /** The call's context (settings, countries, the agent's phone) and the write of a placed call, for other call paths (queues). */
  contexts: CallContexts;
  recordPlaced: RecordPlaced;
}

/** The calls domain's stores, shared by the builders below. */
function callStores(core: Core) {
  return {
    callRows: createCallStore(core.database),
    leases: createPollLeaseStore(core.database),
    postStore: createCallPostStore(core.database),
  };
}

/** Who and what a call needs before Twilio is asked: agent phones, the call's context, readiness. */
function callReadinessParts(core: Core) {
  const { config, database, audit } = core;
  const agentPhones = createAgentPhones({
    store: createAgentPhoneStore(database),
    settings: core.settings,
    audit,
    defaultCountry: config.DEFAULT_COUNTRY,
    allowedCountries: config.ALLOWED_COUNTRIES,
  });
  const contexts = createCallContexts({
    settings: core.settings,
    agentPhones,
    allowedCountries: config.ALLOWED_COUNTRIES,
  });
  const readiness = createCallReadiness({
    contexts,
    audit,
    defaultCountry: config.DEFAULT_COUNTRY,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
  return { agentPhones, contexts, readiness };
}

/** Following a call after Twilio took it: status writes, polling without a public URL, prices, the sweep. */
function callFollowers(
  core: Core,
  stores: ReturnType<typeof callStores>,
  posts: CallNotifier,
  reconciler: Reconciler,
  inputs: ContainerInputs,
) {
  const { config, database, clock, log, tasks, events, twilioFor } = core;
  const status = createCallStatus({ calls: stores.callRows, status: createStatusStore(database), events, clock, log });
  const prices = createCallPrices({
    calls: stores.callRows,
    twilioFor,
    tasks,
    clock,
    log,
    delaysMs: inputs.priceDelaysMs,
  });
  prices.subscribe(events);
  const poller = createStatusPoller({
    calls: stores.callRows,
    leases: stores.leases,
    twilioFor,
    status,
    tasks,
    clock,
    log,
    delaysMs: inputs.pollDelaysMs,
    leaseMs: inputs.pollLeaseMs,
  });
  // Without a public URL Twilio cannot call back: every placed call is polled instead.
  if (!config.PUBLIC_BASE_URL) events.on("call.placed", ({ callId }) => poller.watch(callId).then(() => undefined));
  const sweeper = createCallSweeper({
    calls: stores.callRows,
    leases: stores.leases,
    posts: stores.postStore,
    reconciler,
    status,
    notifier: posts,
    twilioFor,
    tasks,
    clock,
    log,
    intervalMs: inputs.sweepIntervalMs,
    unsettledAfterMs: inputs.sweepUnsettledMs,
    quietAfterMs: inputs.sweepQuietMs,
    leaseMs: inputs.pollLeaseMs,
    resumePolling: config.PUBLIC_BASE_URL ? undefined : () => poller.resume(),
  });
  return { status, prices, poller, sweeper };
}

/** Placing calls: the browser phone's links and the one call path (click, command, scheduler, browser). */
function callPlacing(
  core: Core,
  leads: LeadsDomain,
  inputs: ContainerInputs,
  parts: {
    callRows: CallStore;
    contexts: CallContexts;
    readiness: CallReadiness;
    recordPlaced: RecordPlaced;
    reconciler: Reconciler;
    posts: CallNotifier;
    callerId: CallerIdDomain["callerId"];
  },
) {
  const { config, database, clock, log, audit, twilioFor } = core;
  const { callRows, contexts, readiness, recordPlaced, reconciler, posts } = parts;
  const browserPhone = createBrowserPhoneService({
    links: createBrowserLinkStore(database),
    leads: leads.leads,
    settings: core.settings,
    contexts,
    readiness,
    law: leads.law,
    audit,
    clock,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    secretKey: core.keyring.current.key,
  });
  const calls = createCallService({
    calls: callRows,
    callerId: parts.callerId,
    leads: leads.leads,
    contexts,
    readiness,
    openCall: createOpenCall({ calls: callRows, law: leads.law, compliance: leads.compliance, audit, clock, log }),
    recordPlaced,
    reconciler,
    audit,
    twilioFor,
    notifier: posts,
    browserLinks: browserPhone,
    clock,
    log,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    crashPoint: inputs.crashPoint,
  });
  return { browserPhone, calls };
}

/** What answers Twilio during and after a call: the agent's key, a machine, the lead's menu key, recordings, outcomes. */
function callResponders(
  core: Core,
  leads: LeadsDomain,
  callRows: CallStore,
  agentPhones: AgentPhones,
  posts: CallNotifier,
) {
  const { config, clock, log, events, audit, twilioFor } = core;
  return {
    liveAccept: createLiveAccept({
      calls: callRows,
      leads: leads.leads,
      settings: core.settings,
      events,
      publicBaseUrl: config.PUBLIC_BASE_URL,
    }),
    voicemail: createVoicemail({
      calls: callRows,
      leads: leads.leads,
      settings: core.settings,
      twilioFor,
      events,
      log,
    }),
    menu: createKeyMenu({
      calls: callRows,
      dnc: leads.dnc,
      agentPhones,
      audit,
      events,
      allowedCountries: config.ALLOWED_COUNTRIES,
    }),
    recordings: createRecordingService({
      calls: callRows,
      download: core.recordingDownload,
      notifier: posts,
      events,
      clock,
      log,
      keyring: core.keyring,
      publicBaseUrl: config.PUBLIC_BASE_URL,
    }),
    outcomes: createOutcomeService({
      calls: callRows,
      leads: leads.leads,
      dnc: leads.dnc,
      events,
      admins: core.admins,
      clock,
    }),
  };
}

export function createCallsDomain(
  core: Core,
  leads: LeadsDomain,
  inputs: ContainerInputs,
  callerId: CallerIdDomain["callerId"],
): CallsDomain {
  const { clock, log, events, twilioFor } = core;
  const stores = callStores(core);
  const { callRows } = stores;
  const { agentPhones, contexts, readiness } = callReadinessParts(core);
  const posts = createCallPosts({
    posts: stores.postStore,
    messengers: core.messengers,
    privacy: core.settings,
    clock,
    log,
    lockMs: inputs.postLeaseMs,
  });
  posts.subscribe(events);
  const recordPlaced = createRecordPlaced({ calls: callRows, events, clock });
  const reconciler = createReconciler({
    calls: callRows,
    leads: leads.leads,
    twilioFor,
    notifier: posts,
    recordPlaced,
    clock,
    log,
  });
  const { browserPhone, calls } = callPlacing(core, leads, inputs, {
    callRows,
    contexts,
    readiness,
    recordPlaced,
    reconciler,
    posts,
    callerId,
  });
  return {
    callRows,
    callLookup: createCallLookup({ calls: callRows, leads: leads.leads }),
    agentPhones,
    contexts,
    recordPlaced,
    readiness,
    calls,
    reconciler,
    posts,
    ...callFollowers(core, stores, posts, reconciler, inputs),
    browserPhone,
    ...callResponders(core, leads, callRows, agentPhones, posts),
  };
}
