import { describe, expect, it } from "vitest";
import type { ClaimInput } from "../../src/services/queues/claim-pick-store.js";
import { type ClaimRow, type ClaimStore, createClaimStore } from "../../src/services/queues/claim-store.js";
import { queueSettingsSchema } from "../../src/services/queues/queue-filter.js";
import { createQueueStore } from "../../src/services/queues/queue-store.js";
import { at, useStoreDb } from "./store-db.js";

// The call queue's stores (src/services/queues/claim-store.ts, queue-store.ts), their promises as one
// instance sees them (test/services/queues/claims.test.ts runs separate processes): of many claimers at
// once each lead goes to one; a claim is released once (an outcome racing an expiry changes the row once);
// only the live, in-lease claim of its agent is renewed or dialled, once, and the lead then waits out its
// re-call gap; a skip that lost its claim writes nothing; a queue's name is the workspace's once; a run ends once.

const db = useStoreDb();
const GAP = 60 * 60_000;

async function aQueue(leads: number) {
  const { database, ws, lead } = db();
  const queues = createQueueStore(database);
  const queue = (await queues.create(ws, queueSettingsSchema.parse({ name: "Open house" }), "U0ADMIN01"))!;
  const ids: number[] = [];
  for (let i = 0; i < leads; i += 1) ids.push((await lead(`Lead ${i}`)).id);
  const input = (agentId: string, over: Partial<ClaimInput> = {}): ClaimInput => ({
    ws,
    queueId: queue.id,
    runId: null,
    agentId,
    filter: {},
    orderBy: "callbacks",
    maxAttempts: 6,
    recallGapMs: GAP,
    now: at(0),
    leaseUntil: at(60_000),
    exclude: [],
    ...over,
  });
  return { claims: createClaimStore(database), queues, queue, ws, ids, input, database };
}

/** A claim as the queue service takes one: a pick that raced another agent's is tried again. */
async function next(claims: ClaimStore, claimInput: ClaimInput): Promise<ClaimRow | undefined> {
  for (;;) {
    const got = await claims.claimNext(claimInput);
    if (got !== "raced") return got;
  }
}

describe("the call queue's claim store", () => {
  it("of 12 agents claiming at once from 5 leads, each lead goes to one agent and 7 agents get none", async () => {
    const { claims, ids, input } = await aQueue(5);
    const got = await Promise.all(Array.from({ length: 12 }, (_, i) => next(claims, input(`U0AGENT${i}`))));
    const taken = got.filter((claim) => claim !== undefined);
    expect(taken.map((claim) => claim.leadId).sort()).toEqual([...ids].sort());
    expect(taken.every((claim) => claim.status === "offered" && claim.liveLeadId === claim.leadId)).toBe(true);
    expect(await next(claims, input("U0LATE001"))).toBeUndefined();
  });

  it("a claim is released once: an outcome racing an expiry changes the row once, and the lead is free again", async () => {
    const { claims, input } = await aQueue(1);
    const claim = (await next(claims, input("U0MARIA01")))!;
    const [released, expired] = await Promise.all([
      claims.release(claim, "done", at(70_000), "callback"),
      claims.expire(at(70_000)),
    ]);
    expect(Number(released) + expired).toBe(1);
    expect(await claims.release(claim, "done", at(70_001))).toBe(false);
    expect((await claims.byId(claim.id))?.liveLeadId).toBeNull();
    expect(await next(claims, input("U0SAM0001", { now: at(70_002) }))).toMatchObject({ leadId: claim.leadId });
  });

  it("only the agent's live claim within its lease is renewed; another agent's release changes nothing", async () => {
    const { claims, input } = await aQueue(1);
    const claim = (await next(claims, input("U0MARIA01")))!;
    expect(await claims.renew({ id: claim.id, agentId: "U0SAM0001" }, at(120_000), at(1_000))).toBe(false);
    expect(await claims.release({ id: claim.id, agentId: "U0SAM0001" }, "done", at(1_000))).toBe(false);
    expect(await claims.renew(claim, at(120_000), at(1_000))).toBe(true);
    expect(await claims.expire(at(119_999))).toBe(0);
    expect(await claims.renew(claim, at(300_000), at(120_001))).toBe(false);
    expect(await claims.expire(at(120_001))).toBe(1);
    expect((await claims.byId(claim.id))?.status).toBe("expired");
  });

  it("a claim is dialled once; the lead then waits out its re-call gap in this queue", async () => {
    const { claims, input, queue } = await aQueue(1);
    const claim = (await next(claims, input("U0MARIA01")))!;
    const dials = await Promise.all(Array.from({ length: 4 }, () => claims.beginDial(claim, at(1_000), GAP)));
    expect(dials.filter(Boolean)).toHaveLength(1);
    expect(await claims.beginDial({ id: claim.id, agentId: "U0SAM0001" }, at(1_000), GAP)).toBe(false);
    expect(await claims.release(claim, "done", at(2_000), "callback")).toBe(true);
    expect(await next(claims, input("U0SAM0001", { now: at(3_000) }))).toBeUndefined();
    expect(await next(claims, input("U0SAM0001", { now: at(1_000 + GAP) }))).toMatchObject({
      leadId: claim.leadId,
    });
    expect(await claims.doneCount(queue.id)).toBe(0);
  });

  it("a claim past its lease is not dialled", async () => {
    const { claims, input } = await aQueue(1);
    const claim = (await next(claims, input("U0MARIA01")))!;
    expect(await claims.beginDial(claim, at(60_001), GAP)).toBe(false);
  });

  it("a skip releases the claim and writes once; a skip that lost its claim writes nothing", async () => {
    const { claims, input, queue, ws, database } = await aQueue(2);
    const claim = (await next(claims, input("U0MARIA01")))!;
    const row = { ws, queueId: queue.id, runId: null, leadId: claim.leadId, agentId: "U0MARIA01", until: at(600_000) };
    expect(await claims.skip(claim, { ...row, reason: "not_now" }, at(1_000))).toBe(true);
    expect(await claims.skip(claim, { ...row, reason: "not_now" }, at(2_000))).toBe(false);
    expect(await database.prisma.queueSkip.count()).toBe(1);
    // Skipped until 600 s: another agent is offered the other lead, then nothing until then.
    const other = (await next(claims, input("U0SAM0001", { now: at(3_000) })))!;
    expect(other.leadId).not.toBe(claim.leadId);
    expect(await next(claims, input("U0JO00001", { now: at(4_000) }))).toBeUndefined();
    // A skip with no until takes the lead out of the queue for good.
    expect(
      await claims.skip(
        other,
        { ...row, leadId: other.leadId, agentId: "U0SAM0001", reason: "dnc", until: null },
        at(5_000),
      ),
    ).toBe(true);
    expect(await claims.doneCount(queue.id)).toBe(1);
  });

  it("a run's claims are released when it ends; a run ends once", async () => {
    const { claims, queues, input, ws, queue } = await aQueue(2);
    const run = await queues.startRun({ ws, queueId: queue.id, agentId: "U0MARIA01", conference: "conf-1" });
    const claim = (await next(claims, input("U0MARIA01", { runId: run.id })))!;
    expect((await claims.liveOfRun(run.id))?.id).toBe(claim.id);
    expect(await claims.releaseRun(run.id, at(1_000))).toBe(1);
    expect(await claims.liveOfRun(run.id)).toBeUndefined();
    const ends = await Promise.all([
      queues.endRun(run.id, "stopped", at(2_000)),
      queues.endRun(run.id, "hung up", at(2_000)),
    ]);
    expect(ends.filter(Boolean)).toHaveLength(1);
    expect(await queues.liveRunsOf(ws, "U0MARIA01")).toEqual([]);
  });

  it("a queue's name is the workspace's once, whatever its case; a removed queue frees it", async () => {
    const { queues, queue, ws } = await aQueue(0);
    expect(await queues.create(ws, queueSettingsSchema.parse({ name: "OPEN HOUSE" }), "U0ADMIN01")).toBeUndefined();
    expect(await queues.byName(ws, "open house")).toMatchObject({ id: queue.id });
    expect(await queues.remove(ws, queue.id, at(0))).toBe(true);
    expect(await queues.byName(ws, "open house")).toBeUndefined();
    expect(await queues.create(ws, queueSettingsSchema.parse({ name: "Open House" }), "U0ADMIN01")).toMatchObject({
      name: "Open House",
    });
  });
});
