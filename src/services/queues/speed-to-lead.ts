import type { CallQueue, Lead, SpeedClaim } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { UserError } from "../../lib/errors.js";
import type { AdminGate } from "../setup/admin-gate.js";
import type { SecretStore } from "../store/secrets.js";
import { parseStoredFilter } from "./queue-filter.js";
import type { SpeedStore } from "./speed-store.js";

/** Minutes a new lead may wait unclaimed before the channel is told (a workspace's own limit, else this). */
export const SPEED_DEFAULT_MIN = 5;
const LIMIT_NAME = "queues.speedToLeadMin";
/** Rows looked at per tick (escalations, timers): a burst of leads is worked through over a few ticks. */
const PER_TICK = 20;

/** What a speed-to-lead message shows (views/speed-to-lead.ts). */
export interface SpeedState {
  row: SpeedClaim;
  lead: Lead;
  limitMin: number;
  queues?: string[];
}

/**
 * Speed to lead: a new lead from the lead API, a CSV or the CRM waits for a Claim. The first claim wins
 * (a conditional write, whichever instance takes it); past the workspace's limit the lead is escalated
 * once (one instance's conditional write) and goes to the front of every queue that takes it
 * (claim-pick-store.ts orders escalated, unclaimed, never-contacted leads first).
 */
export interface SpeedToLead {
  register(ws: number, leadId: number, channel: string, arrivedAt: Date): Promise<SpeedState | undefined>;
  posted(row: SpeedClaim, ts: string): Promise<void>;
  claim(ws: number, leadId: number, agentId: string): Promise<{ won: boolean; state: SpeedState }>;
  /** Escalates the leads past their limit that this instance gets to (each once); their states, with the queues. */
  escalateDue(): Promise<SpeedState[]>;
  /** Leads still waiting (their timers are redrawn). */
  waiting(): Promise<SpeedState[]>;
  limitMin(ws: number): Promise<number>;
  setLimit(ws: number, by: string, minutes: number): Promise<number>;
}

/** Whether a queue's filter takes a brand-new lead (no calls yet, so no last outcome and no callback due). */
export function queueTakesNewLead(queue: CallQueue, lead: Lead): boolean {
  const filter = parseStoredFilter(queue.filter);
  if (filter.owner && lead.ownerSlackId !== filter.owner) return false;
  if (filter.source && (lead.source ?? "").toLowerCase() !== filter.source.toLowerCase()) return false;
  if (filter.state && (lead.state ?? "").toUpperCase() !== filter.state) return false;
  if (filter.lastOutcome || filter.callbackDue) return false;
  if (filter.neverCalled && lead.lastContactedAt) return false;
  return Boolean(lead.phone);
}

export function createSpeedToLead(deps: {
  store: SpeedStore;
  leads: { get(ws: number, id: number): Promise<Lead | null | undefined> };
  queues: { list(ws: number): Promise<CallQueue[]> };
  secrets: Pick<SecretStore, "get" | "setMany">;
  gate: AdminGate;
  clock: Clock;
}): SpeedToLead {
  const limitMin = async (ws: number) => {
    const stored = Number(await deps.secrets.get(ws, LIMIT_NAME));
    return Number.isInteger(stored) && stored > 0 ? stored : SPEED_DEFAULT_MIN;
  };
  const stateOf = async (row: SpeedClaim, queues?: string[]): Promise<SpeedState | undefined> => {
    const lead = await deps.leads.get(row.workspaceId, row.leadId);
    return lead ? { row, lead, limitMin: await limitMin(row.workspaceId), queues } : undefined;
  };
  const states = async (rows: SpeedClaim[]) =>
    (await Promise.all(rows.map((row) => stateOf(row)))).filter((s): s is SpeedState => s !== undefined);

  return {
    async register(ws, leadId, channel, arrivedAt) {
      const limit = await limitMin(ws);
      const dueAt = new Date(arrivedAt.getTime() + limit * 60_000);
      const row = await deps.store.create({ ws, leadId, channel, arrivedAt, dueAt });
      return row ? stateOf(row) : undefined;
    },
    posted: (row, ts) => deps.store.setMessage(row.id, ts),
    async claim(ws, leadId, agentId) {
      const won = await deps.store.claim(ws, leadId, agentId, deps.clock.now());
      const row = await deps.store.byLead(ws, leadId);
      const state = row && (await stateOf(row));
      if (!state) throw UserError.of("speed_unknown");
      return { won, state };
    },
    async escalateDue() {
      const escalated: SpeedState[] = [];
      for (const row of await deps.store.due(deps.clock.now(), PER_TICK)) {
        if (!(await deps.store.escalate(row.id, deps.clock.now()))) continue;
        const state = await stateOf((await deps.store.byLead(row.workspaceId, row.leadId)) ?? row);
        if (!state) continue;
        const queues = await deps.queues.list(row.workspaceId);
        state.queues = queues.filter((queue) => queueTakesNewLead(queue, state.lead)).map((queue) => queue.name);
        escalated.push(state);
      }
      return escalated;
    },
    waiting: async () => states(await deps.store.waiting(PER_TICK)),
    limitMin,
    async setLimit(ws, by, minutes) {
      await deps.gate.require(ws, by, "queues", { action: "speed" });
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)
        throw UserError.of("speed_limit_invalid", { min: 1, max: 1440 });
      await deps.secrets.setMany(ws, { [LIMIT_NAME]: String(minutes) }, by);
      return minutes;
    },
  };
}
