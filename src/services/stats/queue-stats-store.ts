import { type DatabaseHandle, statements } from "../store/db.js";
import type { StatsQuery } from "./stats-store.js";

/** One queue's numbers over a range: its calls (as /call-stats counts calls), connects, skips by reason. */
export interface QueueStatsRow {
  queueId: number;
  name: string;
  /** The queue was deleted since (its numbers stay). */
  deleted: boolean;
  calls: number;
  connected: number;
  talkSec: number;
  /** Skips by reason (the agent's reasons and the law's), snoozes under `snooze`. */
  skipsByReason: Record<string, number>;
}

export interface QueueStatsStore {
  /** Per queue, over the range (and the agent's, when given): queues with no dial and no skip in it are left out. */
  stats(query: StatsQuery): Promise<QueueStatsRow[]>;
}

// As stats-store.ts counts a call: placed when Twilio took it; connected when it completed, no machine
// answered and it lasted. Qualified here: the claim's columns share some names with the call's.
const PLACED = `a."twilioSid" IS NOT NULL`;
const CONNECTED = `(${PLACED} AND a."status" = 'completed' AND (a."answeredBy" IS NULL OR a."answeredBy" NOT LIKE 'machine%') AND COALESCE(a."durationSec", 0) > 0)`;

export function createQueueStatsStore(database: DatabaseHandle): QueueStatsStore {
  const { rows } = statements(database);
  const db = database.prisma;
  return {
    async stats(query) {
      const agent = query.agentId ? ` AND "agentId" = ?` : "";
      const agentParams = query.agentId ? [query.agentId] : [];
      // Calls by the claim's dial time (a queue's call is created as it is dialled), skips by their own.
      const [calls, skips] = await Promise.all([
        rows<{ queueId: unknown; calls: unknown; connected: unknown; talk: unknown }>(
          `SELECT q."queueId" AS "queueId", sum(CASE WHEN ${PLACED} THEN 1 ELSE 0 END) AS calls,
                  sum(CASE WHEN ${CONNECTED} THEN 1 ELSE 0 END) AS connected,
                  sum(CASE WHEN ${CONNECTED} THEN COALESCE(a."durationSec", 0) ELSE 0 END) AS talk
             FROM "QueueClaim" q JOIN "Call" a ON a."id" = q."callId"
            WHERE q."workspaceId" = ? AND q."dialedAt" >= ?::timestamp(3) AND q."dialedAt" < ?::timestamp(3)${agent.replace('"agentId"', 'q."agentId"')}
            GROUP BY q."queueId"`,
          query.ws,
          query.from,
          query.to,
          ...agentParams,
        ),
        rows<{ queueId: unknown; reason: string; n: unknown }>(
          `SELECT "queueId" AS "queueId", "reason" AS reason, count(*) AS n FROM "QueueSkip"
            WHERE "workspaceId" = ? AND "createdAt" >= ?::timestamp(3) AND "createdAt" < ?::timestamp(3)${agent}
            GROUP BY "queueId", "reason"`,
          query.ws,
          query.from,
          query.to,
          ...agentParams,
        ),
      ]);
      const byQueue = new Map<number, QueueStatsRow>();
      const row = (queueId: number) => {
        let found = byQueue.get(queueId);
        if (!found) {
          found = { queueId, name: "", deleted: false, calls: 0, connected: 0, talkSec: 0, skipsByReason: {} };
          byQueue.set(queueId, found);
        }
        return found;
      };
      for (const call of calls) {
        const into = row(Number(call.queueId));
        into.calls = Number(call.calls ?? 0);
        into.connected = Number(call.connected ?? 0);
        into.talkSec = Number(call.talk ?? 0);
      }
      for (const skip of skips) row(Number(skip.queueId)).skipsByReason[skip.reason] = Number(skip.n ?? 0);
      const queues = await db.callQueue.findMany({
        where: { workspaceId: query.ws, id: { in: [...byQueue.keys()] } },
        select: { id: true, name: true, deletedAt: true },
      });
      for (const queue of queues) {
        const into = byQueue.get(queue.id)!;
        into.name = queue.name;
        into.deleted = queue.deletedAt !== null;
      }
      const skipped = (r: QueueStatsRow) => Object.values(r.skipsByReason).reduce((a, b) => a + b, 0);
      return [...byQueue.values()]
        .filter((r) => r.name !== "")
        .sort((a, b) => b.calls - a.calls || skipped(b) - skipped(a) || a.name.localeCompare(b.name));
    },
  };
}
