import type { SpeedClaim } from "@prisma/client";
import { retryBusy } from "../store/busy.js";
import { type DatabaseHandle, statements } from "../store/db.js";

/** Speed to lead's rows: one per new lead posted with Claim (see SpeedClaim in the schema). */
export interface SpeedStore {
  /** Records the posted lead; undefined when it already has a row (the lead was posted once). */
  create(data: {
    ws: number;
    leadId: number;
    channel: string;
    arrivedAt: Date;
    dueAt: Date;
  }): Promise<SpeedClaim | undefined>;
  setMessage(id: number, ts: string): Promise<void>;
  byLead(ws: number, leadId: number): Promise<SpeedClaim | undefined>;
  /** The first claim wins: true only for the claimer whose write found the lead unclaimed. */
  claim(ws: number, leadId: number, agentId: string, now: Date): Promise<boolean>;
  /** Rows past due, unclaimed and not yet escalated. */
  due(now: Date, limit: number): Promise<SpeedClaim[]>;
  /** Marks a row escalated; true for the one instance whose write did it. */
  escalate(id: number, now: Date): Promise<boolean>;
  /** Unclaimed, unescalated rows (their cards show a waiting timer). */
  waiting(limit: number): Promise<SpeedClaim[]>;
}

export function createSpeedStore(database: DatabaseHandle): SpeedStore {
  const db = database.prisma;
  const { write } = statements(database);
  // The conditional writes two instances race on go through the pool (SQLite: tried again while busy).
  const race = (sql: string, ...params: unknown[]) => retryBusy(() => write(sql, ...params));
  return {
    async create({ ws, leadId, channel, arrivedAt, dueAt }) {
      try {
        return await db.speedClaim.create({ data: { workspaceId: ws, leadId, channel, arrivedAt, dueAt } });
      } catch (error) {
        if ((error as { code?: string }).code === "P2002") return undefined;
        throw error;
      }
    },
    async setMessage(id, ts) {
      await db.speedClaim.update({ where: { id }, data: { messageTs: ts } });
    },
    async byLead(ws, leadId) {
      return (await db.speedClaim.findFirst({ where: { workspaceId: ws, leadId } })) ?? undefined;
    },
    async claim(ws, leadId, agentId, now) {
      const done = await race(
        `UPDATE "SpeedClaim" SET "claimedBy" = ?, "claimedAt" = ?::timestamp(3)
          WHERE "workspaceId" = ? AND "leadId" = ? AND "claimedBy" IS NULL`,
        agentId,
        now,
        ws,
        leadId,
      );
      return done === 1;
    },
    due: (now, limit) =>
      db.speedClaim.findMany({
        where: { claimedBy: null, escalatedAt: null, dueAt: { lte: now } },
        orderBy: { dueAt: "asc" },
        take: limit,
      }),
    async escalate(id, now) {
      const done = await race(
        `UPDATE "SpeedClaim" SET "escalatedAt" = ?::timestamp(3) WHERE "id" = ? AND "claimedBy" IS NULL AND "escalatedAt" IS NULL`,
        now,
        id,
      );
      return done === 1;
    },
    waiting: (limit) =>
      db.speedClaim.findMany({
        where: { claimedBy: null, escalatedAt: null, messageTs: { not: null } },
        orderBy: { dueAt: "asc" },
        take: limit,
      }),
  };
}
