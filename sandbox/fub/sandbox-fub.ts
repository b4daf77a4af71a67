import { randomBytes } from "node:crypto";
import type { Leadline } from "../../src/app.js";
import type { Logger } from "../../src/lib/log.js";
import { type FubSimulator, startFubSimulator } from "./simulator.js";

// The sandbox's Follow Up Boss: the simulator with Leadline registered as a system and an account owner
// whose key the console shows (a simulator key, not a secret). The console connects it (POST
// /sandbox/fub {"connect": true}, as an admin would with /crm-setup) and shows what FUB received.

export interface SandboxFub {
  sim: FubSimulator;
  /** Leadline's environment for it: FUB_API_URL, FUB_SYSTEM, FUB_SYSTEM_KEY. */
  env: Record<string, string>;
  ownerKey: string;
  /** What FUB holds now: its people and the calls and texts Leadline logged, newest first. */
  view(): Record<string, unknown>;
  /** The console's "connect": Leadline checks the owner's key with FUB and stores it, as /crm-setup does. */
  connect(
    leadline: Leadline,
    ws: number,
    admin: string,
  ): Promise<{ ok: true; account: string; matched: number } | { ok: false; error: string }>;
}

export async function startSandboxFub(log: Logger, appUrl: () => string): Promise<SandboxFub> {
  const system = { name: "Leadline", key: randomBytes(24).toString("hex") };
  const sim = await startFubSimulator({ systems: [system], log });
  const owner = sim.addUser({ name: "Sandbox Owner", email: "owner@sandbox.test", role: "Broker", isOwner: true });
  return {
    sim,
    env: { FUB_API_URL: sim.url, FUB_SYSTEM: system.name, FUB_SYSTEM_KEY: system.key },
    ownerKey: owner.apiKey,
    view: () => ({
      url: sim.url,
      apiKey: owner.apiKey,
      people: [...sim.people.values()].slice(-20).reverse(),
      calls: [...sim.calls.values()].slice(-20).reverse(),
      texts: [...sim.texts.values()].slice(-20).reverse(),
      requests: sim.requests.slice(-30).map((r) => ({ op: r.op, status: r.status, system: r.system })),
      deliveries: sim.deliveries.slice(-10).map((d) => ({ event: d.event, status: d.status, ids: d.resourceIds })),
    }),
    async connect(leadline, ws, admin) {
      try {
        const connected = await leadline.deps.crmSetup.connect(ws, admin, owner.apiKey);
        // FUB was told Leadline's public address; in the sandbox that is this machine.
        for (const hook of sim.webhooks.values()) hook.url = `${appUrl()}/crm/fub/webhook?ws=${ws}`;
        return { ok: true as const, account: connected.accountName, matched: connected.matched.length };
      } catch (error) {
        return { ok: false as const, error: (error as Error).message };
      }
    },
  };
}
