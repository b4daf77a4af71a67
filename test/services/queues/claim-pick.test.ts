import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClaimInput, claimStatement } from "../../../src/services/queues/claim-pick-store.js";
import type { QueueOrder } from "../../../src/services/queues/queue-filter.js";
import { type DatabaseHandle, openDatabase, statements } from "../../../src/services/store/db.js";
import { dropSchema, TEAM_ID, testEngine, withSchema } from "../../helpers/app.js";

// The next-lead pick is index-driven: each tier walks an index in the queue's order and stops at the first
// free lead (LIMIT 1), whatever the queue's size; it never reads and sorts every lead (the plan has no sort
// over leads). Checked with the engine's own EXPLAIN over a queue of 20,000 leads.

const LEADS = 20_000;
let dir: string;
let url: string;
let database: DatabaseHandle;
let ws: number;
let queueId: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "leadline-pick-"));
  url =
    testEngine() === "postgresql"
      ? withSchema(process.env.TEST_DATABASE_URL!, `t_pick_${randomBytes(6).toString("hex")}`)
      : `file:${join(dir, "leadline.db")}`;
  database = (await openDatabase(url)).database;
  ws = (await database.prisma.workspace.create({ data: { teamId: TEAM_ID, enterpriseId: "" } })).id;
  const base = Date.parse("2026-11-01T00:00:00Z");
  for (let from = 0; from < LEADS; from += 5_000)
    await database.prisma.lead.createMany({
      data: Array.from({ length: 5_000 }, (_, k) => ({
        workspaceId: ws,
        name: `Lead ${from + k}`,
        nameSearch: `lead ${from + k}`,
        phone: `+1212${String(1_000_000 + from + k).padStart(7, "0")}`,
        source: "zillow",
        createdAt: new Date(base + (from + k) * 1000),
        // A third of the leads were contacted before.
        lastContactedAt: (from + k) % 3 === 0 ? new Date(base) : null,
      })),
    });
  // The queue has dialled every fourth lead one to three times (a `fewest` queue's second pass).
  const queue = await database.prisma.callQueue.create({
    data: { workspaceId: ws, name: "Plan", nameKey: "plan", createdBy: "U0PLAN001" },
  });
  queueId = queue.id;
  const leads = await database.prisma.lead.findMany({ where: { workspaceId: ws }, select: { id: true } });
  await database.prisma.queueLead.createMany({
    data: leads
      .filter((_, i) => i % 4 === 0)
      .map((lead, i) => ({ queueId, leadId: lead.id, attempts: 1 + (i % 3), lastDialAt: new Date(base) })),
  });
  await statements(database).write("ANALYZE");
}, 120_000);

afterAll(async () => {
  await database?.close();
  if (url?.startsWith("postgres")) await dropSchema(url);
  rmSync(dir, { recursive: true, force: true });
});

const input = (orderBy: QueueOrder): ClaimInput => ({
  ws,
  queueId,
  runId: null,
  agentId: "U0PLAN001",
  filter: {},
  orderBy,
  maxAttempts: 6,
  recallGapMs: 3_600_000,
  now: new Date("2026-11-24T19:00:00Z"),
  leaseUntil: new Date("2026-11-24T19:05:00Z"),
  exclude: [],
});

async function plan(orderBy: QueueOrder): Promise<string> {
  const { sql, params } = claimStatement(database.engine, input(orderBy));
  const { rows } = statements(database);
  if (database.engine === "sqlite") {
    const steps = await rows<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, ...params);
    return steps.map((step) => step.detail).join("\n");
  }
  const steps = await rows<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, ...params);
  return steps.map((step) => step["QUERY PLAN"]).join("\n");
}

describe(`the next-lead pick (${testEngine()})`, () => {
  for (const orderBy of ["callbacks", "new", "fewest", "oldest"] as const)
    it(`order ${orderBy}: walks the leads' indexes in the queue's order, sorts no lead list`, async () => {
      const text = await plan(orderBy);
      expect(text).toContain("Lead_workspaceId_lastContactedAt_createdAt_id_idx");
      if (orderBy !== "oldest") expect(text).toContain("Lead_workspaceId_createdAt_id_idx");
      // `fewest` then walks the leads it dialled by their attempts in this queue.
      if (orderBy === "fewest") expect(text).toContain("QueueLead_queueId_attempts_leadId_idx");
      // PostgreSQL scans a table it knows to be empty (no calls here) rather than its index.
      if ((orderBy === "callbacks" || orderBy === "fewest") && database.engine === "sqlite")
        expect(text).toContain("Call_workspaceId_outcome_idx");
      if (database.engine === "sqlite") {
        expect(text).not.toMatch(/SCAN l\b(?! USING)/);
        expect(text).not.toMatch(/SCAN q\b(?! USING)/);
        // Speed to lead's tier starts from the few overdue speed claims, not from every never-contacted lead.
        expect(text).toContain("SEARCH s USING INDEX SpeedClaim_claimedBy_escalatedAt_dueAt_idx");
        // Only the few callback leads may be sorted (a temporary tree over the callback calls found).
        expect(text.match(/TEMP B-TREE FOR ORDER BY/g)?.length ?? 0).toBeLessThanOrEqual(
          orderBy === "callbacks" || orderBy === "fewest" ? 2 : 1,
        );
      } else {
        expect(text).not.toMatch(/Seq Scan on "Lead"/);
        expect(text).not.toMatch(/Seq Scan on "QueueLead"/);
        // A tier that walks the leads or the standings takes them in the index's order: no sort in it (only
        // speed to lead's few claims and the few callback calls are sorted).
        const walks = text
          .split(/CTE t\d+/)
          .filter((tier) => /Lead_workspaceId_|QueueLead_queueId_attempts/.test(tier));
        expect(walks.length).toBe({ callbacks: 2, new: 2, fewest: 3, oldest: 2 }[orderBy]);
        for (const tier of walks) expect(tier).not.toMatch(/\bSort\b/);
        // Speed to lead's tier reads the lead per overdue speed claim; it never walks the leads.
        const speedTier = text.slice(text.indexOf("CTE t0"), text.indexOf("CTE t1"));
        expect(speedTier).toContain('"SpeedClaim" s');
        expect(speedTier).not.toContain("Lead_workspaceId_");
        expect(text).toContain("LockRows");
      }
    });
});
