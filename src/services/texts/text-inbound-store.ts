import type Database from "better-sqlite3";
import type pg from "pg";
import { ENQUEUE_TEXT_SQLITE } from "../crm/outbox-store.js";
import { type DatabaseHandle, immediateWrite, pooled, sqliteDate } from "../store/db.js";

/** An inbound text as Twilio posted it; the lead is the one with its number, if any. */
export interface NewInboundText {
  workspaceId: number;
  phone: string;
  teamNumber: string;
  body: string;
  sid: string;
  optOutType: string | null;
}

/** The new row's id and lead; undefined when Twilio sent this Message SID before. */
export type InboundWrite = (
  row: NewInboundText,
  now: Date,
) => Promise<{ id: number; leadId: number | null } | undefined>;

/**
 * The hot path of a burst of inbound texts: the number's lead found, the text written once per Message
 * SID, and a lead's text enqueued for the team's CRM (crm/outbox-store.ts), all in one transaction that
 * skips the ORM. SQLite: prepared statements on the writer connection (tens of microseconds); PostgreSQL:
 * one prepared statement of CTEs (one round trip).
 */
export function createInboundWrite(database: DatabaseHandle): InboundWrite {
  return database.sqlite ? sqliteInboundWrite(database.sqlite.writer) : postgresInboundWrite(database.postgres!.pool);
}

const SQLITE = {
  lead: `SELECT "id" FROM "Lead" WHERE "workspaceId" = ? AND "phone" = ?`,
  insert: `INSERT INTO "Text" ("workspaceId", "leadId", "direction", "kind", "phone", "teamNumber", "body", "status",
      "twilioSid", "optOutType", "createdAt", "updatedAt")
    VALUES (?, ?, 'inbound', 'reply', ?, ?, ?, 'received', ?, ?, ?, ?)
    ON CONFLICT ("twilioSid") DO NOTHING RETURNING "id"`,
  enqueue: ENQUEUE_TEXT_SQLITE,
} as const;

function sqliteInboundWrite(writer: Database.Database): InboundWrite {
  const sql = Object.fromEntries(Object.entries(SQLITE).map(([name, text]) => [name, writer.prepare(text)])) as Record<
    keyof typeof SQLITE,
    Database.Statement
  >;
  return immediateWrite(writer, (row: NewInboundText, now: Date) => {
    const lead = sql.lead.get(row.workspaceId, row.phone) as { id: number } | undefined;
    const leadId = lead?.id ?? null;
    const at = sqliteDate(now);
    const inserted = sql.insert.get(
      row.workspaceId,
      leadId,
      row.phone,
      row.teamNumber,
      row.body,
      row.sid,
      row.optOutType,
      at,
      at,
    ) as { id: number } | undefined;
    if (!inserted) return undefined;
    if (leadId !== null) sql.enqueue.run(row.workspaceId, row.sid, inserted.id, at, at, at, row.workspaceId);
    return { id: inserted.id, leadId };
  });
}

/** Data-modifying CTEs all run, referenced or not; the outbox row only follows a text that was inserted. */
const POSTGRES_INBOUND_WRITE = `WITH l AS (SELECT "id" FROM "Lead" WHERE "workspaceId" = $1 AND "phone" = $2),
    t AS (
      INSERT INTO "Text" ("workspaceId", "leadId", "direction", "kind", "phone", "teamNumber", "body", "status",
        "twilioSid", "optOutType", "createdAt", "updatedAt")
      VALUES ($1, (SELECT "id" FROM l), 'inbound', 'reply', $2, $3, $4, 'received', $5, $6, $7::timestamp(3), $7::timestamp(3))
      ON CONFLICT ("twilioSid") DO NOTHING
      RETURNING "id", "leadId"),
    ob AS (
      INSERT INTO "CrmOutbox" ("workspaceId", "kind", "sid", "textId", "dueAt", "createdAt", "updatedAt")
      SELECT $1::int, 'text', $5::text, t."id", $7::timestamp(3), $7::timestamp(3), $7::timestamp(3) FROM t
       WHERE t."leadId" IS NOT NULL AND EXISTS (SELECT 1 FROM "CrmConnection" WHERE "workspaceId" = $1)
      ON CONFLICT ("workspaceId", "kind", "sid") DO NOTHING
      RETURNING 1)
    SELECT t."id", t."leadId" FROM t`;

function postgresInboundWrite(pool: pg.Pool): InboundWrite {
  return async (row, now) => {
    const { rows } = await pooled(pool, POSTGRES_INBOUND_WRITE, [
      row.workspaceId,
      row.phone,
      row.teamNumber,
      row.body,
      row.sid,
      row.optOutType,
      now.toISOString(),
    ]);
    const written = rows[0] as { id: number; leadId: number | null } | undefined;
    return written
      ? { id: Number(written.id), leadId: written.leadId === null ? null : Number(written.leadId) }
      : undefined;
  };
}
