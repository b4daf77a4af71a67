import { type CrmInbound, createCrmInbound } from "../services/crm/crm-inbound.js";
import { CRM_KEY_SECRET, type CrmSetup, createCrmSetup } from "../services/crm/crm-setup.js";
import { createCrmStore } from "../services/crm/crm-store.js";
import { createFubProvider } from "../services/crm/fub.js";
import { createOutboxFactsStore } from "../services/crm/outbox-facts-store.js";
import { createOutboxSender, type OutboxSender } from "../services/crm/outbox-sender.js";
import { createOutboxStore } from "../services/crm/outbox-store.js";
import type { ContainerInputs, Core } from "./core.js";
import type { LeadsDomain } from "./leads.js";

/** The team's CRM: Follow Up Boss through the connector port; another CRM is another provider here. */
export interface CrmDomain {
  crmSetup: CrmSetup;
  crmInbound: CrmInbound;
  crmSender: OutboxSender;
  /** The connected CRM's name in words ("Follow Up Boss"). */
  crmName: string;
}

export function createCrmDomain(core: Core, leads: LeadsDomain, inputs: ContainerInputs): CrmDomain {
  const { config, database, clock, log, events } = core;
  const provider = createFubProvider({
    apiUrl: config.FUB_API_URL,
    system: config.FUB_SYSTEM,
    systemKey: config.FUB_SYSTEM_KEY,
    timeoutMs: inputs.crmTimeoutMs,
  });
  const store = createCrmStore(core.db);
  const outbox = createOutboxStore(database);
  const apiKeyOf = (ws: number) => core.secrets.get(ws, CRM_KEY_SECRET);
  const crmSender = createOutboxSender({
    outbox,
    facts: createOutboxFactsStore(core.db),
    store,
    provider,
    apiKeyOf,
    clock,
    log,
    tasks: core.tasks,
    leaseMs: inputs.crmLeaseMs,
    backoffMs: inputs.crmBackoffMs,
    every: inputs.crmEvery,
    crashPoint: inputs.crashPoint,
  });
  // The rows are written with the call's end and the outcome; these only make the sender look now.
  events.on("call.ended", () => crmSender.hurry());
  events.on("call.outcome", () => crmSender.hurry());
  const base = config.PUBLIC_BASE_URL;
  return {
    crmSender,
    crmName: provider.name,
    crmInbound: createCrmInbound({ provider, store, apiKeyOf, intake: leads.leadIntake, leads: leads.leads, log }),
    crmSetup: createCrmSetup({
      provider,
      store,
      outbox,
      secrets: core.secrets,
      admins: core.admins,
      audit: core.audit,
      slackUserIdByEmail: async (ws, email) => (await core.slackFor(ws)).userIdByEmail(email),
      webhookUrl: (ws) => (base ? `${base}/crm/fub/webhook?ws=${ws}` : undefined),
      now: () => clock.now(),
      retried: () => crmSender.hurry(),
    }),
  };
}
