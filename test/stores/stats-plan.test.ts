import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callStatsStatement, type StatsQuery } from "../../src/services/stats/stats-store.js";
import { type DatabaseHandle, openDatabase, postgresTarget, statements } from "../../src/services/store/db.js";
import { dropSchema, TEAM_ID, testEngine, withSchema } from "../helpers/app.js";

// /call-stats reads a range of calls in one pass (src/services/stats/stats-store.ts). One agent's numbers
// read that agent's calls only, by their index, not the team's range. On PostgreSQL the team's month is
// grouped by hashing (a few hundred groups), never by sorting every call of the range: the planner expects
// about one group per call (it cannot estimate local days), and on its own sorted 100,000 calls on disk.
// Checked with the engine's own EXPLAIN over 20,000 calls from 25 agents, as the store runs it.

const CALLS = 20_000;
const AGENTS = 25;
const MONTH = new Date("2026-11-01T00:00:00Z");
let dir: string;
let url: string;
let database: DatabaseHandle;
let ws: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "leadline-stats-plan-"));
  url =
    testEngine() === "postgresql"
      ? withSchema(process.env.TEST_DATABASE_URL!, `t_stats_${randomBytes(6).toString("hex")}`)
      : `file:${join(dir, "leadline.db")}`;
  database = (await openDatabase(url)).database;
  ws = (await database.prisma.workspace.create({ data: { teamId: TEAM_ID, enterpriseId: "" } })).id;
  const lead = await database.prisma.lead.create({
    data: { workspaceId: ws, name: "Jane Doe", nameSearch: "jane doe", phone: "+12125550100", phoneLast4: "0100" },
  });
  for (let from = 0; from < CALLS; from += 5_000)
    await database.prisma.call.createMany({
      data: Array.from({ length: 5_000 }, (_, k) => {
        const i = from + k;
        return {
          workspaceId: ws,
          leadId: lead.id,
          mode: "message",
          fromNumber: "+15005550006",
          toNumber: "+12125550100",
          twilioSid: `CA${String(i).padStart(32, "0")}`,
          status: i % 4 === 0 ? "no-answer" : "completed",
          durationSec: i % 4 === 0 ? 0 : 30 + (i % 300),
          outcome: ["interested", "callback", null][i % 3],
          placedBy: `U0AGENT${String(i % AGENTS).padStart(2, "0")}`,
          // The month's calls evenly over 28 days.
          createdAt: new Date(MONTH.getTime() + Math.floor((i * 28 * 86_400_000) / CALLS)),
        };
      }),
    });
  await statements(database).write("ANALYZE");
}, 120_000);

afterAll(async () => {
  await database?.close();
  if (url?.startsWith("postgres")) await dropSchema(url);
  rmSync(dir, { recursive: true, force: true });
});

const month = (agentId?: string): StatsQuery => ({
  ws,
  from: MONTH,
  to: new Date("2026-12-01T00:00:00Z"),
  agentId,
  offsetMinutes: -300,
});

/** The plan of the month's statement, under the settings the store runs it with. */
async function plan(query: StatsQuery): Promise<string> {
  const { sql, params, settings } = callStatsStatement(database.engine, query);
  if (database.engine === "sqlite") {
    const steps = await statements(database).rows<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, ...params);
    return steps.map((step) => step.detail).join("\n");
  }
  const { connectionString, schema } = postgresTarget(url);
  const client = new pg.Client({ connectionString, options: `-c search_path="${schema}"` });
  await client.connect();
  try {
    await client.query(["BEGIN", ...settings.map((setting) => `SET LOCAL ${setting}`)].join("; "));
    const values = params.map((value) => (value instanceof Date ? value.toISOString() : value));
    const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, values);
    await client.query("ROLLBACK");
    return rows.map((row) => row["QUERY PLAN"]).join("\n");
  } finally {
    await client.end();
  }
}

describe(`the /call-stats statement's plan (${testEngine()})`, () => {
  it("one agent's month: read through the agent's index, not the team's range", async () => {
    expect(await plan(month("U0AGENT03"))).toContain("Call_workspaceId_placedBy_createdAt_idx");
  });

  it.runIf(testEngine() === "postgresql")("the team's month: grouped by hashing, no sort of the calls", async () => {
    const text = await plan(month());
    expect(text).toMatch(/HashAggregate/);
    expect(text).not.toMatch(/\bSort\b/);
  });
});
