import type { PoolNumber as PoolRow } from "@prisma/client";
import { type DatabaseHandle, statements } from "../store/db.js";
import { type DayCount, DEFAULT_DAILY_CAP } from "./pick.js";

/** A number as Twilio lists it on a refresh. */
export interface AccountNumber {
  number: string;
  twilioSid: string;
  areaCode: string | null;
  state: string | null;
  timeZone: string;
  routesInbound: boolean;
}

export interface NumberUsage {
  /** Calls from the number since `since` (the last seven days) and how many of them were answered. */
  week: number;
  answered: number;
}

/**
 * The caller-ID pool's rows: the account's numbers as last read from Twilio, each lead's sticky
 * number, each number's count of calls per local day, and the workspace's daily cap.
 */
export interface CallerIdStore {
  /** The account's numbers Twilio still lists (released ones left out). */
  numbers(ws: number): Promise<PoolRow[]>;
  /** Writes Twilio's list: new numbers join out of the pool; numbers Twilio no longer lists are released. */
  sync(ws: number, listed: readonly AccountNumber[], now: Date): Promise<{ released: PoolRow[] }>;
  setInPool(ws: number, number: string, inPool: boolean, routesInbound?: boolean): Promise<boolean>;
  setRouting(ws: number, number: string, routesInbound: boolean): Promise<void>;
  /** The number left the account: out of the pool, never picked. True the first time only. */
  markReleased(ws: number, number: string, now: Date): Promise<boolean>;
  sticky(ws: number, leadId: number): Promise<string | undefined>;
  remember(ws: number, leadId: number, number: string): Promise<void>;
  /** The counts of the given local days (each number's today), by number. */
  counts(ws: number, days: readonly string[]): Promise<Map<string, DayCount>>;
  /**
   * Counts one call on the number's day, only while the count is under `cap`: one statement, so any
   * number of instances together stop at the cap exactly. False when the number is full.
   */
  reserve(ws: number, number: string, day: string, cap: number): Promise<boolean>;
  /** Gives a reserved call back (the call was not placed). */
  unreserve(ws: number, number: string, day: string): Promise<void>;
  cap(ws: number): Promise<number>;
  setCap(ws: number, cap: number): Promise<void>;
  /** The last seven days' calls from each number, and the answered ones. */
  usage(ws: number, since: Date): Promise<Map<string, NumberUsage>>;
}

export function createCallerIdStore(database: DatabaseHandle): CallerIdStore {
  const db = database.prisma;
  const sql = statements(database);
  return {
    numbers: (ws) =>
      db.poolNumber.findMany({ where: { workspaceId: ws, releasedAt: null }, orderBy: { number: "asc" } }),

    async sync(ws, listed, now) {
      const known = await db.poolNumber.findMany({ where: { workspaceId: ws } });
      for (const number of listed) {
        const facts = { ...number, refreshedAt: now, releasedAt: null };
        await db.poolNumber.upsert({
          where: { workspaceId_number: { workspaceId: ws, number: number.number } },
          create: { workspaceId: ws, ...facts },
          update: facts,
        });
      }
      const still = new Set(listed.map((n) => n.number));
      const released = known.filter((row) => row.releasedAt === null && !still.has(row.number));
      if (released.length > 0)
        await db.poolNumber.updateMany({
          where: { workspaceId: ws, number: { in: released.map((row) => row.number) } },
          data: { releasedAt: now, inPool: false },
        });
      return { released };
    },

    async setInPool(ws, number, inPool, routesInbound) {
      const changed = await db.poolNumber.updateMany({
        where: { workspaceId: ws, number, releasedAt: null },
        data: { inPool, ...(routesInbound === undefined ? {} : { routesInbound }) },
      });
      return changed.count === 1;
    },

    async setRouting(ws, number, routesInbound) {
      await db.poolNumber.updateMany({ where: { workspaceId: ws, number }, data: { routesInbound } });
    },

    async markReleased(ws, number, now) {
      const changed = await db.poolNumber.updateMany({
        where: { workspaceId: ws, number, releasedAt: null },
        data: { releasedAt: now, inPool: false },
      });
      return changed.count === 1;
    },

    async sticky(ws, leadId) {
      const [row] = await sql.rows<{ number: string }>(
        `SELECT "number" FROM "LeadCallerId" WHERE "leadId" = ? AND "workspaceId" = ?`,
        leadId,
        ws,
      );
      return row?.number;
    },

    async remember(ws, leadId, number) {
      await db.leadCallerId.upsert({
        where: { leadId },
        create: { leadId, workspaceId: ws, number },
        update: { number },
      });
    },

    async counts(ws, days) {
      const found = new Map<string, DayCount>();
      if (days.length === 0) return found;
      const rows = await db.numberDayCount.findMany({ where: { workspaceId: ws, day: { in: [...new Set(days)] } } });
      // The newest day first, so a number's today wins over yesterday in a zone that is already tomorrow.
      for (const row of rows.sort((a, b) => b.day.localeCompare(a.day)))
        if (!found.has(row.number)) found.set(row.number, { day: row.day, count: row.count });
      return found;
    },

    async reserve(ws, number, day, cap) {
      const counted = await sql.write(
        `INSERT INTO "NumberDayCount" ("workspaceId", "number", "day", "count") VALUES (?, ?, ?, 1)
         ON CONFLICT ("workspaceId", "number", "day")
         DO UPDATE SET "count" = "NumberDayCount"."count" + 1 WHERE "NumberDayCount"."count" < ?`,
        ws,
        number,
        day,
        cap,
      );
      return cap > 0 && counted === 1;
    },

    async unreserve(ws, number, day) {
      await sql.write(
        `UPDATE "NumberDayCount" SET "count" = "count" - 1
         WHERE "workspaceId" = ? AND "number" = ? AND "day" = ? AND "count" > 0`,
        ws,
        number,
        day,
      );
    },

    async cap(ws) {
      const [row] = await sql.rows<{ dailyCap: number }>(
        `SELECT "dailyCap" FROM "CallerIdSetting" WHERE "workspaceId" = ?`,
        ws,
      );
      return row ? Number(row.dailyCap) : DEFAULT_DAILY_CAP;
    },

    async setCap(ws, cap) {
      await db.callerIdSetting.upsert({
        where: { workspaceId: ws },
        create: { workspaceId: ws, dailyCap: cap },
        update: { dailyCap: cap },
      });
    },

    async usage(ws, since) {
      // Answered as the stats count a connected call: completed, no machine, some talk time.
      const rows = await sql.rows<{ number: string; week: unknown; answered: unknown }>(
        `SELECT "fromNumber" AS "number", count(*) AS "week",
                sum(CASE WHEN "status" = 'completed' AND ("answeredBy" IS NULL OR "answeredBy" NOT LIKE 'machine%')
                         AND COALESCE("durationSec", 0) > 0 THEN 1 ELSE 0 END) AS "answered"
         FROM "Call" WHERE "workspaceId" = ? AND "createdAt" >= ?::timestamp(3) GROUP BY "fromNumber"`,
        ws,
        since,
      );
      return new Map(
        rows.map((row) => [row.number, { week: Number(row.week ?? 0), answered: Number(row.answered ?? 0) }]),
      );
    },
  };
}
