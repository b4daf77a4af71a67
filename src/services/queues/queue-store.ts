import type { CallQueue, QueueRun } from "@prisma/client";
import type { DatabaseHandle } from "../store/db.js";
import { nameKeyOf, type QueueSettings } from "./queue-filter.js";

/** Queues and runs: every query of them. Claims and skips are in claim-store.ts. */
export interface QueueStore {
  /** Creates a queue; undefined when the workspace already has one by that name. */
  create(ws: number, settings: QueueSettings, by: string): Promise<CallQueue | undefined>;
  /** Saves an edit (bumps the version); undefined when the name is taken; false when the queue is gone. */
  update(ws: number, id: number, settings: QueueSettings): Promise<CallQueue | undefined | false>;
  /** Soft delete (its runs, claims and skips stay for stats); frees the name. */
  remove(ws: number, id: number, now: Date): Promise<boolean>;
  byId(ws: number, id: number): Promise<CallQueue | undefined>;
  byName(ws: number, name: string): Promise<CallQueue | undefined>;
  list(ws: number): Promise<CallQueue[]>;
  startRun(data: {
    ws: number;
    queueId: number;
    agentId: string;
    conference: string;
    channel?: string;
  }): Promise<QueueRun>;
  runById(id: number): Promise<QueueRun | undefined>;
  runByConference(conference: string): Promise<QueueRun | undefined>;
  /** The agent's runs not ended (at most one is allowed to start). */
  liveRunsOf(ws: number, agentId: string): Promise<QueueRun[]>;
  updateRun(
    id: number,
    data: Partial<
      Pick<
        QueueRun,
        | "status"
        | "agentCallSid"
        | "conferenceSid"
        | "cardTs"
        | "channel"
        | "listenerId"
        | "listenMode"
        | "listenCallSid"
      >
    >,
  ): Promise<void>;
  /** Where the run's card was posted: saved even when the run ended meanwhile (else the next draw posts it again). */
  saveCard(id: number, channel: string, ts: string): Promise<void>;
  /** Ends a run once; false when it had already ended. */
  endRun(id: number, reason: string, now: Date): Promise<boolean>;
  /** The workspace's runs not ended, oldest first, with their queue's name. */
  liveRunsIn(ws: number, limit: number): Promise<(QueueRun & { queue: { name: string } })[]>;
  /**
   * Runs whose agent's line may need a word with Twilio: runs not ended that rang the agent and changed
   * nothing since `before`, and runs ended between `since` and `before` other than by the line itself (its
   * hang-up may have failed).
   */
  linesToCheck(since: Date, before: Date, limit: number): Promise<QueueRun[]>;
  /** The calls a run placed: each one's status and length, and whether its claim is still live. */
  runCalls(runId: number): Promise<{ status: string; durationSec: number | null; live: boolean }[]>;
}

const isUnique = (error: unknown) => (error as { code?: string }).code === "P2002";

export function createQueueStore(database: DatabaseHandle): QueueStore {
  const db = database.prisma;
  const columns = (settings: QueueSettings) => ({
    name: settings.name,
    nameKey: nameKeyOf(settings.name),
    filter: JSON.stringify(settings.filter),
    orderBy: settings.orderBy,
    recallGapMin: settings.recallGapMin,
    maxAttempts: settings.maxAttempts,
    removeOutcomes: settings.removeOutcomes.join(","),
    autoAdvanceSec: settings.autoAdvanceSec,
  });
  return {
    async create(ws, settings, by) {
      try {
        return await db.callQueue.create({ data: { workspaceId: ws, createdBy: by, ...columns(settings) } });
      } catch (error) {
        if (isUnique(error)) return undefined;
        throw error;
      }
    },
    async update(ws, id, settings) {
      try {
        const done = await db.callQueue.updateMany({
          where: { id, workspaceId: ws, deletedAt: null },
          data: { ...columns(settings), version: { increment: 1 } },
        });
        if (done.count !== 1) return false;
        return (await db.callQueue.findUnique({ where: { id } })) ?? false;
      } catch (error) {
        if (isUnique(error)) return undefined;
        throw error;
      }
    },
    async remove(ws, id, now) {
      const done = await db.callQueue.updateMany({
        where: { id, workspaceId: ws, deletedAt: null },
        data: { deletedAt: now, nameKey: `#deleted:${id}`, version: { increment: 1 } },
      });
      return done.count === 1;
    },
    async byId(ws, id) {
      return (await db.callQueue.findFirst({ where: { id, workspaceId: ws, deletedAt: null } })) ?? undefined;
    },
    async byName(ws, name) {
      return (
        (await db.callQueue.findFirst({ where: { workspaceId: ws, nameKey: nameKeyOf(name), deletedAt: null } })) ??
        undefined
      );
    },
    list: (ws) => db.callQueue.findMany({ where: { workspaceId: ws, deletedAt: null }, orderBy: { name: "asc" } }),
    startRun: ({ ws, queueId, agentId, conference, channel }) =>
      db.queueRun.create({ data: { workspaceId: ws, queueId, agentId, conference, channel: channel ?? null } }),
    async runById(id) {
      return (await db.queueRun.findUnique({ where: { id } })) ?? undefined;
    },
    async runByConference(conference) {
      return (await db.queueRun.findUnique({ where: { conference } })) ?? undefined;
    },
    liveRunsOf: (ws, agentId) =>
      db.queueRun.findMany({ where: { workspaceId: ws, agentId, status: { not: "ended" } }, orderBy: { id: "asc" } }),
    async updateRun(id, data) {
      await db.queueRun.updateMany({ where: { id, status: { not: "ended" } }, data });
    },
    async saveCard(id, channel, ts) {
      await db.queueRun.updateMany({ where: { id, cardTs: null }, data: { channel, cardTs: ts } });
    },
    async endRun(id, reason, now) {
      const done = await db.queueRun.updateMany({
        where: { id, status: { not: "ended" } },
        data: { status: "ended", endReason: reason, endedAt: now },
      });
      return done.count === 1;
    },
    liveRunsIn: (ws, limit) =>
      db.queueRun.findMany({
        where: { workspaceId: ws, status: { not: "ended" } },
        include: { queue: { select: { name: true } } },
        orderBy: { startedAt: "asc" },
        take: limit,
      }),
    linesToCheck: (since, before, limit) =>
      db.queueRun.findMany({
        where: {
          agentCallSid: { not: null },
          OR: [
            { status: { not: "ended" }, updatedAt: { lt: before } },
            { endedAt: { gte: since, lt: before }, NOT: { endReason: { startsWith: "agent_" } } },
          ],
        },
        orderBy: { id: "asc" },
        take: limit,
      }),
    async runCalls(runId) {
      const claims = await db.queueClaim.findMany({
        where: { runId, callId: { not: null } },
        select: { callId: true, liveLeadId: true },
      });
      const calls = await db.call.findMany({
        where: { id: { in: claims.map((claim) => claim.callId!) } },
        select: { id: true, status: true, durationSec: true },
      });
      return calls.map((call) => ({
        status: call.status,
        durationSec: call.durationSec,
        live: claims.some((claim) => claim.callId === call.id && claim.liveLeadId !== null),
      }));
    },
  };
}
