import type { Text } from "@prisma/client";
import { type DatabaseHandle, type Db, statements } from "../store/db.js";

/**
 * The CRM outbox's queries. A row is written by the transaction that makes it true (the call's final
 * status: calls/status-store.ts; an outcome: calls/call-store.ts) with the statement below, and only
 * for a workspace with a CRM. The sender claims due rows (SQLite: UPDATE … RETURNING under its single
 * writer; PostgreSQL: FOR UPDATE SKIP LOCKED), so several instances never send one row at once; a
 * claim whose holder died runs out and the next claimer is told the send may have happened.
 */

/**
 * Enqueues a finished call (parameters: ws, Call SID, call id, now, now, now, ws), once per SID,
 * only when the workspace has a CRM. Written for `statements()` (`?`, with PostgreSQL's casts).
 */
export const ENQUEUE_CALL_SQL = `INSERT INTO "CrmOutbox" ("workspaceId", "kind", "sid", "callId", "dueAt", "createdAt", "updatedAt")
  SELECT ?::int, 'call', ?, ?::int, ?::timestamp(3), ?::timestamp(3), ?::timestamp(3)
   WHERE EXISTS (SELECT 1 FROM "CrmConnection" WHERE "workspaceId" = ?::int)
  ON CONFLICT ("workspaceId", "kind", "sid") DO NOTHING`;

/** The same for SQLite's own prepared statements (dates as Prisma's text: sqliteDate). */
export const ENQUEUE_CALL_SQLITE = ENQUEUE_CALL_SQL.replace(/::[a-z0-9]+(?:\(\d+\))?/g, "");

/**
 * Enqueues a lead's inbound text (parameters: ws, Message SID, text id, now, now, now, ws), once per SID,
 * only when the workspace has a CRM: SQLite's form, run by the texts store beside the text's insert.
 * PostgreSQL's is the same insert inside the texts store's one statement (texts/text-inbound-store.ts).
 */
export const ENQUEUE_TEXT_SQLITE = `INSERT INTO "CrmOutbox" ("workspaceId", "kind", "sid", "textId", "dueAt", "createdAt", "updatedAt")
  SELECT ?, 'text', ?, ?, ?, ?, ?
   WHERE EXISTS (SELECT 1 FROM "CrmConnection" WHERE "workspaceId" = ?)
  ON CONFLICT ("workspaceId", "kind", "sid") DO NOTHING`;

/**
 * An outcome changed after the call was (or was about to be) logged: the row is due again with a new
 * version, and the sender updates the CRM's record (parameters: now, now, call id).
 */
export const BUMP_CALL_SQL = `UPDATE "CrmOutbox" SET "version" = "version" + 1, "state" = 'waiting', "dueAt" = ?::timestamp(3),
    "updatedAt" = ?::timestamp(3)
  WHERE "kind" = 'call' AND "callId" = ?`;

/**
 * Enqueues a text Twilio took (sent), by its Message SID, inside the texts domain's own transaction
 * (`tx`), once, only for a workspace with a CRM and a lead's text. A text a lead sent is enqueued by the
 * inbound write's own statement (ENQUEUE_TEXT_SQLITE above, and PostgreSQL's in texts/text-inbound-store.ts).
 */
export async function enqueueTextIn(
  tx: Pick<Db, "crmConnection" | "crmOutbox">,
  text: Pick<Text, "id" | "workspaceId" | "leadId" | "twilioSid" | "createdAt">,
): Promise<void> {
  if (!text.twilioSid || text.leadId === null) return;
  const connected = await tx.crmConnection.findUnique({ where: { workspaceId: text.workspaceId } });
  if (!connected) return;
  const key = { workspaceId: text.workspaceId, kind: "text", sid: text.twilioSid };
  await tx.crmOutbox.upsert({
    where: { workspaceId_kind_sid: key },
    create: { ...key, textId: text.id, dueAt: text.createdAt },
    update: {},
  });
}

export interface OutboxClaim {
  id: number;
  ws: number;
  kind: string;
  sid: string;
  callId: number | null;
  textId: number | null;
  version: number;
  remoteId: number | null;
  personId: number | null;
  attempts: number;
  /** An earlier send may have reached the CRM (no answer, or its sender died): look before sending again. */
  maybeSent: boolean;
  owner: string;
}

export interface OutboxCounts {
  sent: number;
  waiting: number;
  failed: number;
  oldestWaiting: Date | null;
  failures: { sid: string; lastError: string | null; attempts: number; updatedAt: Date }[];
}

export interface OutboxStore {
  claim(now: Date, owner: string, leaseUntil: Date, limit: number): Promise<OutboxClaim[]>;
  /** Logged: sent at `version` (still waiting when the row's version moved on meanwhile). */
  sent(claim: OutboxClaim, result: { remoteId: number; personId: number }, now: Date): Promise<boolean>;
  /** `sent` for many claims in one statement (the sender's finished rows, written together); returns how many were still theirs. */
  sentMany(
    done: readonly { claim: OutboxClaim; result: { remoteId: number; personId: number } }[],
    now: Date,
  ): Promise<number>;
  /** Not yet: due again at `dueAt`, with what went wrong and whether the CRM may have it. */
  later(
    claim: OutboxClaim,
    due: {
      dueAt: Date;
      error: string;
      maybeSent: boolean;
      personId?: number;
      /** Not the row's failure (a rate-limit wait, no key): the try is not counted, so its backoff does not grow. */
      uncounted?: boolean;
    },
    now: Date,
  ): Promise<boolean>;
  /** Refused for good: shown in status until an admin retries. */
  failed(claim: OutboxClaim, error: string, now: Date): Promise<boolean>;
  /** Claims given back unsent (the sender stopped): waiting, as if never claimed. */
  release(claims: readonly OutboxClaim[], now: Date): Promise<void>;
  /** Keeps a claim while a slow send goes on. */
  extend(claim: OutboxClaim, leaseUntil: Date): Promise<boolean>;
  /** No request to this workspace's CRM before `until` (kept in the database: every instance obeys it). */
  pause(ws: number, until: Date): Promise<void>;
  pausedUntil(ws: number): Promise<Date | null>;
  counts(ws: number): Promise<OutboxCounts>;
  /** Failed rows back to waiting; returns how many. */
  retryFailed(ws: number, now: Date): Promise<number>;
  /** Enqueues one finished call (the calls domain does this in its own transaction; this is for texts' seam and tests). */
  enqueueCall(ws: number, sid: string, callId: number, now: Date): Promise<void>;
}

const RETURNING = `RETURNING "id", "workspaceId", "kind", "sid", "callId", "textId", "version", "remoteId", "personId", "attempts", "maybeSent"`;

const SQLITE_CLAIM = `UPDATE "CrmOutbox"
    SET "claimedBy" = ?, "claimedUntil" = ?, "attempts" = "attempts" + 1, "updatedAt" = ?,
        "maybeSent" = CASE WHEN "claimedUntil" IS NOT NULL THEN 1 ELSE "maybeSent" END
  WHERE "id" IN (
    SELECT "id" FROM "CrmOutbox"
     WHERE "state" = 'waiting' AND "dueAt" <= ? AND ("claimedUntil" IS NULL OR "claimedUntil" < ?)
       AND "workspaceId" NOT IN (SELECT "workspaceId" FROM "CrmConnection" WHERE "pausedUntil" > ?)
     ORDER BY "dueAt" LIMIT ?)
  ${RETURNING}`;

const POSTGRES_CLAIM = `UPDATE "CrmOutbox" AS o
    SET "claimedBy" = ?, "claimedUntil" = ?::timestamp(3), "attempts" = o."attempts" + 1, "updatedAt" = ?::timestamp(3),
        "maybeSent" = CASE WHEN o."claimedUntil" IS NOT NULL THEN true ELSE o."maybeSent" END
   FROM (SELECT "id" FROM "CrmOutbox"
          WHERE "state" = 'waiting' AND "dueAt" <= ?::timestamp(3)
            AND ("claimedUntil" IS NULL OR "claimedUntil" < ?::timestamp(3))
            AND "workspaceId" NOT IN (SELECT "workspaceId" FROM "CrmConnection" WHERE "pausedUntil" > ?::timestamp(3))
          ORDER BY "dueAt" LIMIT ? FOR UPDATE SKIP LOCKED) AS due
  WHERE o."id" = due."id"
  RETURNING o."id", o."workspaceId", o."kind", o."sid", o."callId", o."textId", o."version", o."remoteId", o."personId", o."attempts", o."maybeSent"`;

type ClaimRow = {
  id: unknown;
  workspaceId: unknown;
  kind: string;
  sid: string;
  callId: unknown;
  textId: unknown;
  version: unknown;
  remoteId: unknown;
  personId: unknown;
  attempts: unknown;
  maybeSent: unknown;
};

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/**
 * Many rows sent, in one statement: each row's values come in one JSON array (SQLite's json_each,
 * PostgreSQL's jsonb_to_recordset), so the text is the same for any batch and is prepared once.
 */
const SENT_SET = `"state" = CASE WHEN o."version" = v."version" THEN 'sent' ELSE 'waiting' END,
    "sentVersion" = v."version", "remoteId" = v."remoteId", "personId" = v."personId", "maybeSent" = false,
    "lastError" = NULL, "sentAt" = ?::timestamp(3), "updatedAt" = ?::timestamp(3), "claimedBy" = NULL, "claimedUntil" = NULL`;
const SENT_WHERE = `o."id" = v."id" AND o."claimedBy" = v."owner" AND o."attempts" = v."attempts"`;
const SQLITE_SENT_MANY = `UPDATE "CrmOutbox" AS o SET ${SENT_SET}
   FROM (SELECT json_extract(value, '$.id') AS "id", json_extract(value, '$.version') AS "version",
                json_extract(value, '$.remoteId') AS "remoteId", json_extract(value, '$.personId') AS "personId",
                json_extract(value, '$.owner') AS "owner", json_extract(value, '$.attempts') AS "attempts"
           FROM json_each(?)) AS v
  WHERE ${SENT_WHERE}`;
const POSTGRES_SENT_MANY = `UPDATE "CrmOutbox" AS o SET ${SENT_SET}
   FROM jsonb_to_recordset(?::jsonb) AS v("id" int, "version" int, "remoteId" int, "personId" int, "owner" text, "attempts" int)
  WHERE ${SENT_WHERE}`;

/** Only the claim that took a row (owner and attempt) may finish it. */
const MINE = `"id" = ? AND "claimedBy" = ? AND "attempts" = ?`;

export function createOutboxStore(database: DatabaseHandle): OutboxStore {
  const db = database.prisma;
  const { write, rows } = statements(database);
  const mine = (claim: OutboxClaim) => [claim.id, claim.owner, claim.attempts];
  return {
    async claim(now, owner, leaseUntil, limit) {
      const text = database.engine === "sqlite" ? SQLITE_CLAIM : POSTGRES_CLAIM;
      const found = await rows<ClaimRow>(text, owner, leaseUntil, now, now, now, now, limit);
      return found.map((row) => ({
        id: Number(row.id),
        ws: Number(row.workspaceId),
        kind: row.kind,
        sid: row.sid,
        callId: num(row.callId),
        textId: num(row.textId),
        version: Number(row.version),
        remoteId: num(row.remoteId),
        personId: num(row.personId),
        attempts: Number(row.attempts),
        maybeSent: row.maybeSent === true || Number(row.maybeSent) === 1,
        owner,
      }));
    },
    async sent(claim, result, now) {
      const done = await write(
        `UPDATE "CrmOutbox" SET "state" = CASE WHEN "version" = ? THEN 'sent' ELSE 'waiting' END,
            "sentVersion" = ?, "remoteId" = ?, "personId" = ?, "maybeSent" = false, "lastError" = NULL,
            "sentAt" = ?::timestamp(3), "updatedAt" = ?::timestamp(3), "claimedBy" = NULL, "claimedUntil" = NULL
          WHERE ${MINE}`,
        claim.version,
        claim.version,
        result.remoteId,
        result.personId,
        now,
        now,
        ...mine(claim),
      );
      return done === 1;
    },
    async sentMany(done, now) {
      if (done.length === 0) return 0;
      const values = done.map(({ claim, result }) => ({
        id: claim.id,
        version: claim.version,
        remoteId: result.remoteId,
        personId: result.personId,
        owner: claim.owner,
        attempts: claim.attempts,
      }));
      const text = database.engine === "sqlite" ? SQLITE_SENT_MANY : POSTGRES_SENT_MANY;
      return write(text, now, now, JSON.stringify(values));
    },
    async later(claim, due, now) {
      const done = await write(
        `UPDATE "CrmOutbox" SET "dueAt" = ?::timestamp(3), "lastError" = ?, "maybeSent" = (? = 1),
            "personId" = COALESCE(?, "personId"), "updatedAt" = ?::timestamp(3), "claimedBy" = NULL, "claimedUntil" = NULL,
            "attempts" = "attempts" - ?
          WHERE ${MINE}`,
        due.dueAt,
        due.error.slice(0, 500),
        due.maybeSent ? 1 : 0,
        due.personId ?? null,
        now,
        due.uncounted ? 1 : 0,
        ...mine(claim),
      );
      return done === 1;
    },
    async failed(claim, error, now) {
      const done = await write(
        `UPDATE "CrmOutbox" SET "state" = 'failed', "lastError" = ?, "updatedAt" = ?::timestamp(3),
            "claimedBy" = NULL, "claimedUntil" = NULL
          WHERE ${MINE}`,
        error.slice(0, 500),
        now,
        ...mine(claim),
      );
      return done === 1;
    },
    async release(claims, now) {
      for (const claim of claims)
        await write(
          `UPDATE "CrmOutbox" SET "claimedBy" = NULL, "claimedUntil" = NULL, "attempts" = "attempts" - 1,
              "updatedAt" = ?::timestamp(3)
            WHERE ${MINE}`,
          now,
          ...mine(claim),
        );
    },
    async extend(claim, leaseUntil) {
      return (
        (await write(
          `UPDATE "CrmOutbox" SET "claimedUntil" = ?::timestamp(3) WHERE ${MINE}`,
          leaseUntil,
          ...mine(claim),
        )) === 1
      );
    },
    async pause(ws, until) {
      await write(
        `UPDATE "CrmConnection" SET "pausedUntil" = ?::timestamp(3)
          WHERE "workspaceId" = ? AND ("pausedUntil" IS NULL OR "pausedUntil" < ?::timestamp(3))`,
        until,
        ws,
        until,
      );
    },
    async pausedUntil(ws) {
      const found = await db.crmConnection.findUnique({ where: { workspaceId: ws }, select: { pausedUntil: true } });
      return found?.pausedUntil ?? null;
    },
    async counts(ws) {
      const grouped = await db.crmOutbox.groupBy({ by: ["state"], where: { workspaceId: ws }, _count: { _all: true } });
      const count = (state: string) => grouped.find((g) => g.state === state)?._count._all ?? 0;
      const oldest = await db.crmOutbox.findFirst({
        where: { workspaceId: ws, state: "waiting" },
        orderBy: { createdAt: "asc" },
        select: { createdAt: true },
      });
      const failures = await db.crmOutbox.findMany({
        where: { workspaceId: ws, state: "failed" },
        orderBy: { updatedAt: "desc" },
        take: 5,
        select: { sid: true, lastError: true, attempts: true, updatedAt: true },
      });
      return {
        sent: count("sent"),
        waiting: count("waiting"),
        failed: count("failed"),
        oldestWaiting: oldest?.createdAt ?? null,
        failures,
      };
    },
    async retryFailed(ws, now) {
      const done = await db.crmOutbox.updateMany({
        where: { workspaceId: ws, state: "failed" },
        data: { state: "waiting", dueAt: now, lastError: null },
      });
      return done.count;
    },
    async enqueueCall(ws, sid, callId, now) {
      await write(ENQUEUE_CALL_SQL, ws, sid, callId, now, now, now, ws);
    },
  };
}
