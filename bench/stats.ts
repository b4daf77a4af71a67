// Issue 18: `/call-stats month` over a store of 1,000,000 calls (100,000 of them this month) and the
// App Home publish, each p99 < 300 ms, on both engines. The calls are seeded inside the database in one
// statement (a recursive CTE on SQLite, generate_series on PostgreSQL); the measures go through the
// real app over HTTP, signed like Slack, and stop the clock when the answer reaches the fake Slack.
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { callStatsStatement } from "../src/services/stats/stats-store.js";
import { type BenchDb, withPg } from "./database.js";
import { ADMIN, type Fakes, FROM, type Instance, post, signedCommand, signedEvent, sleep } from "./harness.js";
import { type Summary, summarize } from "./lib.js";

export interface CallSeed {
  total: number;
  inMonth: number;
  /** Calls are "this month" between the month's first instant (UTC) and now. */
  monthStart: Date;
  /** Every older call is before this (and before the last 31 days, so "last 30 days" also counts inMonth). */
  olderBefore: Date;
  agents: number;
  seconds: number;
}

/**
 * Seeds `total` calls spread over `leads` (contiguous ids): `inMonth` evenly between the month's start
 * and now (so today and this week have calls too), the rest over the two years before `olderBefore`.
 * 55% completed (15–915 s, priced in USD, with an outcome five times in six), 25% no-answer, 10% busy,
 * 5% failed, 5% canceled; placed by 25 agents (U0AGENT00…24). Columns added later need defaults.
 */
export async function seedCalls(
  bench: BenchDb,
  ws: number,
  leads: { id: number }[],
  total = 1_000_000,
  inMonth = 100_000,
  now = new Date(),
): Promise<CallSeed> {
  const first = leads[0]!.id;
  const count = leads.length;
  if (leads.at(-1)!.id - first + 1 !== count) throw new Error("seedCalls needs leads with contiguous ids");
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const olderBefore = new Date(Math.min(monthStart.getTime(), now.getTime() - 31 * 86_400_000) - 3_600_000);
  const p = {
    total,
    inMonth,
    nowSec: Math.floor(now.getTime() / 1000) - 60,
    inSpan: Math.floor((now.getTime() - monthStart.getTime()) / 1000) - 120,
    cutoffSec: Math.floor(olderBefore.getTime() / 1000),
    oldSpan: 730 * 86_400,
    first,
    count,
    ws,
  };
  // One expression per column, the same on both engines but for dates and hex.
  const columns = (sql: { time: (seconds: string) => string; sid: string }) => `
    SELECT ${p.ws}, l."id", 'live', '${FROM}', l."phone", ${sql.sid},
      CASE WHEN k < 11 THEN 'completed' WHEN k < 16 THEN 'no-answer' WHEN k < 18 THEN 'busy'
           WHEN k = 18 THEN 'failed' ELSE 'canceled' END,
      dur,
      CASE WHEN k < 11 THEN -0.014 * ((dur + 59) / 60) ELSE 0 END,
      'USD',
      CASE WHEN k < 11 AND i % 6 < 5 THEN
        (CASE i % 5 WHEN 0 THEN 'interested' WHEN 1 THEN 'appointment' WHEN 2 THEN 'callback'
                    WHEN 3 THEN 'not_interested' ELSE 'wrong_number' END) END,
      CASE WHEN k < 11 AND i % 6 < 5 THEN agent END,
      CASE WHEN k < 11 AND i % 6 < 5 THEN ${sql.time("t + dur + 30")} END,
      agent, 'posted', 1, 1, ${sql.time("t")}, ${sql.time("t + dur + 5")}, ${sql.time("t + dur + 5")}`;
  const insert = `INSERT INTO "Call" ("workspaceId", "leadId", "mode", "fromNumber", "toNumber", "twilioSid", "status",
      "durationSec", "price", "priceUnit", "outcome", "outcomeBy", "outcomeAt", "placedBy", "postState", "postShown",
      "postVersion", "createdAt", "updatedAt", "endedAt")`;
  const shape = (series: string, agent: string) => `
    SELECT i, k, CASE WHEN k < 11 THEN 15 + (i * 7919) % 900 ELSE 0 END AS dur, ${agent} AS agent,
      CASE WHEN i < ${p.inMonth} THEN ${p.nowSec} - (i * ${p.inSpan}) / ${p.inMonth}
           ELSE ${p.cutoffSec} - ((i - ${p.inMonth}) * ${p.oldSpan}) / ${p.total - p.inMonth} END AS t
      FROM (SELECT i, i % 20 AS k FROM ${series}) s`;
  const started = performance.now();
  if (bench.engine === "sqlite") {
    const db = new Database(bench.url.replace(/^file:/, ""));
    try {
      db.pragma("journal_mode = WAL");
      db.exec(`WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < ${p.total - 1})
        ${insert}
        ${columns({
          time: (seconds) => `strftime('%Y-%m-%dT%H:%M:%f+00:00', ${seconds}, 'unixepoch')`,
          sid: `printf('CB%032x', c.i)`,
        })}
        FROM (${shape("g", `printf('U0AGENT%02d', i % 25)`)}) c JOIN "Lead" l ON l."id" = ${p.first} + (c.i % ${p.count})`);
      // A store that has been running: the WAL folded into the file, statistics for the planner.
      db.exec("ANALYZE");
      db.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      db.close();
    }
  } else {
    await withPg(bench.url, async (client) => {
      await client.query(`${insert}
        ${columns({
          time: (seconds) => `to_timestamp(${seconds}) AT TIME ZONE 'UTC'`,
          sid: `'CB' || lpad(to_hex(c.i), 32, '0')`,
        })}
        FROM (${shape(`generate_series(0::bigint, ${p.total - 1}) AS g(i)`, `'U0AGENT' || lpad((i % 25)::text, 2, '0')`)}) c
        JOIN "Lead" l ON l."id" = ${p.first} + (c.i % ${p.count})`);
      // What autovacuum does within minutes of such a load (PostgreSQL 13+ vacuums after inserts too):
      // done now, so it does not run during the measures.
      // Every table the earlier measures filled too, so no autovacuum worker competes with the measures.
      for (const table of ["Call", "CallEvent", "CallFact", "Lead", "Note", "ScheduledCall", "AuditLog"])
        await client.query(`VACUUM ANALYZE "${table}"`);
    });
  }
  return {
    total,
    inMonth,
    monthStart,
    olderBefore,
    agents: 25,
    seconds: (performance.now() - started) / 1000,
  };
}

type Answer =
  | { available: true; answers: string[]; first: Summary; complete: Summary }
  | { available: false; why: string };

/**
 * Times an answer shown in Slack. A first request learns what the answer is made of (which Slack
 * methods, and whether the HTTP response itself carries it); each measured round then waits for all of
 * those: `first` is when the user first sees something, `complete` when all of it (a chart upload
 * too) has arrived.
 */
async function timeAnswer(fakes: Fakes, send: (round: number) => Promise<Response>, rounds: number): Promise<Answer> {
  const learn = fakes.recordAnswers();
  const response = await send(-1);
  const body = await response.text();
  if (response.status >= 400) {
    learn.stop();
    return { available: false, why: `Leadline answered HTTP ${response.status}` };
  }
  // Quiet for a second (or 10 s in all): the answer is complete.
  const deadline = performance.now() + 10_000;
  let seen = -1;
  while (performance.now() < deadline && (learn.events.length === 0 || learn.events.length !== seen)) {
    seen = learn.events.length;
    await sleep(1_000);
  }
  learn.stop();
  const answers = learn.events.map((event) => event.kind);
  const inAck = body.trim().length > 0;
  if (answers.length === 0 && !inAck) return { available: false, why: "no answer reached Slack within 10 s" };

  const first: number[] = [];
  const complete: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const seenNow = fakes.recordAnswers();
    const all = answers.length > 0 ? fakes.answersFor(answers) : Promise.resolve(0);
    const start = performance.now();
    const reply = await send(round);
    await reply.text();
    const acked = performance.now();
    const last = await all;
    seenNow.stop();
    const firstSeen = Math.min(
      seenNow.events[0]?.at ?? Number.POSITIVE_INFINITY,
      inAck ? acked : Number.POSITIVE_INFINITY,
    );
    first.push(firstSeen - start);
    complete.push(Math.max(acked, last) - start);
    await sleep(20);
  }
  return {
    available: true,
    answers: inAck ? ["http response", ...answers] : answers,
    first: summarize(first),
    complete: summarize(complete),
  };
}

/** One of the 25 seeded agents (about 4,000 calls this month): an agent's own view. */
export const SEEDED_AGENT = "U0AGENT03";

export async function benchStats(fakes: Fakes, instance: Instance, rounds: number) {
  fakes.slack.users.set(SEEDED_AGENT, { id: SEEDED_AGENT, name: "agent03", tz: "UTC" });
  const responseUrl = fakes.slack.responseUrl();
  // An admin (the team's 100,000 calls this month, per agent) and an agent (their own) in turn.
  const viewer = (round: number) => (round % 2 === 0 ? ADMIN : SEEDED_AGENT);
  const callStats = await timeAnswer(
    fakes,
    (round) => post(instance.url, signedCommand("/call-stats", "month", responseUrl, viewer(round))),
    rounds,
  );
  const appHome = await timeAnswer(
    fakes,
    (round) =>
      post(
        instance.url,
        signedEvent({
          type: "app_home_opened",
          user: viewer(round),
          channel: "D0BENCH01",
          tab: "home",
          event_ts: `${Date.now() / 1000}`,
        }),
      ),
    rounds,
  );
  return { callStats, appHome };
}

/**
 * PostgreSQL's plan for this month's calls (the team's, and one agent's), run as the app runs it, with
 * what the table looks like to autovacuum: why /call-stats takes what it takes at this point of a run.
 */
export async function explainStats(bench: BenchDb, ws: number, now = new Date()) {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return withPg(bench.url, async (client) => {
    const plans: Record<string, string[]> = {};
    for (const [who, agentId] of [
      ["team", undefined],
      ["agent", SEEDED_AGENT],
    ] as const) {
      const { sql, params, settings } = callStatsStatement("postgresql", {
        ws,
        from,
        to: now,
        agentId,
        offsetMinutes: 0,
      });
      // Under the planner settings the store runs it with (SET LOCAL, in a transaction of its own).
      await client.query(["BEGIN READ ONLY", ...settings.map((setting) => `SET LOCAL ${setting}`)].join("; "));
      const values = params.map((value) => (value instanceof Date ? value.toISOString() : value));
      const plan = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, values);
      await client.query("COMMIT");
      plans[who] = plan.rows.map((row) => row["QUERY PLAN"]);
    }
    const table = await client.query(
      `SELECT n_live_tup, n_dead_tup, n_mod_since_analyze, last_analyze, last_autoanalyze, last_autovacuum,
              pg_size_pretty(pg_total_relation_size(relid)) AS size
         FROM pg_stat_user_tables WHERE relid = '"Call"'::regclass`,
    );
    return { plans, table: table.rows[0] as Record<string, unknown> };
  });
}
