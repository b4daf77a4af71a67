import type { Call, ScheduledCall } from "@prisma/client";
import type Database from "better-sqlite3";
import { type DatabaseHandle, type Db, statements } from "../store/db.js";

export type ScheduleStatus = "scheduled" | "claimed" | "placed" | "cancelled" | "missed";

export interface NewScheduledCall {
  workspaceId: number;
  leadId: number;
  agentId: string;
  channel: string;
  threadTs?: string | null;
  dueAt: Date;
  bookedBy: string;
  reason?: string | null;
  /** A scheduled text ("Send at …"): its body, and the refused text it came from. */
  textBody?: string | null;
  textId?: number | null;
  /** At most one row per key in a workspace (a button tapped twice books once). */
  bookKey?: string | null;
}

/** What a claim holds: finishing or moving a claimed row only works for the claim that took it. */
export interface Claim {
  id: number;
  owner: string;
  attempt: number;
}

/**
 * Every query of scheduled calls. The claim is engine-specific: SQLite takes due rows with one
 * conditional UPDATE … RETURNING on the writer connection (SQLite serialises writers); PostgreSQL with
 * UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED), so concurrent ticks on several instances each take
 * different rows. A row is due when it is `scheduled` and its time has come, or `claimed` with a lease
 * that ran out (its claimer died). Every claim bumps `attempt`, and the finishing write checks owner
 * and attempt, so a claimer whose lease was taken over cannot finish (or fire) it.
 */
export interface ScheduleStore {
  book(row: NewScheduledCall): Promise<ScheduledCall>;
  /** Books a row with a `bookKey` once: a second booking with the same key gets the first row back. */
  bookOnce(row: NewScheduledCall & { bookKey: string }): Promise<{ row: ScheduledCall; created: boolean }>;
  byId(ws: number, id: number): Promise<ScheduledCall | undefined>;
  /**
   * Claims rows due by `dueBy` (calling law's clock: the sandbox may pretend another time) and rows whose
   * lease ran out before `now` (real time, as leases are).
   */
  claimDue(dueBy: Date, now: Date, owner: string, leaseUntil: Date, limit: number): Promise<ScheduledCall[]>;
  /** Ends a claim: placed (with the call), cancelled or missed; false when the claim was lost. */
  finish(
    claim: Claim,
    status: "placed" | "cancelled" | "missed",
    data: { callId?: number; textId?: number; reason?: string },
  ): Promise<boolean>;
  /** Hands a claimed row back for later (the next allowed time). */
  reschedule(claim: Claim, dueAt: Date, reason: string): Promise<boolean>;
  /** Extends a claim's lease while it is being worked on. */
  extend(claim: Claim, leaseUntil: Date): Promise<boolean>;
  /** The calls an earlier claim of this row placed or started (origin key "scheduled:<id>:…"). */
  callsOf(id: number, upToAttempt: number): Promise<Call[]>;
  upcoming(ws: number, agentId: string | undefined, limit: number): Promise<ScheduledCall[]>;
  forLead(ws: number, leadId: number): Promise<ScheduledCall[]>;
  /** Cancels or moves a row that is still waiting (not claimed); false when it is not. */
  cancel(ws: number, id: number, reason: string): Promise<boolean>;
  move(ws: number, id: number, dueAt: Date, reason: string | null): Promise<boolean>;
}

export const originKeyOf = (id: number, attempt: number) => `scheduled:${id}:${attempt}`;

export function createScheduleStore(database: DatabaseHandle): ScheduleStore {
  const db = database.prisma;
  const { write, rows } = statements(database);
  const claimIds = database.sqlite ? sqliteClaim(database.sqlite.writer) : postgresClaim(db);
  const claimed = (claim: Claim) => ({
    id: claim.id,
    status: "claimed",
    claimedBy: claim.owner,
    attempt: claim.attempt,
  });

  return {
    book: (row) =>
      db.scheduledCall.create({
        data: { ...row, threadTs: row.threadTs ?? null, reason: row.reason ?? null, status: "scheduled" },
      }),
    async bookOnce(row) {
      try {
        const created = await db.scheduledCall.create({
          data: { ...row, threadTs: row.threadTs ?? null, reason: row.reason ?? null, status: "scheduled" },
        });
        return { row: created, created: true };
      } catch (error) {
        if ((error as { code?: string }).code !== "P2002") throw error;
        const first = await db.scheduledCall.findUnique({
          where: { workspaceId_bookKey: { workspaceId: row.workspaceId, bookKey: row.bookKey } },
        });
        if (!first) throw error;
        return { row: first, created: false };
      }
    },
    async byId(ws, id) {
      return (await db.scheduledCall.findFirst({ where: { id, workspaceId: ws } })) ?? undefined;
    },
    async claimDue(dueBy, now, owner, leaseUntil, limit) {
      const ids = await claimIds(dueBy, now, owner, leaseUntil, limit);
      if (ids.length === 0) return [];
      return db.scheduledCall.findMany({ where: { id: { in: ids }, claimedBy: owner }, orderBy: { dueAt: "asc" } });
    },
    async finish(claim, status, data) {
      // One statement (not the ORM's transaction around it): every fired call ends here.
      const done = await write(
        `UPDATE "ScheduledCall" SET "status" = ?, "callId" = COALESCE(?, "callId"), "textId" = COALESCE(?, "textId"), "reason" = COALESCE(?, "reason"),
                "leaseUntil" = NULL, "updatedAt" = ?::timestamp(3)
          WHERE "id" = ? AND "status" = 'claimed' AND "claimedBy" = ? AND "attempt" = ?`,
        status,
        data.callId ?? null,
        data.textId ?? null,
        data.reason ?? null,
        new Date(),
        claim.id,
        claim.owner,
        claim.attempt,
      );
      return done === 1;
    },
    async reschedule(claim, dueAt, reason) {
      const done = await db.scheduledCall.updateMany({
        where: claimed(claim),
        data: { status: "scheduled", dueAt, reason, claimedBy: null, leaseUntil: null },
      });
      return done.count === 1;
    },
    async extend(claim, leaseUntil) {
      return (await db.scheduledCall.updateMany({ where: claimed(claim), data: { leaseUntil } })).count === 1;
    },
    async callsOf(id, upToAttempt) {
      // Every claim's call carries its attempt in its key: ask for each key exactly (the unique index on
      // both engines, under any collation), first with a plain statement — nearly always there is none.
      const keys = Array.from({ length: Math.min(upToAttempt, 1_000) }, (_, i) => originKeyOf(id, upToAttempt - i));
      if (keys.length === 0) return [];
      const any = await rows<{ id: unknown }>(
        `SELECT "id" FROM "Call" WHERE "originKey" IN (${keys.map(() => "?").join(", ")}) LIMIT 1`,
        ...keys,
      );
      if (any.length === 0) return [];
      return db.call.findMany({ where: { originKey: { in: keys } }, orderBy: { id: "asc" } });
    },
    upcoming: (ws, agentId, limit) =>
      db.scheduledCall.findMany({
        where: { workspaceId: ws, status: { in: ["scheduled", "claimed"] }, ...(agentId ? { agentId } : {}) },
        orderBy: { dueAt: "asc" },
        take: limit,
      }),
    forLead: (ws, leadId) =>
      db.scheduledCall.findMany({
        where: { workspaceId: ws, leadId, status: { in: ["scheduled", "claimed"] } },
        orderBy: { dueAt: "asc" },
      }),
    async cancel(ws, id, reason) {
      const done = await db.scheduledCall.updateMany({
        where: { id, workspaceId: ws, status: "scheduled" },
        data: { status: "cancelled", reason },
      });
      return done.count === 1;
    },
    async move(ws, id, dueAt, reason) {
      const done = await db.scheduledCall.updateMany({
        where: { id, workspaceId: ws, status: "scheduled" },
        data: { dueAt, reason },
      });
      return done.count === 1;
    },
  };
}

/** Prisma's SQLite adapter stores times as ISO text with "+00:00"; raw SQL compares the same form. */
const sqliteTime = (date: Date) => date.toISOString().replace("Z", "+00:00");

function sqliteClaim(writer: Database.Database) {
  const claim = writer.prepare(
    `UPDATE "ScheduledCall"
        SET "status" = 'claimed', "claimedBy" = ?, "leaseUntil" = ?, "attempt" = "attempt" + 1, "updatedAt" = ?
      WHERE "id" IN (
        SELECT "id" FROM "ScheduledCall"
         WHERE ("status" = 'scheduled' AND "dueAt" <= ?) OR ("status" = 'claimed' AND "leaseUntil" < ?)
         ORDER BY "dueAt" LIMIT ?)
      RETURNING "id"`,
  );
  return async (dueBy: Date, now: Date, owner: string, leaseUntil: Date, limit: number): Promise<number[]> => {
    // The claim runs synchronously on the fast-path connection, which never waits for a lock (waiting
    // would stall every request of this process): when another process is writing, this tick claims
    // nothing and the next one, 15 s later, tries again.
    try {
      const at = sqliteTime(now);
      return (claim.all(owner, sqliteTime(leaseUntil), at, sqliteTime(dueBy), at, limit) as { id: number }[]).map(
        (row) => row.id,
      );
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_BUSY") return [];
      throw error;
    }
  };
}

function postgresClaim(db: Db) {
  return async (dueBy: Date, now: Date, owner: string, leaseUntil: Date, limit: number): Promise<number[]> => {
    const rows = await db.$queryRawUnsafe<{ id: number }[]>(
      `UPDATE "ScheduledCall" AS s
          SET "status" = 'claimed', "claimedBy" = $1, "leaseUntil" = $2::timestamp(3), "attempt" = s."attempt" + 1,
              "updatedAt" = $3::timestamp(3)
         FROM (SELECT "id" FROM "ScheduledCall"
                WHERE ("status" = 'scheduled' AND "dueAt" <= $5::timestamp(3))
                   OR ("status" = 'claimed' AND "leaseUntil" < $3::timestamp(3))
                ORDER BY "dueAt" LIMIT $4
                FOR UPDATE SKIP LOCKED) AS due
        WHERE s."id" = due."id"
        RETURNING s."id"`,
      owner,
      leaseUntil.toISOString(),
      now.toISOString(),
      limit,
      dueBy.toISOString(),
    );
    return rows.map((row) => Number(row.id));
  };
}
