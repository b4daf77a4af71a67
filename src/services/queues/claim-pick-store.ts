import type { Engine } from "../store/db.js";
import type { QueueFilter, QueueOrder } from "./queue-filter.js";

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

/** The claim row as the claimer needs it, returned by the insert itself (no read after it). */
const RETURNED = `"id", "workspaceId", "queueId", "runId", "leadId", "agentId", "liveLeadId", "status", "callId", "outcome"`;

/** What makes a lead free to claim in this queue now (params: queueId first via the join, then now, max, gap edge). */
const AVAILABLE = [
  `q."doneAt" IS NULL`,
  `(q."notBefore" IS NULL OR q."notBefore" <= ?::timestamp(3))`,
  `COALESCE(q."attempts", 0) < ?`,
  `(l."lastContactedAt" IS NULL OR l."lastContactedAt" <= ?::timestamp(3))`,
  `NOT EXISTS (SELECT 1 FROM "QueueClaim" c WHERE c."liveLeadId" = l."id")`,
  `NOT EXISTS (SELECT 1 FROM "Call" a WHERE a."activeLeadId" = l."id")`,
];
const availableParams = (input: ClaimInput) => [
  input.now,
  input.maxAttempts,
  new Date(input.now.getTime() - input.recallGapMs),
];

/** The transaction-local setting through which PostgreSQL's pick hands its lead to the insert. */
const PICKED = `NULLIF(current_setting('leadline.queue_pick', true), '')::integer`;

export interface ClaimStatements {
  /** SQLite: the one statement (pick and insert); PostgreSQL: the pick, which locks the lead and remembers it. */
  sql: string;
  params: unknown[];
  /** PostgreSQL: the insert, run after the pick in the same transaction. */
  insert?: { sql: string; params: unknown[] };
}

/** The queue's filter as SQL over `l` (the lead), with its values. */
function filterConditions(input: Pick<ClaimInput, "ws" | "filter">): { where: string[]; params: unknown[] } {
  const where: string[] = [`l."workspaceId" = ?`, `l."phone" IS NOT NULL`];
  const params: unknown[] = [input.ws];
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
  return { where, params };
}

/** The lead's filter and availability as SQL over `l` (the lead) and `q` (its standing), with their values. */
function conditions(input: ClaimInput): { sql: string; params: unknown[] } {
  const { where, params } = filterConditions(input);
  where.push(...AVAILABLE);
  params.push(...availableParams(input));
  if (input.exclude.length > 0) {
    where.push(`l."id" NOT IN (${input.exclude.map(() => "?").join(", ")})`);
    params.push(...input.exclude);
  }
  return { sql: where.join(" AND "), params };
}

const STANDING = `LEFT JOIN "QueueLead" q ON q."queueId" = ? AND q."leadId" = l."id"`;

/**
 * The pick as tiers, each one index walk stopped at its first free lead (`LIMIT 1`), tried in the queue's
 * order until one answers: speed to lead's overdue leads (few), then — when callbacks come first — leads
 * whose last outcome is a callback (few, through `Call(workspaceId, outcome)`), then leads never contacted by
 * arrival (`Lead(workspaceId, lastContactedAt, createdAt, id)`: all their `lastContactedAt` are null, so the
 * index's order is arrival), then contacted leads by arrival (`Lead(workspaceId, createdAt, id)`). That is the
 * queue's order for `callbacks` and `new` (after arrival only exact ties differ).
 * `fewest`: the leads this queue has not dialled yet (no attempt in it) in the `callbacks` order, then the
 * ones it has, fewest attempts first (`QueueLead(queueId, attempts, leadId)`; equals by lead number).
 * `oldest`: leads never called by arrival, then the others by their last call (`lastContactedAt`: set when a
 * call is placed, so a dial Twilio refused is no call), both on `Lead(workspaceId, lastContactedAt, …)`.
 */
function tiers(engine: Engine, input: ClaimInput, lock: string): { sql: string; params: unknown[] }[] {
  const cond = conditions(input);
  // `fewest` first offers the leads with no attempt in this queue (no standing, or a standing never dialled).
  const undialled = input.orderBy === "fewest" ? ` AND COALESCE(q."attempts", 0) = 0` : "";
  const tier = (from: string, where: string, order: string, extra: unknown[] = []) => ({
    sql: `SELECT l."id" FROM ${from} ${STANDING} WHERE ${where} AND ${cond.sql} ORDER BY ${order} LIMIT 1${lock}`,
    params: [input.queueId, ...extra, ...cond.params],
  });
  // SQLite would rather walk every never-contacted lead and look for its speed claim: the few speed claims lead.
  // PostgreSQL: the lead is read per speed claim (a lateral subquery it cannot flatten: OFFSET 0).
  const speedLead =
    engine === "sqlite"
      ? `"Lead" l NOT INDEXED ON l."id" = s."leadId"`
      : `LATERAL (SELECT * FROM "Lead" WHERE "id" = s."leadId" OFFSET 0) l ON true`;
  const speed = tier(
    `"SpeedClaim" s JOIN ${speedLead}`,
    `s."claimedBy" IS NULL AND s."escalatedAt" IS NOT NULL AND l."lastContactedAt" IS NULL`,
    // By the speed claim's arrival (the lead's): an order no index over leads offers, so no planner walks them.
    `s."arrivedAt", s."leadId"`,
  );
  const callbacks = {
    sql: `SELECT l."id" FROM "Call" k JOIN "Lead" l ON l."id" = k."leadId" ${STANDING}
           WHERE k."workspaceId" = ? AND k."outcome" = 'callback'
             AND NOT EXISTS (SELECT 1 FROM "Call" k2 WHERE k2."leadId" = k."leadId" AND k2."outcome" IS NOT NULL
                   AND (k2."createdAt" > k."createdAt" OR (k2."createdAt" = k."createdAt" AND k2."id" > k."id")))
             AND ${cond.sql}${undialled} ORDER BY (l."lastContactedAt" IS NOT NULL), l."createdAt", l."id" LIMIT 1${lock}`,
    params: [input.queueId, input.ws, ...cond.params],
  };
  // SQLite would rather range over the contact time (the re-call gap's bound) and sort: it is told the index.
  const by = (index: string) => (engine === "sqlite" ? ` INDEXED BY "${index}"` : "");
  const never = tier(
    `"Lead" l${by("Lead_workspaceId_lastContactedAt_createdAt_id_idx")}`,
    `l."lastContactedAt" IS NULL${undialled}`,
    `l."lastContactedAt", l."createdAt", l."id"`,
  );
  const contacted = tier(
    `"Lead" l${by("Lead_workspaceId_createdAt_id_idx")}`,
    `l."lastContactedAt" IS NOT NULL${undialled}`,
    `l."createdAt", l."id"`,
  );
  if (input.orderBy === "callbacks") return [speed, callbacks, never, contacted];
  if (input.orderBy === "new") return [speed, never, contacted];
  if (input.orderBy === "oldest") {
    const lastCall = tier(
      `"Lead" l${by("Lead_workspaceId_lastContactedAt_createdAt_id_idx")}`,
      `l."lastContactedAt" IS NOT NULL`,
      `l."lastContactedAt", l."createdAt", l."id"`,
    );
    return [speed, never, lastCall];
  }
  // The leads this queue dialled, from its standings: the lead is read per standing (as speed to lead's).
  const standingLead =
    engine === "sqlite"
      ? `"QueueLead" q${by("QueueLead_queueId_attempts_leadId_idx")} JOIN "Lead" l ON l."id" = q."leadId"`
      : `"QueueLead" q JOIN LATERAL (SELECT * FROM "Lead" WHERE "id" = q."leadId" OFFSET 0) l ON true`;
  const dialled = {
    sql: `SELECT l."id" FROM ${standingLead} WHERE q."queueId" = ? AND q."attempts" >= 1 AND ${cond.sql}
           ORDER BY q."attempts", q."leadId" LIMIT 1${lock}`,
    params: [input.queueId, ...cond.params],
  };
  return [speed, callbacks, never, contacted, dialled];
}

/** The pick as one statement: the first tier that answers (later tiers are never run). */
function pickStatement(engine: Engine, input: ClaimInput, lock: string): { sql: string; params: unknown[] } {
  const parts = tiers(engine, input, lock);
  const names = parts.map((_, i) => `t${i}`);
  return {
    sql: `WITH ${parts.map((part, i) => `${names[i]} AS (${part.sql})`).join(", ")}
          SELECT "id" FROM (${names.map((name) => `SELECT "id" FROM ${name}`).join(" UNION ALL ")}) tiers LIMIT 1`,
    params: parts.flatMap((part) => part.params),
  };
}

export function claimStatement(engine: Engine, input: ClaimInput): ClaimStatements {
  const insert = `INSERT INTO "QueueClaim" ("workspaceId", "queueId", "runId", "leadId", "agentId", "liveLeadId", "status", "leaseUntil", "createdAt")`;
  const values = [input.ws, input.queueId, input.runId, input.agentId, input.leaseUntil, input.now];
  const columns = `?, ?, ?, pick."id", ?, pick."id", 'offered', ?::timestamp(3), ?::timestamp(3)`;
  if (engine === "postgresql") {
    // Two statements in one transaction, as a job queue's claim must be when the row it locks is not the row
    // it changes: the pick's snapshot is taken before it locks, so a lead another claimer claimed, dialled and
    // released meanwhile still looks free to it (its lock comes after that claimer's commit). The insert's
    // own snapshot, taken once the pick holds the lead's lock, sees every claim of that lead committed before
    // it and judges the lead again. NO KEY UPDATE: the lock does not wait on (or block) other tables'
    // foreign-key checks on the lead, which deadlocked a dial's write against a claimer holding the lead.
    const pick = pickStatement(engine, input, ` FOR NO KEY UPDATE OF l SKIP LOCKED`);
    return {
      sql: `SELECT set_config('leadline.queue_pick', pick."id"::text, true) AS "id" FROM (${pick.sql}) pick`,
      params: pick.params,
      insert: {
        sql: `WITH pick AS (SELECT l."id" FROM "Lead" l ${STANDING} WHERE l."id" = ${PICKED} AND ${AVAILABLE.join(" AND ")})
              ${insert} SELECT ${columns} FROM pick ON CONFLICT ("liveLeadId") DO NOTHING RETURNING ${RETURNED}`,
        params: [input.queueId, ...availableParams(input), ...values],
      },
    };
  }
  const pick = pickStatement(engine, input, "");
  return {
    sql: `WITH pick AS (${pick.sql}) ${insert} SELECT ${columns} FROM pick WHERE true RETURNING ${RETURNED}`,
    params: [...pick.params, ...values],
  };
}

/** Leads still in the queue: matching its filter, not done with in it, under its max attempts (due now or later). */
export function leftStatement(input: Pick<ClaimInput, "ws" | "queueId" | "filter" | "maxAttempts">): {
  sql: string;
  params: unknown[];
} {
  const filter = filterConditions(input);
  return {
    sql: `SELECT COUNT(*) AS "left" FROM "Lead" l ${STANDING}
           WHERE ${filter.where.join(" AND ")} AND q."doneAt" IS NULL AND COALESCE(q."attempts", 0) < ?`,
    params: [input.queueId, ...filter.params, input.maxAttempts],
  };
}
