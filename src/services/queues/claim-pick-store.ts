import type { Engine } from "../store/db.js";
import { orderKeys, type QueueFilter, type QueueOrder } from "./queue-filter.js";

/**
 * The next-lead claim as one statement per engine, written with `?` placeholders for `statements()`.
 * It picks the first lead of the queue's filter and order that nobody holds (no live claim, no live call),
 * that this queue has not finished with and whose re-call gap or skip has run out, and inserts the claim
 * with `liveLeadId` = the lead (unique: one live claim per lead, whatever queue or instance).
 * SQLite runs it under its single writer, so two claimers never pick the same lead; PostgreSQL locks the
 * picked lead `FOR UPDATE SKIP LOCKED` (concurrent claimers take different leads) and `ON CONFLICT DO
 * NOTHING` turns the rare pick of a lead claimed by a transaction that committed meanwhile into no row
 * (the caller tries again).
 */
export interface ClaimInput {
  ws: number;
  queueId: number;
  runId: number | null;
  agentId: string;
  filter: QueueFilter;
  orderBy: QueueOrder;
  maxAttempts: number;
  recallGapMs: number;
  now: Date;
  leaseUntil: Date;
  /** Leads not to pick (the caller already passed over them in this claim). */
  exclude: number[];
}

const LAST_OUTCOME = `(SELECT k."outcome" FROM "Call" k WHERE k."leadId" = l."id" AND k."outcome" IS NOT NULL
   ORDER BY k."createdAt" DESC LIMIT 1)`;
const NEVER_CALLED = `(l."lastContactedAt" IS NULL AND NOT EXISTS (SELECT 1 FROM "Call" n WHERE n."leadId" = l."id"))`;

/** ORDER BY terms per key; the booleans sort false (0) first on both engines. */
const ORDER_SQL: Record<QueueOrder, string> = {
  callbacks: `(COALESCE(${LAST_OUTCOME}, '') <> 'callback')`,
  new: `(l."lastContactedAt" IS NOT NULL), l."createdAt"`,
  fewest: `COALESCE(q."attempts", 0)`,
  oldest: `(COALESCE(q."lastDialAt", l."lastContactedAt") IS NOT NULL), COALESCE(q."lastDialAt", l."lastContactedAt")`,
};

/** The claim row as the claimer needs it, returned by the insert itself (no read after it). */
const RETURNED = `"id", "workspaceId", "queueId", "runId", "leadId", "agentId", "liveLeadId", "status", "callId", "outcome"`;

/** Speed to lead: a new lead nobody claimed in time goes before every other (false sorts first). */
const SPEED_FIRST = `(NOT EXISTS (SELECT 1 FROM "SpeedClaim" s WHERE s."leadId" = l."id" AND s."escalatedAt" IS NOT NULL
   AND s."claimedBy" IS NULL AND l."lastContactedAt" IS NULL))`;

export function claimStatement(engine: Engine, input: ClaimInput): { sql: string; params: unknown[] } {
  const where: string[] = [`l."workspaceId" = ?`, `l."phone" IS NOT NULL`];
  const params: unknown[] = [input.queueId, input.ws];
  const { filter } = input;
  if (filter.owner) {
    where.push(`l."ownerSlackId" = ?`);
    params.push(filter.owner);
  }
  if (filter.source) {
    where.push(`LOWER(l."source") = LOWER(?)`);
    params.push(filter.source);
  }
  if (filter.state) {
    where.push(`UPPER(l."state") = ?`);
    params.push(filter.state);
  }
  if (filter.lastOutcome) {
    where.push(`${LAST_OUTCOME} = ?`);
    params.push(filter.lastOutcome);
  }
  if (filter.neverCalled) where.push(NEVER_CALLED);
  if (filter.callbackDue) where.push(`${LAST_OUTCOME} = 'callback'`);
  where.push(
    `q."doneAt" IS NULL`,
    `(q."notBefore" IS NULL OR q."notBefore" <= ?::timestamp(3))`,
    `COALESCE(q."attempts", 0) < ?`,
    `(l."lastContactedAt" IS NULL OR l."lastContactedAt" <= ?::timestamp(3))`,
    `NOT EXISTS (SELECT 1 FROM "QueueClaim" c WHERE c."liveLeadId" = l."id")`,
    `NOT EXISTS (SELECT 1 FROM "Call" a WHERE a."activeLeadId" = l."id")`,
  );
  params.push(input.now, input.maxAttempts, new Date(input.now.getTime() - input.recallGapMs));
  if (input.exclude.length > 0) {
    where.push(`l."id" NOT IN (${input.exclude.map(() => "?").join(", ")})`);
    params.push(...input.exclude);
  }
  const order = [SPEED_FIRST, ...orderKeys(input.orderBy).map((key) => ORDER_SQL[key]), `l."id"`].join(", ");
  const pick = `SELECT l."id" FROM "Lead" l LEFT JOIN "QueueLead" q ON q."queueId" = ? AND q."leadId" = l."id"
     WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT 1`;
  const insert = `INSERT INTO "QueueClaim" ("workspaceId", "queueId", "runId", "leadId", "agentId", "liveLeadId", "status", "leaseUntil", "createdAt")`;
  const values = [input.ws, input.queueId, input.runId, input.agentId, input.leaseUntil, input.now];
  const columns = `?, ?, ?, pick."id", ?, pick."id", 'offered', ?::timestamp(3), ?::timestamp(3)`;
  if (engine === "postgresql")
    return {
      sql: `WITH pick AS (${pick} FOR UPDATE OF l SKIP LOCKED)
            ${insert} SELECT ${columns} FROM pick ON CONFLICT ("liveLeadId") DO NOTHING RETURNING ${RETURNED}`,
      params: [...params, ...values],
    };
  return {
    sql: `WITH pick AS (${pick}) ${insert} SELECT ${columns} FROM pick WHERE true RETURNING ${RETURNED}`,
    params: [...params, ...values],
  };
}
