import type { CrmProvider, CrmProviderModule } from "../services/crm/connector.js";
import { type CrmInbound, type CrmWebhooks, createCrmInbound, crmWebhooks } from "../services/crm/crm-inbound.js";
import { CRM_KEY_SECRET, createCrmSetup } from "../services/crm/crm-setup.js";
import { type CrmSetups, createCrmSetups } from "../services/crm/crm-setups.js";
import { createCrmStore } from "../services/crm/crm-store.js";
import { createOutboxFactsStore } from "../services/crm/outbox-facts-store.js";
import { createOutboxSender, type OutboxSender } from "../services/crm/outbox-sender.js";
import { createOutboxStore } from "../services/crm/outbox-store.js";
import { CRM_PROVIDERS } from "../services/crm/providers.js";
import type { ContainerInputs, Core } from "./core.js";
import type { LeadsDomain } from "./leads.js";

/** The team's CRM: every adapter of the registry (providers.ts), each workspace using the one it connected. */
export interface CrmDomain {
  crmSetup: CrmSetups;
  crmWebhooks: CrmWebhooks;
  crmSender: OutboxSender;
}

/** Each registered adapter, built from its settings (read at start by config.ts). */
function buildProviders(core: Core, modules: readonly CrmProviderModule[], timeoutMs: number | undefined) {
  const providers = new Map<string, { module: CrmProviderModule; provider: CrmProvider }>();
  for (const module of modules) {
    if (!/^[a-z0-9-]{1,40}$/.test(module.id) || providers.has(module.id))
      throw new Error(`CRM provider id "${module.id}" must be unique, lower case letters, digits and dashes`);
    if (!(module.id in core.config.crm))
      throw new Error(`CRM provider "${module.id}": its settings were not read (pass it to loadConfig)`);
    const provider = module.create(core.config.crm[module.id], { timeoutMs });
    if (provider.id !== module.id)
      throw new Error(`CRM provider "${module.id}" made an adapter named "${provider.id}"`);
    providers.set(module.id, { module, provider });
  }
  return providers;
}

export function createCrmDomain(core: Core, leads: LeadsDomain, inputs: ContainerInputs): CrmDomain {
  const { config, database, clock, log, events } = core;
  const providers = buildProviders(core, inputs.crmProviders ?? CRM_PROVIDERS, inputs.crmTimeoutMs);
  const store = createCrmStore(core.db);
  const outbox = createOutboxStore(database);
  const apiKeyOf = (ws: number) => core.secrets.get(ws, CRM_KEY_SECRET);
  /** The adapter the workspace's stored connection names, with its key. */
  const crmOf = async (ws: number) => {
    const connection = await store.connection(ws);
    const found = connection && providers.get(connection.provider);
    const apiKey = found ? await apiKeyOf(ws) : undefined;
    return found && apiKey ? { provider: found.provider, apiKey } : undefined;
  };
  const crmSender = createOutboxSender({
    outbox,
    facts: createOutboxFactsStore(core.db),
    store,
    crmOf,
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
  const inbound = new Map<string, CrmInbound>();
  const setups = [...providers.values()].map(({ module, provider }) => {
    inbound.set(
      provider.id,
      createCrmInbound({ provider, store, apiKeyOf, intake: leads.leadIntake, leads: leads.leads, log }),
    );
    const setup = createCrmSetup({
      provider,
      store,
      outbox,
      secrets: core.secrets,
      admins: core.admins,
      audit: core.audit,
      slackUserIdByEmail: async (ws, email) => (await core.slackFor(ws)).userIdByEmail(email),
      webhookUrl: (ws) => (base ? `${base}/crm/${provider.id}/webhook?ws=${ws}` : undefined),
      now: () => clock.now(),
      retried: () => crmSender.hurry(),
    });
    return { choice: { id: module.id, name: module.name, setup: module.setup }, setup };
  });
  return {
    crmSender,
    crmWebhooks: crmWebhooks(inbound),
    crmSetup: createCrmSetups({ setups, store }),
  };
}
