import { createTextPosts } from "../presenters/text-posts.js";
import { createTextSender } from "../services/callerid/text-sender.js";
import { type A2pGate, createA2pGate } from "../services/texts/a2p.js";
import { createTextInbound, type TextInbound } from "../services/texts/text-inbound.js";
import { createTextOutbox, type TextOutbox } from "../services/texts/text-outbox.js";
import { createTextService, type TextService } from "../services/texts/text-service.js";
import { createTextStore, type TextStore } from "../services/texts/text-store.js";
import type { CallerIdDomain } from "./callerid.js";
import type { ContainerInputs, Core } from "./core.js";
import type { LeadsDomain } from "./leads.js";

/** Texts (SMS): sending under the law, Twilio's status callbacks, inbound texts and STOP, the outbox that posts them. */
export interface TextsDomain {
  textRows: TextStore;
  texts: TextService;
  textInbound: TextInbound;
  textOutbox: TextOutbox;
  a2p: A2pGate;
}

export function createTextsDomain(
  core: Core,
  leads: LeadsDomain,
  inputs: ContainerInputs,
  callerId: CallerIdDomain["callerId"],
): TextsDomain {
  const { config, clock, log, events, tasks } = core;
  const textRows = createTextStore(core.db);
  const posts = createTextPosts({
    store: textRows,
    leads: leads.leads,
    settings: core.settings,
    slackFor: core.slackFor,
    events,
    leadsChannel: config.LEADS_CHANNEL_ID,
    log,
  });
  const a2p = createA2pGate({ twilioFor: core.twilioFor, clock, log });
  let texts: TextService | undefined;
  const textInbound = createTextInbound({
    store: textRows,
    leads: leads.leads,
    settings: core.settings,
    texts: () => texts!,
    notifier: posts,
    events,
    clock,
    log,
  });
  texts = createTextService({
    store: textRows,
    leads: leads.leads,
    settings: core.settings,
    compliance: leads.compliance,
    reader: core.db,
    twilioFor: core.twilioFor,
    a2p,
    notifier: posts,
    audit: core.audit,
    optOut: (ws, phone, source) => textInbound.optOut(ws, phone, source),
    teamNameOf: async (ws) => (await textRows.workspaceName(ws)) ?? "Your agent's team",
    clock,
    log,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    sender: createTextSender({ callerId, twilioFor: core.twilioFor, now: () => clock.now(), log, events }),
  });
  const textOutbox = createTextOutbox({
    store: textRows,
    poster: posts,
    tasks,
    clock,
    log,
    paceMs: inputs.textPaceMs,
    leaseMs: inputs.textLeaseMs,
  });
  events.on("text.received", () => textOutbox.poke());
  return { textRows, texts, textInbound, textOutbox, a2p };
}
