import type { CrmSetupAsks } from "./connector.js";
import type { CrmSetup } from "./crm-setup.js";
import type { CrmStore } from "./crm-store.js";

/** A CRM /crm-setup can connect: its id, its name, what its form asks for. */
export interface CrmChoice {
  id: string;
  name: string;
  setup: CrmSetupAsks;
}

/**
 * /crm-setup over every registered CRM. A workspace's stored connection names its CRM, and status,
 * retry, map and disconnect go to that one; `connect` goes to the CRM asked for (the connected one,
 * else the registry's first, when none is named). Connecting another CRM replaces the connection.
 */
export interface CrmSetups extends Omit<CrmSetup, "connect"> {
  connect(ws: number, by: string, apiKey: string, provider?: string): ReturnType<CrmSetup["connect"]>;
  /** The CRM a workspace's /crm-setup is about: the connected one, else the registry's first. */
  current(ws: number): Promise<CrmChoice>;
  /** Every CRM that can be connected, the default first. */
  readonly choices: readonly CrmChoice[];
}

export function createCrmSetups(deps: {
  /** One setup per CRM, in the registry's order, each built with its adapter. */
  setups: readonly { choice: CrmChoice; setup: CrmSetup }[];
  store: Pick<CrmStore, "connection">;
}): CrmSetups {
  const [first] = deps.setups;
  if (!first) throw new Error("no CRM is registered (src/services/crm/providers.ts)");
  const byId = new Map(deps.setups.map((entry) => [entry.choice.id, entry]));
  const of = async (ws: number) => byId.get((await deps.store.connection(ws))?.provider ?? "") ?? first;
  return {
    choices: deps.setups.map((entry) => entry.choice),
    current: async (ws) => (await of(ws)).choice,
    async connect(ws, by, apiKey, provider) {
      const entry = provider === undefined ? await of(ws) : byId.get(provider);
      if (!entry) throw new Error(`no CRM "${provider}" is registered`);
      return entry.setup.connect(ws, by, apiKey);
    },
    status: async (ws, by) => (await of(ws)).setup.status(ws, by),
    retry: async (ws, by) => (await of(ws)).setup.retry(ws, by),
    mapUser: async (ws, by, slackUserId, email) => (await of(ws)).setup.mapUser(ws, by, slackUserId, email),
    disconnect: async (ws, by) => (await of(ws)).setup.disconnect(ws, by),
  };
}
