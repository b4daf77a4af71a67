import type Database from "better-sqlite3";
import type { StatusUpdate } from "./call-lifecycle.js";

/** How Prisma stores a DateTime in SQLite, so rows written here read back the same through Prisma. */
export const sqliteDate = (date: Date) => date.toISOString().replace("Z", "+00:00");

/** A status update as the store writes it: what Twilio said, and what the lifecycle decided about it. */
export interface StatusWrite
  extends Pick<StatusUpdate, "callSid" | "status" | "sequence" | "rawTimestamp" | "durationSec" | "answeredBy"> {
  /** The statuses this one moves a call forward from; undefined for a status that is only recorded. */
  movesFrom?: string[];
  final: boolean;
  now: Date;
}

export type StatusWriteResult =
  | { outcome: "unknown-call" }
  | { outcome: "recorded"; callId: number }
  | { outcome: "moved"; callId: number }
  /** Another writer holds the database: the caller takes the ORM path, which waits its turn. */
  | { outcome: "busy" };

export type CallStatusStore = (write: StatusWrite) => StatusWriteResult;

/**
 * The status-callback write as one synchronous SQLite transaction on a dedicated connection: record
 * the event and move the call forward only from a lower status, in tens of microseconds instead of
 * four ORM round trips. The connection never waits for a lock (busy_timeout 0): waiting synchronously
 * would block the event loop that an ORM transaction holding the lock needs to finish.
 */
export function createCallStatusStore(writer: Database.Database): CallStatusStore {
  const findCall = writer.prepare(`SELECT "id", "answeredBy" FROM "Call" WHERE "twilioSid" = ?`);
  const insertEvent = writer.prepare(
    `INSERT INTO "CallEvent" ("callId", "status", "sequenceNumber", "rawTimestamp", "createdAt") VALUES (?, ?, ?, ?, ?)`,
  );
  const move = writer.prepare(
    `UPDATE "Call" SET "status" = @status,
       "lastSequence" = COALESCE(@sequence, "lastSequence"),
       "answeredBy" = COALESCE(@answeredBy, "answeredBy"),
       "updatedAt" = @now,
       "endedAt" = CASE WHEN @final THEN @now ELSE "endedAt" END,
       "activeLeadId" = CASE WHEN @final THEN NULL ELSE "activeLeadId" END,
       "durationSec" = CASE WHEN @final THEN @duration ELSE "durationSec" END
     WHERE "id" = @id AND "status" IN (SELECT value FROM json_each(@from))`,
  );
  const fillAnsweredBy = writer.prepare(
    `UPDATE "Call" SET "answeredBy" = ?, "updatedAt" = ? WHERE "id" = ? AND "answeredBy" IS NULL`,
  );

  const apply = writer.transaction((write: StatusWrite): StatusWriteResult => {
    const call = findCall.get(write.callSid) as { id: number; answeredBy: string | null } | undefined;
    if (!call) return { outcome: "unknown-call" };
    const now = sqliteDate(write.now);
    insertEvent.run(call.id, write.status, write.sequence ?? null, write.rawTimestamp ?? null, now);
    if (!write.movesFrom) return { outcome: "recorded", callId: call.id };
    const moved = move.run({
      id: call.id,
      status: write.status,
      sequence: write.sequence ?? null,
      answeredBy: write.answeredBy ?? null,
      now,
      final: write.final ? 1 : 0,
      duration: write.durationSec ?? 0,
      from: JSON.stringify(write.movesFrom),
    });
    if (moved.changes > 0) return { outcome: "moved", callId: call.id };
    if (write.answeredBy && !call.answeredBy) fillAnsweredBy.run(write.answeredBy, now, call.id);
    return { outcome: "recorded", callId: call.id };
  });

  return (write) => {
    try {
      // IMMEDIATE takes the write lock up front, so a busy database is found before anything is written.
      return apply.immediate(write);
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_BUSY") return { outcome: "busy" };
      throw error;
    }
  };
}
