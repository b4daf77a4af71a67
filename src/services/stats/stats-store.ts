import type { Lead } from "@prisma/client";
import type { DatabaseHandle, Db } from "../store/db.js";
import { pooledWithSettings } from "../store/pooled-settings.js";

export interface StatsQuery {
  ws: number;
  from: Date;
  to: Date;
  agentId?: string;
  /** Minutes east of UTC of the asker's zone at the range's start: calls are counted per local day. */
  offsetMinutes: number;
}

export interface Totals {
  placed: number;
  connected: number;
  talkSec: number;
}

export interface StatsRows {
  totals: Totals;
  perAgent: (Totals & { agentId: string })[];
  perDay: (Totals & { day: string })[];
  outcomes: { outcome: string; count: number }[];
  /** Sum of Twilio's prices (negative: money spent), per currency. */
  cost: { unit: string; amount: number }[];
  /** Calls to the team's number: answered by an agent, or missed (voicemail or not). */
  inbound: { answered: number; missed: number; perDay: { day: string; answered: number; missed: number }[] };
}

/** A call calling law blocked (an audit row), with the lead it was for when that lead still exists. */
export interface BlockedCall {
  at: Date;
  actor: string;
  detail: string;
  lead?: { id: number; name: string };
}

export interface ExportRow {
  id: number;
  createdAt: Date;
  agentId: string;
  leadId: number;
  leadName: string;
  mode: string;
  fromNumber: string;
  toNumber: string;
  status: string;
  durationSec: number | null;
  outcome: string | null;
  price: number | null;
  priceUnit: string | null;
  callSid: string | null;
  /** Whether the call counts as placed (see PLACED): false for a refusal or a live call whose lead was never dialled. */
  placed: boolean;
}

/**
 * The numbers behind /call-stats and App Home, aggregated in the database over an indexed range of
 * (workspaceId, createdAt): one query per grouping, engine-specific for the local day. A call counts
 * as connected when it completed and no machine answered it; talk time is over connected calls.
 */
export interface StatsStore {
  stats(query: StatsQuery): Promise<StatsRows>;
  /** Calls blocked by calling law in the range (audit rows), with their reasons. */
  blocked(ws: number, from: Date, to: Date, limit: number): Promise<BlockedCall[]>;
  exportRows(query: StatsQuery, limit: number): Promise<ExportRow[]>;
  /**
   * Leads this agent called since `since` whose latest call (by anyone) went unanswered, was busy, or
   * ended with "Call back" — and nobody called again since.
   */
  waiting(
    ws: number,
    agentId: string,
    since: Date,
  ): Promise<{ lead: Lead; lastCallAt: Date; why: "no_answer" | "busy" | "callback" | "missed_inbound" }[]>;
}

/**
 * A call counts as placed when Twilio accepted it (it has a SID: a refusal has none) and, for a live
 * call, the lead was dialled (the lead's leg exists: an agent who never answered or pressed no key
 * means the lead's phone never rang).
 */
const PLACED = `("twilioSid" IS NOT NULL AND ("mode" <> 'live' OR "leadLegSid" IS NOT NULL))`;

const CONNECTED = `(${PLACED} AND "status" = 'completed' AND ("answeredBy" IS NULL OR "answeredBy" NOT LIKE 'machine%') AND COALESCE("durationSec", 0) > 0)`;

const TOTALS_SQL = `sum(CASE WHEN ${PLACED} THEN 1 ELSE 0 END) AS placed, sum(CASE WHEN ${CONNECTED} THEN 1 ELSE 0 END) AS connected,
    sum(CASE WHEN ${CONNECTED} THEN COALESCE("durationSec", 0) ELSE 0 END) AS talk`;

/** The statements of a range of calls on one engine: its parameters, its WHERE, its local day. */
function rangeSql(sqlite: boolean) {
  // Both engines take positional parameters; SQLite's are "?" in order, PostgreSQL's "$n".
  const p = (n: number) => (sqlite ? "?" : `$${n}`);
  const time = (date: Date) => (sqlite ? date.toISOString().replace("Z", "+00:00") : date);
  const ts = (n: number) => (sqlite ? p(n) : `${p(n)}::timestamp(3)`);
  const where = (query: StatsQuery) => {
    const params: unknown[] = [query.ws, time(query.from), time(query.to)];
    let sql = `"workspaceId" = ${p(1)} AND "createdAt" >= ${ts(2)} AND "createdAt" < ${ts(3)}`;
    if (query.agentId) {
      params.push(query.agentId);
      sql += ` AND "placedBy" = ${p(params.length)}`;
    }
    return { sql, params };
  };
  const day = (query: StatsQuery) => {
    const offset = Math.trunc(query.offsetMinutes);
    return sqlite
      ? `date("createdAt", '${offset >= 0 ? "+" : ""}${offset} minutes')`
      : `to_char("createdAt" + interval '${offset} minutes', 'YYYY-MM-DD')`;
  };
  return { p, time, ts, where, day };
}

/**
 * PostgreSQL's planner cannot estimate how many local days a range holds (it takes every distinct
 * "createdAt" for a day), so it expects about one group per call, sorts the range's rows on disk and
 * groups them in order. The groups are few (days × agents × outcomes: 400 for a month of 100,000 calls),
 * so hashing them is the plan: with sorting off for this one statement it hashes whatever the estimate
 * (and spills to disk in batches if groups ever outgrow work_mem). test/stores/stats-plan.test.ts holds it.
 */
const CALL_STATS_PLAN = ["enable_sort = off", "work_mem = '32MB'"] as const;

/** The one pass over a range of calls behind /call-stats (also what the bench EXPLAINs), with the planner settings it runs under. */
export function callStatsStatement(engine: DatabaseHandle["engine"], query: StatsQuery) {
  const sqlite = engine === "sqlite";
  const { where, day } = rangeSql(sqlite);
  const { sql, params } = where(query);
  const columns = `"placedBy" AS agent, "outcome" AS outcome, "priceUnit" AS unit, ${TOTALS_SQL},
                  count("price") AS priced, sum("price") AS amount
             FROM "Call" WHERE ${sql} GROUP BY 1, 2, 3, 4`;
  if (sqlite) return { sql: `SELECT ${day(query)} AS day, ${columns}`, params, settings: [] as readonly string[] };
  // Grouped by the local date (a cheap cast per row), written out once per group.
  const offset = Math.trunc(query.offsetMinutes);
  return {
    sql: `SELECT to_char(local_day, 'YYYY-MM-DD') AS day, agent, outcome, unit, placed, connected, talk, priced, amount
            FROM (SELECT ("createdAt" + interval '${offset} minutes')::date AS local_day, ${columns}) per_day`,
    params,
    settings: CALL_STATS_PLAN,
  };
}

export function createStatsStore(database: DatabaseHandle): StatsStore {
  const db = database.prisma;
  const sqlite = Boolean(database.sqlite);
  const { p, time, ts, where, day: dayOf } = rangeSql(sqlite);

  const run = <T>(sql: string, params: unknown[]) => db.$queryRawUnsafe<T[]>(sql, ...params);
  const pool = database.postgres?.pool;
  /** A statement with its planner settings: on PostgreSQL straight on the pool, in a transaction of its own. */
  const runPlanned = async <T>({ sql, params, settings }: ReturnType<typeof callStatsStatement>) =>
    pool && settings.length > 0
      ? ((await pooledWithSettings(pool, settings, sql, params)).rows as T[])
      : run<T>(sql, params);
  const totals = (row: { placed: unknown; connected: unknown; talk: unknown } | undefined): Totals => ({
    placed: Number(row?.placed ?? 0),
    connected: Number(row?.connected ?? 0),
    talkSec: Number(row?.talk ?? 0),
  });

  return {
    async stats(query) {
      const day = dayOf(query);
      const calls = callStatsStatement(database.engine, query);
      const inboundWhere = where({ ...query, agentId: undefined });
      const inboundAgent = query.agentId ? ` AND "answeredBy" = ${p(inboundWhere.params.length + 1)}` : "";
      const inboundParams = query.agentId ? [...inboundWhere.params, query.agentId] : inboundWhere.params;
      const inboundSql = inboundWhere.sql.replace(/"placedBy"/g, '"answeredBy"');
      // One pass over the range, grouped finely enough to add up every view of it (totals, per agent, per
      // day, outcomes, cost) here: one scan instead of one per view.
      const [groups, inbound] = await Promise.all([
        runPlanned<{
          day: string;
          agent: string;
          outcome: string | null;
          unit: string | null;
          placed: unknown;
          connected: unknown;
          talk: unknown;
          priced: unknown;
          amount: unknown;
        }>(calls),
        run<{ day: string; answered: unknown; missed: unknown }>(
          `SELECT ${day} AS day,
                  sum(CASE WHEN "status" IN ('answered', 'completed') THEN 1 ELSE 0 END) AS answered,
                  sum(CASE WHEN "status" IN ('missed', 'voicemail') THEN 1 ELSE 0 END) AS missed
             FROM "InboundCall" WHERE ${inboundSql}${inboundAgent} GROUP BY 1 ORDER BY 1`,
          inboundParams,
        ),
      ]);
      const all: Totals = { placed: 0, connected: 0, talkSec: 0 };
      const agents = new Map<string, Totals>();
      const days = new Map<string, Totals>();
      const outcomeCounts = new Map<string, number>();
      const cost = new Map<string, number>();
      const add = (into: Map<string, Totals>, key: string, row: Totals) => {
        const sum = into.get(key) ?? { placed: 0, connected: 0, talkSec: 0 };
        sum.placed += row.placed;
        sum.connected += row.connected;
        sum.talkSec += row.talkSec;
        into.set(key, sum);
      };
      for (const group of groups) {
        const row = totals(group);
        all.placed += row.placed;
        all.connected += row.connected;
        all.talkSec += row.talkSec;
        add(agents, group.agent, row);
        add(days, String(group.day), row);
        if (group.outcome !== null)
          outcomeCounts.set(group.outcome, (outcomeCounts.get(group.outcome) ?? 0) + row.placed);
        if (Number(group.priced ?? 0) > 0) {
          const unit = group.unit ?? "USD";
          // Added up in millionths (Twilio prices have at most five decimals), so no float drift across groups.
          cost.set(unit, (cost.get(unit) ?? 0) + Math.round(Number(group.amount ?? 0) * 1e6));
        }
      }
      const inboundDays = inbound.map((row) => ({
        day: String(row.day),
        answered: Number(row.answered ?? 0),
        missed: Number(row.missed ?? 0),
      }));
      return {
        totals: all,
        perAgent: [...agents]
          .map(([agentId, sum]) => ({ agentId, ...sum }))
          .sort((a, b) => b.placed - a.placed || a.agentId.localeCompare(b.agentId)),
        perDay: [...days].map(([day, sum]) => ({ day, ...sum })).sort((a, b) => a.day.localeCompare(b.day)),
        outcomes: [...outcomeCounts].map(([outcome, count]) => ({ outcome, count })),
        cost: [...cost].map(([unit, millionths]) => ({ unit, amount: millionths / 1e6 })),
        inbound: {
          answered: inboundDays.reduce((sum, row) => sum + row.answered, 0),
          missed: inboundDays.reduce((sum, row) => sum + row.missed, 0),
          perDay: inboundDays,
        },
      };
    },
    async blocked(ws, from, to, limit) {
      const rows = await db.auditLog.findMany({
        where: { workspaceId: ws, action: "call.blocked", createdAt: { gte: from, lt: to } },
        orderBy: { createdAt: "desc" },
        take: limit,
        select: { createdAt: true, actor: true, detail: true },
      });
      const leadIdOf = (detail: string) => {
        try {
          const id = (JSON.parse(detail) as { leadId?: unknown }).leadId;
          return typeof id === "number" && Number.isInteger(id) ? id : undefined;
        } catch {
          return undefined;
        }
      };
      const ids = [...new Set(rows.map((row) => leadIdOf(row.detail)).filter((id) => id !== undefined))];
      const leads = new Map(
        (await db.lead.findMany({ where: { workspaceId: ws, id: { in: ids } }, select: { id: true, name: true } })).map(
          (lead) => [lead.id, lead],
        ),
      );
      return rows.map((row) => {
        const lead = leads.get(leadIdOf(row.detail) ?? -1);
        return { at: row.createdAt, actor: row.actor, detail: row.detail, ...(lead ? { lead } : {}) };
      });
    },
    async waiting(ws, agentId, since) {
      // A lead whose call to the team went unanswered, with no call to them since, waits on whoever it rang.
      const missedInbound = await db.inboundCall.findMany({
        where: {
          workspaceId: ws,
          ringAgentId: agentId,
          status: { in: ["missed", "voicemail"] },
          createdAt: { gte: since },
          leadId: { not: null },
        },
        orderBy: { createdAt: "desc" },
        include: { lead: true },
        take: 50,
      });
      // Each lead this agent called in the window, by its latest call (anyone's): waiting when that call
      // went unanswered or busy with no outcome, or ended with "Call back". The newest 20 by that call.
      const waitingIds = await run<{ id: unknown }>(
        `SELECT c."id" FROM "Call" c
          WHERE c."workspaceId" = ${p(1)}
            AND c."leadId" IN (SELECT DISTINCT "leadId" FROM "Call"
                                WHERE "workspaceId" = ${p(2)} AND "placedBy" = ${p(3)} AND "createdAt" >= ${ts(4)})
            AND NOT EXISTS (SELECT 1 FROM "Call" n WHERE n."leadId" = c."leadId"
                              AND (n."createdAt" > c."createdAt" OR (n."createdAt" = c."createdAt" AND n."id" > c."id")))
            AND (c."outcome" = 'callback' OR (c."outcome" IS NULL AND c."status" IN ('no-answer', 'busy')))
          ORDER BY c."createdAt" DESC, c."id" DESC LIMIT 20`,
        [ws, ws, agentId, time(since)],
      );
      const latest = await db.call.findMany({
        where: { id: { in: waitingIds.map((row) => Number(row.id)) } },
        include: { lead: true },
      });
      const result: { lead: Lead; lastCallAt: Date; why: "no_answer" | "busy" | "callback" | "missed_inbound" }[] = [];
      for (const call of latest) {
        const why =
          call.outcome === "callback"
            ? "callback"
            : call.outcome === null && call.status === "no-answer"
              ? "no_answer"
              : call.outcome === null && call.status === "busy"
                ? "busy"
                : undefined;
        if (why) result.push({ lead: call.lead, lastCallAt: call.createdAt, why });
      }
      for (const missed of missedInbound) {
        if (!missed.lead || result.some((item) => item.lead.id === missed.lead!.id)) continue;
        const later = await db.call.findFirst({
          where: { leadId: missed.lead.id, createdAt: { gt: missed.createdAt } },
          select: { id: true },
        });
        if (!later) result.push({ lead: missed.lead, lastCallAt: missed.createdAt, why: "missed_inbound" });
      }
      return result.sort((a, b) => b.lastCallAt.getTime() - a.lastCallAt.getTime()).slice(0, 20);
    },
    async exportRows(query, limit) {
      const rows = await (db as Db).call.findMany({
        where: {
          workspaceId: query.ws,
          createdAt: { gte: query.from, lt: query.to },
          ...(query.agentId ? { placedBy: query.agentId } : {}),
        },
        orderBy: { createdAt: "asc" },
        take: limit,
        include: { lead: { select: { name: true } } },
      });
      return rows.map((row) => ({
        id: row.id,
        createdAt: row.createdAt,
        agentId: row.placedBy,
        leadId: row.leadId,
        leadName: row.lead.name,
        mode: row.mode,
        fromNumber: row.fromNumber,
        toNumber: row.toNumber,
        status: row.status,
        durationSec: row.durationSec,
        outcome: row.outcome,
        price: row.price === null ? null : Number(row.price),
        priceUnit: row.priceUnit,
        callSid: row.twilioSid,
        placed: row.twilioSid !== null && (row.mode !== "live" || row.leadLegSid !== null),
      }));
    },
  };
}
