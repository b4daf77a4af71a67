import type { QueueClaim } from "@prisma/client";
import { BUSY_TRIES, retryBusy } from "../store/busy.js";
import { type Atomic, type DatabaseHandle, statements } from "../store/db.js";
import { type ClaimInput, claimStatement, leftStatement } from "./claim-pick-store.js";

/** What identifies a live claim to the agent holding it: a claim taken over (expired, released) is not theirs. */
export interface ClaimRef {
  id: number;
  agentId: string;
}

export type ReleaseStatus = "done" | "skipped" | "snoozed" | "stopped" | "expired";

export interface SkipRow {
  ws: number;
  queueId: number;
  runId: number | null;
  leadId: number;
  agentId: string;
  reason: string;
  note?: string | null;
  until: Date | null;
}

export interface ProgressCounts {
  called: number;
  skipped: number;
  skipsByReason: Record<string, number>;
  /** Leads still in the queue (matching it, not done with, under its max attempts). */
  left?: number;
}

/**
 * Claims, skips and each lead's standing in a queue. A claim lives while `liveLeadId` is set (unique:
 * one live claim per lead); every release nulls it with a conditional write, so a claim released twice
 * (an outcome racing an expiry, two instances) changes the row once.
 */
export interface ClaimStore {
  /** Releases every live claim whose lease ran out before `now` and whose call (if any) is over; returns how many. */
  expire(now: Date): Promise<number>;
  /**
   * Takes the next lead (see claim-pick-store.ts): the claim; `raced` when the lead it picked turned out to be
   * claimed or worked by another claimer meanwhile (look again at once); undefined when none is left.
   */
  claimNext(input: ClaimInput): Promise<ClaimRow | "raced" | undefined>;
  byId(id: number): Promise<ClaimRow | undefined>;
  /** The live claim a run holds, if any. */
  liveOfRun(runId: number): Promise<ClaimRow | undefined>;
  /** Extends a live claim's lease; false when it is no longer live or not the agent's. */
  renew(claim: ClaimRef, leaseUntil: Date, now: Date): Promise<boolean>;
  /**
   * The claim is about to be dialled: it must be live, the agent's, within its lease, and the lead past its
   * re-call gap in this queue. In one transaction: the claim becomes `dialing`, the lead's attempts go up
   * and its next allowed time moves past the gap. False when any of that does not hold (nothing is dialled).
   */
  beginDial(claim: ClaimRef, now: Date, recallGapMs: number): Promise<boolean>;
  /** Links the call the dial placed. */
  linkCall(claimId: number, callId: number): Promise<void>;
  /** Releases a live claim; false when it was not live (already released) or not the agent's. */
  release(claim: ClaimRef, status: ReleaseStatus, now: Date, outcome?: string): Promise<boolean>;
  /** Releases a live claim and writes the skip row and the lead's next allowed time, in one transaction. */
  skip(claim: ClaimRef | undefined, row: SkipRow, now: Date): Promise<boolean>;
  /** Records an outcome on the lead's standing; `remove` takes it out of the queue. */
  standing(queueId: number, leadId: number, data: { outcome?: string; remove?: boolean; now: Date }): Promise<void>;
  /** Releases every live claim of a run (the run ended). */
  releaseRun(runId: number, now: Date): Promise<number>;
  /** A run's numbers: leads dialled, skips by reason. */
  runCounts(runId: number): Promise<ProgressCounts>;
  /** How many leads are still in the queue (see leftStatement). */
  leftCount(input: Parameters<typeof leftStatement>[0]): Promise<number>;
  /** The lead's newest notes (its activity), newest first. */
  recentNotes(leadId: number, count: number): Promise<string[]>;
  /** Leads of a queue still to work (filter-independent upper bound: leads not done in this queue). */
  doneCount(queueId: number): Promise<number>;
  /** Whether the number has an active (not revoked) consent record of scope `autodial`. */
  hasAutodialConsent(ws: number, phone: string): Promise<boolean>;
}

/** A claim row read without the ORM (its dates are not needed by the claim's users). */
export type ClaimRow = Pick<
  QueueClaim,
  "id" | "workspaceId" | "queueId" | "runId" | "leadId" | "agentId" | "liveLeadId" | "status" | "callId" | "outcome"
>;

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const claimOf = (row: Record<string, unknown>): ClaimRow => ({
  id: Number(row.id),
  workspaceId: Number(row.workspaceId),
  queueId: Number(row.queueId),
  runId: num(row.runId),
  leadId: Number(row.leadId),
  agentId: String(row.agentId),
  liveLeadId: num(row.liveLeadId),
  status: String(row.status),
  callId: num(row.callId),
  outcome: row.outcome === null ? null : String(row.outcome),
});

/** The claim placed no call, or its call is over (no longer the lead's live call). */
const CALL_OVER = `NOT EXISTS (SELECT 1 FROM "Call" a WHERE a."id" = "QueueClaim"."callId" AND a."activeLeadId" IS NOT NULL)`;

/**
 * PostgreSQL: two claimers whose statements lock rows in opposite orders (the unique live-claim index) are a
 * deadlock; the server aborts one statement, which changed nothing. That claimer simply tries again.
 */
async function deadlockRetried<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if ((error as { code?: string }).code !== "40P01" || attempt >= BUSY_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

export function createClaimStore(database: DatabaseHandle): ClaimStore {
  const store = createStore(database);
  if (database.engine !== "sqlite") return store;
  const retried = Object.fromEntries(
    Object.entries(store).map(([name, fn]) => [
      name,
      (...args: unknown[]) => retryBusy(() => (fn as (...a: unknown[]) => Promise<unknown>)(...args)),
    ]),
  );
  return retried as unknown as ClaimStore;
}

function createStore(database: DatabaseHandle): ClaimStore {
  const db = database.prisma;
  // Transactions are lists of statements sent one after another (`atomically`: PostgreSQL's on one pooled
  // connection, prepared; nothing of the caller's runs while one is open).
  const { write, rows, atomically } = statements(database);
  const w = (sql: string, ...params: unknown[]): Atomic => ({ write: sql, params });
  const r = (sql: string, ...params: unknown[]): Atomic => ({ rows: sql, params });

  const release = (claim: ClaimRef, status: ReleaseStatus, now: Date, outcome?: string) =>
    write(
      `UPDATE "QueueClaim" SET "liveLeadId" = NULL, "status" = ?, "releasedAt" = ?::timestamp(3), "outcome" = COALESCE(?, "outcome")
        WHERE "id" = ? AND "agentId" = ? AND "liveLeadId" IS NOT NULL`,
      status,
      now,
      outcome ?? null,
      claim.id,
      claim.agentId,
    );

  const byId = async (id: number) => {
    const [row] = await rows<Record<string, unknown>>(
      `SELECT "id", "workspaceId", "queueId", "runId", "leadId", "agentId", "liveLeadId", "status", "callId", "outcome"
         FROM "QueueClaim" WHERE "id" = ?`,
      id,
    );
    return row ? claimOf(row) : undefined;
  };

  return {
    async expire(now) {
      // Read first: a write statement takes the writer's lock even when it changes nothing.
      // A claim whose call still lives (its call row is the lead's guard until the call ends, or until the
      // calls' sweep settles it with Twilio after a crash) keeps its lead: its lease counts from the call's end.
      const due = await rows(
        `SELECT 1 FROM "QueueClaim" WHERE "liveLeadId" IS NOT NULL AND "leaseUntil" < ?::timestamp(3) AND ${CALL_OVER} LIMIT 1`,
        now,
      );
      if (due.length === 0) return 0;
      return write(
        `UPDATE "QueueClaim" SET "liveLeadId" = NULL, "status" = 'expired', "releasedAt" = ?::timestamp(3)
          WHERE "liveLeadId" IS NOT NULL AND "leaseUntil" < ?::timestamp(3) AND ${CALL_OVER}`,
        now,
        now,
      );
    },
    async claimNext(input) {
      const statement = claimStatement(database.engine, input);
      const { insert } = statement;
      try {
        return await deadlockRetried(async () => {
          if (!insert) {
            const got = await rows<Record<string, unknown>>(statement.sql, ...statement.params);
            return got[0] ? claimOf(got[0]) : undefined;
          }
          const [picked, got] = (await atomically([
            { rows: statement.sql, params: statement.params },
            { rows: insert.sql, params: insert.params },
          ])) as [unknown[], Record<string, unknown>[]];
          if (got[0]) return claimOf(got[0]);
          return picked.length > 0 ? "raced" : undefined;
        });
      } catch (error) {
        // SQLite: another process's claim of the same lead committed between our read and write cannot
        // happen under its one writer, but a unique violation is still "someone else has it".
        if (/UNIQUE constraint failed|unique constraint/i.test(String((error as Error).message))) return "raced";
        throw error;
      }
    },
    byId,
    async liveOfRun(runId) {
      const [row] = await rows<{ id: unknown }>(
        `SELECT "id" FROM "QueueClaim" WHERE "runId" = ? AND "liveLeadId" IS NOT NULL LIMIT 1`,
        runId,
      );
      return row ? byId(Number(row.id)) : undefined;
    },
    async renew(claim, leaseUntil, now) {
      const done = await write(
        `UPDATE "QueueClaim" SET "leaseUntil" = ?::timestamp(3)
          WHERE "id" = ? AND "agentId" = ? AND "liveLeadId" IS NOT NULL AND "leaseUntil" >= ?::timestamp(3)`,
        leaseUntil,
        claim.id,
        claim.agentId,
        now,
      );
      return done === 1;
    },
    async beginDial(claim, now, recallGapMs) {
      // One transaction of two statements (no round trips inside it): the claim moves to `dialing` only if
      // it is live, the agent's, within its lease and the lead is not done or inside its gap in this queue;
      // the standing's write is conditional on exactly that move.
      const [taken] = await atomically([
        w(
          `UPDATE "QueueClaim" SET "status" = 'dialing', "dialedAt" = ?::timestamp(3)
            WHERE "id" = ? AND "agentId" = ? AND "liveLeadId" IS NOT NULL AND "status" = 'offered'
              AND "leaseUntil" >= ?::timestamp(3)
              AND NOT EXISTS (SELECT 1 FROM "QueueLead" q WHERE q."queueId" = "QueueClaim"."queueId"
                    AND q."leadId" = "QueueClaim"."leadId" AND (q."doneAt" IS NOT NULL OR q."notBefore" > ?::timestamp(3)))`,
          now,
          claim.id,
          claim.agentId,
          now,
          now,
        ),
        w(
          `INSERT INTO "QueueLead" ("queueId", "leadId", "attempts", "lastDialAt", "notBefore", "updatedAt")
           SELECT "queueId", "leadId", 1, ?::timestamp(3), ?::timestamp(3), ?::timestamp(3) FROM "QueueClaim"
            WHERE "id" = ? AND "status" = 'dialing' AND "dialedAt" = ?::timestamp(3)
           ON CONFLICT ("queueId", "leadId") DO UPDATE SET "attempts" = "QueueLead"."attempts" + 1,
              "lastDialAt" = excluded."lastDialAt", "notBefore" = excluded."notBefore", "updatedAt" = excluded."updatedAt"`,
          now,
          new Date(now.getTime() + recallGapMs),
          now,
          claim.id,
          now,
        ),
      ]);
      return taken === 1;
    },
    async linkCall(claimId, callId) {
      await write(`UPDATE "QueueClaim" SET "callId" = ? WHERE "id" = ?`, callId, claimId);
    },
    async release(claim, status, now, outcome) {
      return (await release(claim, status, now, outcome)) === 1;
    },
    async skip(claim, row, now) {
      const status = row.reason === "snooze" ? "snoozed" : "skipped";
      // Each write after the release is conditional on it (the claim released by this very statement), so
      // a skip that lost its claim writes nothing; a skip without a claim (an admin's) always writes.
      const released = claim
        ? `EXISTS (SELECT 1 FROM "QueueClaim" WHERE "id" = ? AND "status" = ? AND "releasedAt" = ?::timestamp(3) AND "liveLeadId" IS NULL)`
        : "1 = 1";
      const cond = claim ? [claim.id, status, now] : [];
      // The lead's standing (its next allowed time, or done) is written first, while the claim still holds
      // it: an instance's other agents share its connection, and one claiming between the release and the
      // standing would take the lead again (a do-not-call lead skipped twice).
      const live = claim
        ? `EXISTS (SELECT 1 FROM "QueueClaim" WHERE "id" = ? AND "agentId" = ? AND "liveLeadId" IS NOT NULL)`
        : "1 = 1";
      const liveCond = claim ? [claim.id, claim.agentId] : [];
      const [, done] = await atomically([
        w(
          `INSERT INTO "QueueLead" ("queueId", "leadId", "attempts", "notBefore", "doneAt", "updatedAt")
           SELECT ?, ?, 0, ?::timestamp(3), ?::timestamp(3), ?::timestamp(3) WHERE ${live}
           ON CONFLICT ("queueId", "leadId") DO UPDATE SET "notBefore" = COALESCE(excluded."notBefore", "QueueLead"."notBefore"),
              "doneAt" = COALESCE(excluded."doneAt", "QueueLead"."doneAt"), "updatedAt" = excluded."updatedAt"`,
          row.queueId,
          row.leadId,
          row.until,
          row.until ? null : now,
          now,
          ...liveCond,
        ),
        claim
          ? w(
              `UPDATE "QueueClaim" SET "liveLeadId" = NULL, "status" = ?, "releasedAt" = ?::timestamp(3)
                WHERE "id" = ? AND "agentId" = ? AND "liveLeadId" IS NOT NULL`,
              status,
              now,
              claim.id,
              claim.agentId,
            )
          : r(`SELECT 1`),
        w(
          `INSERT INTO "QueueSkip" ("workspaceId", "queueId", "runId", "leadId", "agentId", "reason", "note", "until", "createdAt")
           SELECT ?, ?, ?, ?, ?, ?, ?, ?::timestamp(3), ?::timestamp(3) WHERE ${released}
             AND NOT EXISTS (SELECT 1 FROM "QueueSkip" d WHERE d."queueId" = ? AND d."leadId" = ? AND d."createdAt" = ?::timestamp(3))`,
          row.ws,
          row.queueId,
          row.runId,
          row.leadId,
          row.agentId,
          row.reason,
          row.note ?? null,
          row.until,
          now,
          ...cond,
          // A transaction tried again after it committed unseen (a timeout at commit) writes its skip once.
          row.queueId,
          row.leadId,
          now,
        ),
      ]);
      return claim ? done === 1 : true;
    },
    async standing(queueId, leadId, { outcome, remove, now }) {
      await write(
        `INSERT INTO "QueueLead" ("queueId", "leadId", "attempts", "lastOutcome", "doneAt", "updatedAt")
         VALUES (?, ?, 0, ?, ?::timestamp(3), ?::timestamp(3))
         ON CONFLICT ("queueId", "leadId") DO UPDATE SET "lastOutcome" = COALESCE(excluded."lastOutcome", "QueueLead"."lastOutcome"),
            "doneAt" = COALESCE(excluded."doneAt", "QueueLead"."doneAt"), "updatedAt" = excluded."updatedAt"`,
        queueId,
        leadId,
        outcome ?? null,
        remove ? now : null,
        now,
      );
    },
    releaseRun: (runId, now) =>
      write(
        `UPDATE "QueueClaim" SET "liveLeadId" = NULL, "status" = 'stopped', "releasedAt" = ?::timestamp(3)
          WHERE "runId" = ? AND "liveLeadId" IS NOT NULL`,
        now,
        runId,
      ),
    async runCounts(runId) {
      const [called, skips] = await Promise.all([
        db.queueClaim.count({ where: { runId, dialedAt: { not: null } } }),
        db.queueSkip.groupBy({ by: ["reason"], where: { runId }, _count: { _all: true } }),
      ]);
      const skipsByReason = Object.fromEntries(skips.map((skip) => [skip.reason, skip._count._all]));
      return { called, skipped: Object.values(skipsByReason).reduce((a, b) => a + b, 0), skipsByReason };
    },
    async leftCount(input) {
      const { sql, params } = leftStatement(input);
      const [row] = await rows<{ left: unknown }>(sql, ...params);
      return Number(row?.left ?? 0);
    },
    async recentNotes(leadId, count) {
      const notes = await db.note.findMany({ where: { leadId }, orderBy: { createdAt: "desc" }, take: count });
      return notes.map((note) => note.body);
    },
    doneCount: (queueId) => db.queueLead.count({ where: { queueId, doneAt: { not: null } } }),
    async hasAutodialConsent(ws, phone) {
      const found = await db.consent.findFirst({
        where: { workspaceId: ws, phone, scope: "autodial", revokedAt: null },
        select: { id: true },
      });
      return found !== null;
    },
  };
}
