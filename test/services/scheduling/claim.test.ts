import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLeadService } from "../../../src/services/leads/lead-service.js";
import { createLeadStore } from "../../../src/services/leads/lead-store.js";
import { createScheduleStore, type ScheduleStore } from "../../../src/services/scheduling/schedule-store.js";
import { type DatabaseHandle, openDatabase } from "../../../src/services/store/db.js";
import { CHANNEL, dropSchema, TEAM_ID, testEngine, withSchema } from "../../helpers/app.js";

// The claim of scheduled calls, on the suite's engine (SQLite: a temporary file; PostgreSQL: a fresh
// schema), by separate OS processes as instances are (test/services/scheduling/fixtures/claimer.ts):
// every due row is claimed exactly once however many claim at once, an expired lease is taken over
// exactly once, a clock moved backwards claims nothing again, and a claimer whose lease was taken
// over can no longer finish the row.

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const CLAIMER = "test/services/scheduling/fixtures/claimer.ts";
const AGENT = "U0MARIA01";
const T = new Date("2026-11-24T19:00:00Z");
const at = (ms: number) => new Date(T.getTime() + ms);
const MINUTE = 60_000;

let dir: string;
let url: string;
let database: DatabaseHandle;
let store: ScheduleStore;
let ws: number;
let leadId: number;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "leadline-claim-"));
  url =
    testEngine() === "postgresql"
      ? withSchema(process.env.TEST_DATABASE_URL!, `t_claim_${randomBytes(6).toString("hex")}`)
      : `file:${join(dir, "leadline.db")}`;
  database = (await openDatabase(url)).database;
  store = createScheduleStore(database);
  ws = (await database.prisma.workspace.create({ data: { teamId: TEAM_ID, enterpriseId: "" } })).id;
  const leads = createLeadService({ store: createLeadStore(database), defaultCountry: "US" });
  leadId = (await leads.create(ws, { name: "Jane Doe", phone: "+12125550182", author: "seed" })).id;
});

afterEach(async () => {
  await database?.close();
  if (url?.startsWith("postgres")) await dropSchema(url);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * claimDue with one clock for both due times and leases; `dueBy` sets calling law's clock apart (as the
 * sandbox's "pretend it is" and the tests' callingTime do).
 */
const claimAt = (on: ScheduleStore, now: Date, owner: string, leaseUntil: Date, limit: number, dueBy = now) =>
  on.claimDue(dueBy, now, owner, leaseUntil, limit);

/** `count` rows due at `dueAt`, written in one statement. */
async function due(count: number, dueAt = T): Promise<number[]> {
  const rows = await database.prisma.scheduledCall.createManyAndReturn({
    data: Array.from({ length: count }, () => ({
      workspaceId: ws,
      leadId,
      agentId: AGENT,
      channel: CHANNEL,
      dueAt,
      bookedBy: AGENT,
      status: "scheduled",
    })),
  });
  expect(rows).toHaveLength(count);
  return rows.map((row) => row.id).sort((a, b) => a - b);
}

interface Claimer {
  owner: string;
  child: ChildProcess;
  ready: Promise<void>;
  /** Resolves with every line the claimer printed once it exits (code 0), rejects otherwise. */
  result: Promise<string[]>;
}

function startClaimer(options: {
  owner: string;
  mode: "drain" | "race";
  now: Date;
  leaseMs: number;
  batch?: number;
  forMs?: number;
  finish?: boolean;
}): Claimer {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", CLAIMER, JSON.stringify({ url, ...options, now: options.now.toISOString() })],
    { cwd: ROOT, env: process.env, stdio: ["pipe", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const result = new Promise<string[]>((resolve, reject) => {
    child.once("exit", (code, signal) => {
      const lines = stdout.split("\n").filter(Boolean);
      if (code === 0 && lines.at(-1) === "done") resolve(lines);
      else reject(new Error(`claimer ${options.owner} exited (${code ?? signal}):\n${stderr.slice(-4000)}`));
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      stdout += String(chunk);
      if (stdout.startsWith("ready\n")) resolve();
    });
    result.then(() => reject(new Error(`claimer ${options.owner} ended before it was ready`)), reject);
  });
  return { owner: options.owner, child, ready, result };
}

/** Per claimer, how many of its claims came back empty while rows were still due (a busy database). */
const retries = new Map<string, number>();

/** Starts the claimers, waits until each has its database open, then lets them all go at once. */
async function runTogether(claimers: Claimer[]): Promise<Map<string, { id: number; attempt: number }[]>> {
  try {
    await Promise.all(claimers.map((claimer) => claimer.ready));
  } catch (error) {
    for (const claimer of claimers) claimer.child.kill("SIGKILL");
    throw error;
  }
  for (const claimer of claimers) claimer.child.stdin!.end("go\n");
  const claims = new Map<string, { id: number; attempt: number }[]>();
  for (const claimer of claimers) {
    const lines = await claimer.result;
    expect(
      lines.filter((line) => line.startsWith("lost ")),
      `${claimer.owner} lost a claim it held`,
    ).toEqual([]);
    retries.set(claimer.owner, Number(lines.find((line) => line.startsWith("retries "))?.split(" ")[1] ?? 0));
    claims.set(
      claimer.owner,
      lines
        .filter((line) => line.startsWith("claim "))
        .map((line) => {
          const [, id, attempt] = line.split(" ");
          return { id: Number(id), attempt: Number(attempt) };
        }),
    );
  }
  return claims;
}

describe(`claiming scheduled calls (${testEngine()})`, () => {
  it("4 processes claiming 2,000 due rows in batches: 2,000 claims, each row exactly once", async () => {
    const ids = await due(2_000);
    const owners = ["claimer-1", "claimer-2", "claimer-3", "claimer-4"];
    const claims = await runTogether(
      owners.map((owner) => startClaimer({ owner, mode: "drain", now: T, leaseMs: 10 * MINUTE, batch: 20 })),
    );

    const all = [...claims.values()].flat();
    const perOwner = owners.map((owner) => claims.get(owner)!.length);
    console.info(
      `2,000 due rows, ${testEngine()}: claims per process ${perOwner.join(" + ")} = ${all.length} (empty claims retried: ${owners.map((owner) => retries.get(owner)).join(" + ")})`,
    );
    expect(all).toHaveLength(2_000);
    expect(new Set(all.map((claim) => claim.id)).size).toBe(2_000);
    expect(all.map((claim) => claim.id).sort((a, b) => a - b)).toEqual(ids);
    expect(all.every((claim) => claim.attempt === 1)).toBe(true);
    // They really ran together: the rows were shared out, not drained by whichever started first.
    expect(perOwner.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

    // The database agrees with what each process said it took, and every claim was finished.
    const rows = await database.prisma.scheduledCall.findMany();
    expect(rows.filter((row) => row.status !== "placed")).toEqual([]);
    for (const owner of owners) {
      expect(
        rows
          .filter((row) => row.claimedBy === owner)
          .map((row) => row.id)
          .sort((a, b) => a - b),
      ).toEqual(
        claims
          .get(owner)!
          .map((claim) => claim.id)
          .sort((a, b) => a - b),
      );
    }
    // Nothing is due any more, now or later.
    expect(await claimAt(store, at(MINUTE), "late", at(11 * MINUTE), 100)).toEqual([]);
  }, 60_000);

  it("an expired lease is reclaimed exactly once when two processes race for it", async () => {
    const [id] = await due(1);
    const [first] = await claimAt(store, T, "crashed", at(30_000), 10);
    expect(first).toMatchObject({ id, attempt: 1, status: "claimed", claimedBy: "crashed" });
    // Before the lease runs out nobody takes it.
    expect(await claimAt(store, at(29_000), "early", at(MINUTE), 10)).toEqual([]);

    const now = at(31_000);
    const claims = await runTogether(
      ["racer-1", "racer-2"].map((owner) => startClaimer({ owner, mode: "race", now, leaseMs: MINUTE, forMs: 500 })),
    );
    const all = [...claims.entries()].flatMap(([owner, list]) => list.map((claim) => ({ owner, ...claim })));
    console.info(`expired lease, ${testEngine()}: ${all.map((c) => `${c.owner} took #${c.id}`).join(", ")}`);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id, attempt: 2 });
    const row = await database.prisma.scheduledCall.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "claimed", claimedBy: all[0]!.owner, attempt: 2 });
    expect(row.leaseUntil!.getTime()).toBe(now.getTime() + MINUTE);
  }, 30_000);

  it("each of 200 expired leases is reclaimed exactly once by 4 racing processes", async () => {
    const ids = await due(200);
    expect(await claimAt(store, T, "crashed", at(30_000), 500)).toHaveLength(200);
    const owners = ["racer-1", "racer-2", "racer-3", "racer-4"];
    const claims = await runTogether(
      owners.map((owner) =>
        startClaimer({ owner, mode: "drain", now: at(31_000), leaseMs: MINUTE, batch: 1, finish: false }),
      ),
    );
    const all = [...claims.values()].flat();
    console.info(`200 expired leases, ${testEngine()}: ${owners.map((o) => claims.get(o)!.length).join(" + ")}`);
    expect(all.map((claim) => claim.id).sort((a, b) => a - b)).toEqual(ids);
    expect(all.every((claim) => claim.attempt === 2)).toBe(true);
  }, 30_000);

  it("a clock moved backwards claims nothing again: not a placed row, not one under an unexpired lease", async () => {
    const [placedId, heldId] = await due(2);
    const [laterId] = await due(1, at(5 * MINUTE));
    const claimed = await claimAt(store, T, "instance-a", at(MINUTE), 10);
    expect(claimed.map((row) => row.id).sort((a, b) => a - b)).toEqual([placedId, heldId]);
    const placed = claimed.find((row) => row.id === placedId)!;
    expect(await store.finish({ id: placedId!, owner: "instance-a", attempt: placed.attempt }, "placed", {})).toBe(
      true,
    );

    // Clocks behind the claim (another instance's, or this one's after an NTP step) take nothing.
    for (const back of [at(-1), at(-10 * MINUTE), at(-24 * 60 * MINUTE)])
      expect(await claimAt(store, back, "instance-b", new Date(back.getTime() + MINUTE), 10)).toEqual([]);
    // Nor does the claimer's own clock while its lease holds; the later row is not due yet.
    expect(await claimAt(store, at(59_999), "instance-b", at(2 * MINUTE), 10)).toEqual([]);
    // Calling law's clock moved back (the sandbox pretending an earlier time) while real time runs on.
    expect(await claimAt(store, at(59_999), "instance-b", at(2 * MINUTE), 10, at(-60 * MINUTE))).toEqual([]);

    // Once the lease ran out only the held row comes back (once), never the placed one.
    const reclaimed = await claimAt(store, at(MINUTE + 1), "instance-b", at(2 * MINUTE), 10);
    expect(reclaimed.map((row) => [row.id, row.attempt])).toEqual([[heldId, 2]]);
    // …and moving the clock back again after that claim still takes nothing.
    expect(await claimAt(store, T, "instance-c", at(MINUTE), 10)).toEqual([]);
    expect(await claimAt(store, at(MINUTE + 2), "instance-c", at(3 * MINUTE), 10)).toEqual([]);

    const rows = await database.prisma.scheduledCall.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((row) => [row.id, row.status, row.attempt, row.claimedBy])).toEqual([
      [placedId, "placed", 1, "instance-a"],
      [heldId, "claimed", 2, "instance-b"],
      [laterId, "scheduled", 0, null],
    ]);
  });

  it("a claimer whose lease was taken over cannot finish, move or extend the row", async () => {
    const [id] = await due(1);
    // Two instances, each with its own connection to the database.
    const other = (await openDatabase(url)).database;
    try {
      const otherStore = createScheduleStore(other);
      const [stale] = await claimAt(store, T, "slow", at(10_000), 1);
      expect(stale).toMatchObject({ id, attempt: 1 });
      const [current] = await claimAt(otherStore, at(10_001), "fast", at(MINUTE), 1);
      expect(current).toMatchObject({ id, attempt: 2, claimedBy: "fast" });

      const staleClaim = { id: id!, owner: "slow", attempt: 1 };
      expect(await store.finish(staleClaim, "placed", { reason: "the slow one thinks it placed it" })).toBe(false);
      expect(await store.finish(staleClaim, "cancelled", {})).toBe(false);
      expect(await store.reschedule(staleClaim, at(MINUTE * 60), "moved by the slow one")).toBe(false);
      expect(await store.extend(staleClaim, at(MINUTE * 60))).toBe(false);
      // Owner and attempt must both match: the same owner with an older attempt is stale too.
      expect(await store.finish({ id: id!, owner: "fast", attempt: 1 }, "placed", {})).toBe(false);
      expect(await store.finish({ id: id!, owner: "slow", attempt: 2 }, "placed", {})).toBe(false);
      expect(await database.prisma.scheduledCall.findUniqueOrThrow({ where: { id } })).toMatchObject({
        status: "claimed",
        claimedBy: "fast",
        attempt: 2,
        reason: null,
      });

      // The current claim still works, and extending it keeps the slow one out for good.
      const currentClaim = { id: id!, owner: "fast", attempt: 2 };
      expect(await otherStore.extend(currentClaim, at(2 * MINUTE))).toBe(true);
      expect(await claimAt(store, at(MINUTE + 1), "slow", at(3 * MINUTE), 1)).toEqual([]);
      expect(await otherStore.finish(currentClaim, "placed", { callId: 42 })).toBe(true);
      expect(await store.finish(staleClaim, "placed", {})).toBe(false);
      expect(await database.prisma.scheduledCall.findUniqueOrThrow({ where: { id } })).toMatchObject({
        status: "placed",
        claimedBy: "fast",
        attempt: 2,
        callId: 42,
        leaseUntil: null,
      });
      // A finished row is never due again, whatever the clock says.
      expect(await claimAt(store, at(365 * 24 * 60 * MINUTE), "slow", at(366 * 24 * 60 * MINUTE), 1)).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
