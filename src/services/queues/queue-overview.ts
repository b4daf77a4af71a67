import type { ClaimStore } from "./claim-store.js";
import { parseStoredFilter } from "./queue-filter.js";
import type { QueueStore } from "./queue-store.js";

/** A queue as App Home lists it for one agent. */
export interface QueueSummary {
  id: number;
  name: string;
  /** Leads still in the queue (matching it, not done with, under its max attempts). */
  left: number;
  /** The agent has a run of this queue going (ringing or live). */
  running: boolean;
}

export interface QueueOverview {
  /** The workspace's first `limit` queues (by name) with what is left in each, and how many queues there are. */
  forAgent(ws: number, agentId: string, limit: number): Promise<{ queues: QueueSummary[]; total: number }>;
}

export function createQueueOverview(deps: {
  queues: Pick<QueueStore, "list" | "liveRunsOf">;
  claims: Pick<ClaimStore, "leftCount">;
}): QueueOverview {
  return {
    async forAgent(ws, agentId, limit) {
      const [all, runs] = await Promise.all([deps.queues.list(ws), deps.queues.liveRunsOf(ws, agentId)]);
      const shown = all.slice(0, limit);
      const lefts = await Promise.all(
        shown.map((queue) =>
          deps.claims.leftCount({
            ws,
            queueId: queue.id,
            filter: parseStoredFilter(queue.filter),
            maxAttempts: queue.maxAttempts,
          }),
        ),
      );
      const running = new Set(runs.map((run) => run.queueId));
      return {
        queues: shown.map((queue, i) => ({
          id: queue.id,
          name: queue.name,
          left: lefts[i] ?? 0,
          running: running.has(queue.id),
        })),
        total: all.length,
      };
    },
  };
}
