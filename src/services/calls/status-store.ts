import type Database from "better-sqlite3";
import type pg from "pg";
import { ENQUEUE_CALL_SQL, ENQUEUE_CALL_SQLITE } from "../crm/outbox-store.js";
import { type DatabaseHandle, type Db, immediateWrite, pooled, sqliteDate, statements } from "../store/db.js";
import { FINAL_STATUSES } from "./modes.js";

/** A status change as the store writes it: what Twilio said, and what the lifecycle decided about it. */
export interface StatusWrite {
  callSid: string;
  status: string;
  sequence?: number;
  rawTimestamp?: string;
  durationSec?: number;
  answeredBy?: string;
  /** The statuses this one moves a call forward from; undefined for a status that is only recorded. */
  movesFrom?: string[];
  final: boolean;
  now: Date;
}

export type StatusWriteResult =
  | { outcome: "unknown-call" }
  /** The event was recorded; `filled` when it also filled in who answered (the post shows that). */
  | { outcome: "recorded"; callId: number; ws: number; filled?: boolean }
  | { outcome: "moved"; callId: number; ws: number }
  /**
   * A live call's SID is the agent's leg: its event is recorded and the agent leg moved forward in the
   * same write (`moved`).
   */
  | { outcome: "agent-leg"; callId: number; ws: number; moved: boolean };

/**
 * The status write of every callback, poll and sweep: record the event and move the call forward only
 * from a lower status, in one transaction. One SQL text per engine: SQLite's runs as prepared
 * statements on a connection of its own (tens of microseconds), tried again after a pause while another
 * writer holds the database; PostgreSQL's is one prepared statement of CTEs (one round trip).
 */
export interface StatusStore {
  applyStatus(write: StatusWrite): Promise<StatusWriteResult>;
  /**
   * A live call's lead leg (the Dial's Number): its status moves the call forward, by the call's id;
   * the first callback records the leg's SID and no other leg may move the call.
   */
  applyLeadLeg(callId: number, legSid: string, write: Omit<StatusWrite, "callSid">): Promise<StatusWriteResult>;
  /** A live call ended before the lead was dialed (the agent never answered, or hung up first). */
  endUndialed(callId: number, now: Date): Promise<boolean>;
}

/** SQLite's statements. */
const SQLITE = {
  find: `SELECT "id", "workspaceId", "answeredBy", "mode" FROM "Call" WHERE "twilioSid" = ?`,
  event: `INSERT INTO "CallEvent" ("callId", "status", "sequenceNumber", "rawTimestamp", "createdAt") VALUES (?, ?, ?, ?, ?)`,
  move: `UPDATE "Call" SET "status" = ?, "lastSequence" = COALESCE(?, "lastSequence"),
       "answeredBy" = COALESCE(?, "answeredBy"), "postVersion" = "postVersion" + 1, "updatedAt" = ?,
       "endedAt" = CASE WHEN ? THEN ? ELSE "endedAt" END,
       "activeLeadId" = CASE WHEN ? THEN NULL ELSE "activeLeadId" END,
       "durationSec" = CASE WHEN ? THEN ? ELSE "durationSec" END
     WHERE "id" = ? AND "status" IN (SELECT value FROM json_each(?))`,
  fill: `UPDATE "Call" SET "answeredBy" = ?, "postVersion" = "postVersion" + 1, "updatedAt" = ? WHERE "id" = ? AND "answeredBy" IS NULL`,
  agentLeg: `UPDATE "Call" SET "agentLegStatus" = ?, "postVersion" = "postVersion" + 1, "updatedAt" = ?
     WHERE "id" = ? AND ("agentLegStatus" IS NULL OR "agentLegStatus" IN (SELECT value FROM json_each(?)))`,
  /** The finished call's CRM outbox row, in the same transaction (crm/outbox-store.ts). */
  enqueue: ENQUEUE_CALL_SQLITE,
} as const;

type Row = { id: number; workspaceId: number; answeredBy: string | null; mode: string };
type Statements = Record<keyof typeof SQLITE, Database.Statement>;

/** The status write's logic, run synchronously inside a better-sqlite3 transaction. */
function sqliteApply(sql: Statements, write: StatusWrite): StatusWriteResult {
  const call = sql.find.get(write.callSid) as Row | undefined;
  if (!call) return { outcome: "unknown-call" };
  const ids = { callId: call.id, ws: call.workspaceId };
  const now = sqliteDate(write.now);
  sql.event.run(call.id, write.status, write.sequence ?? null, write.rawTimestamp ?? null, now);
  const from = write.movesFrom ? JSON.stringify(write.movesFrom) : undefined;
  if (call.mode === "live") {
    const moved = from ? sql.agentLeg.run(write.status, now, call.id, from).changes > 0 : false;
    return { outcome: "agent-leg", ...ids, moved };
  }
  if (!from) return { outcome: "recorded", ...ids };
  const final = write.final ? 1 : 0;
  const moved = sql.move.run(
    write.status,
    write.sequence ?? null,
    write.answeredBy ?? null,
    now,
    final,
    now,
    final,
    final,
    write.durationSec ?? 0,
    call.id,
    from,
  ).changes;
  if (moved > 0 && write.final)
    sql.enqueue.run(call.workspaceId, write.callSid, call.id, now, now, now, call.workspaceId);
  if (moved > 0) return { outcome: "moved", ...ids };
  if (write.answeredBy && !call.answeredBy)
    return { outcome: "recorded", ...ids, filled: sql.fill.run(write.answeredBy, now, call.id).changes > 0 };
  return { outcome: "recorded", ...ids };
}

/** SQLite: the status write's statements in one IMMEDIATE transaction on the writer connection (store/db.ts). */
function sqliteStatusWrite(writer: Database.Database): (write: StatusWrite) => Promise<StatusWriteResult> {
  const sql = Object.fromEntries(
    Object.entries(SQLITE).map(([name, text]) => [name, writer.prepare(text)]),
  ) as Statements;
  return immediateWrite(writer, (write: StatusWrite) => sqliteApply(sql, write));
}

/**
 * PostgreSQL: find the call, record the event and move the call (or a live call's agent leg) forward
 * only from a lower status, in one statement. Concurrent callbacks for one call queue on its row lock,
 * and the second re-checks the status it would move from (READ COMMITTED): a call never moves backwards.
 */
const POSTGRES_STATUS_WRITE = `WITH c AS (SELECT "id", "workspaceId", "answeredBy", "mode" FROM "Call" WHERE "twilioSid" = $1),
    ev AS (
      INSERT INTO "CallEvent" ("callId", "status", "sequenceNumber", "rawTimestamp", "createdAt")
      SELECT c."id", $2, $3::int, $4::text, $5::timestamp(3) FROM c RETURNING 1),
    mv AS (
      UPDATE "Call" SET "status" = $2,
        "lastSequence" = COALESCE($3::int, "lastSequence"),
        "answeredBy" = COALESCE($6::text, "answeredBy"),
        "postVersion" = "postVersion" + 1,
        "updatedAt" = $5::timestamp(3),
        "endedAt" = CASE WHEN $7::boolean THEN $5::timestamp(3) ELSE "endedAt" END,
        "activeLeadId" = CASE WHEN $7::boolean THEN NULL ELSE "activeLeadId" END,
        "durationSec" = CASE WHEN $7::boolean THEN $8::int ELSE "durationSec" END
      WHERE "id" = (SELECT "id" FROM c) AND "mode" <> 'live' AND $9::text <> ''
        AND "status" = ANY(string_to_array($9::text, ','))
      RETURNING "id"),
    ob AS (
      INSERT INTO "CrmOutbox" ("workspaceId", "kind", "sid", "callId", "dueAt", "createdAt", "updatedAt")
      SELECT c."workspaceId", 'call', $1, c."id", $5::timestamp(3), $5::timestamp(3), $5::timestamp(3) FROM c, mv
       WHERE $7::boolean AND EXISTS (SELECT 1 FROM "CrmConnection" WHERE "workspaceId" = c."workspaceId")
      ON CONFLICT ("workspaceId", "kind", "sid") DO NOTHING
      RETURNING 1),
    fl AS (
      UPDATE "Call" SET "answeredBy" = $6::text, "postVersion" = "postVersion" + 1, "updatedAt" = $5::timestamp(3)
      WHERE "id" = (SELECT "id" FROM c) AND "mode" <> 'live' AND $9::text <> '' AND $6::text IS NOT NULL
        AND "answeredBy" IS NULL AND NOT ("status" = ANY(string_to_array($9::text, ',')))
      RETURNING "id"),
    ag AS (
      UPDATE "Call" SET "agentLegStatus" = $2, "postVersion" = "postVersion" + 1, "updatedAt" = $5::timestamp(3)
      WHERE "id" = (SELECT "id" FROM c) AND "mode" = 'live' AND $9::text <> ''
        AND ("agentLegStatus" IS NULL OR "agentLegStatus" = ANY(string_to_array($9::text, ',')))
      RETURNING "id")
    SELECT (SELECT "id" FROM c) AS "callId", (SELECT "workspaceId" FROM c) AS "ws", (SELECT "mode" FROM c) AS "mode",
      (SELECT "id" FROM mv) AS "moved", (SELECT "id" FROM fl) AS "filled", (SELECT "id" FROM ag) AS "legMoved",
      (SELECT count(*) FROM ev) AS "events"`;

function postgresStatusWrite(pool: pg.Pool): (write: StatusWrite) => Promise<StatusWriteResult> {
  type Answer = {
    callId: number | null;
    ws: number | null;
    mode: string | null;
    moved: number | null;
    filled: number | null;
    legMoved: number | null;
    events: bigint | number;
  };
  return async (write) => {
    const { rows } = await pooled(pool, POSTGRES_STATUS_WRITE, [
      write.callSid,
      write.status,
      write.sequence ?? null,
      write.rawTimestamp ?? null,
      write.now.toISOString(),
      write.answeredBy ?? null,
      write.final,
      write.durationSec ?? 0,
      write.movesFrom?.join(",") ?? "",
    ]);
    const row = rows[0] as Answer | undefined;
    if (!row || row.callId === null) return { outcome: "unknown-call" };
    const callId = Number(row.callId);
    const ws = Number(row.ws);
    if (row.mode === "live") return { outcome: "agent-leg", callId, ws, moved: row.legMoved !== null };
    if (row.moved !== null) return { outcome: "moved", callId, ws };
    return row.filled !== null
      ? { outcome: "recorded", callId, ws, filled: true }
      : { outcome: "recorded", callId, ws };
  };
}

export function createStatusStore(database: DatabaseHandle): StatusStore {
  const db = database.prisma;
  const { on } = statements(database);
  type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
  const enqueue = (tx: Tx, ws: number, sid: string, callId: number, now: Date) =>
    on(tx).write(ENQUEUE_CALL_SQL, ws, sid, callId, now, now, now, ws);
  const applyStatus = database.sqlite
    ? sqliteStatusWrite(database.sqlite.writer)
    : postgresStatusWrite(database.postgres!.pool);
  return {
    applyStatus,
    async applyLeadLeg(callId, legSid, write) {
      const call = await db.call.findUnique({ where: { id: callId } });
      if (!call || (call.leadLegSid && call.leadLegSid !== legSid)) return { outcome: "unknown-call" };
      await db.callEvent.create({
        data: {
          callId,
          status: `lead:${write.status}`,
          sequenceNumber: write.sequence ?? null,
          rawTimestamp: write.rawTimestamp ?? null,
          createdAt: write.now,
        },
      });
      const ws = call.workspaceId;
      if (!write.movesFrom) return { outcome: "recorded", callId, ws };
      const movesFrom = write.movesFrom;
      const moved = await db.$transaction(async (tx) => {
        const done = await tx.call.updateMany({
          where: { id: callId, status: { in: movesFrom }, OR: [{ leadLegSid: null }, { leadLegSid: legSid }] },
          data: {
            status: write.status,
            leadLegSid: legSid,
            postVersion: { increment: 1 },
            ...(write.answeredBy ? { answeredBy: write.answeredBy } : {}),
            ...(write.final ? { endedAt: write.now, activeLeadId: null, durationSec: write.durationSec ?? 0 } : {}),
          },
        });
        if (done.count > 0 && write.final && call.twilioSid) await enqueue(tx, ws, call.twilioSid, callId, write.now);
        return done;
      });
      if (moved.count === 0 && !call.leadLegSid)
        await db.call.updateMany({ where: { id: callId, leadLegSid: null }, data: { leadLegSid: legSid } });
      return moved.count > 0 ? { outcome: "moved", callId, ws } : { outcome: "recorded", callId, ws };
    },
    async endUndialed(callId, now) {
      return db.$transaction(async (tx) => {
        const ended = await tx.call.updateMany({
          // Whatever the row says (a reconcile may have stored the agent leg's status), no lead leg = nobody dialled.
          where: { id: callId, leadLegSid: null, status: { notIn: [...FINAL_STATUSES] } },
          data: { status: "canceled", endedAt: now, activeLeadId: null, durationSec: 0, postVersion: { increment: 1 } },
        });
        if (ended.count === 0) return false;
        const call = await tx.call.findUnique({
          where: { id: callId },
          select: { workspaceId: true, twilioSid: true },
        });
        if (call?.twilioSid) await enqueue(tx, call.workspaceId, call.twilioSid, callId, now);
        return true;
      });
    },
  };
}
