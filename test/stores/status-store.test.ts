import { describe, expect, it } from "vitest";
import { createCallStore } from "../../src/services/calls/call-store.js";
import { isFinal, lowerThan, STATUS_RANK } from "../../src/services/calls/modes.js";
import { createStatusStore, type StatusWrite } from "../../src/services/calls/status-store.js";
import { at, newCall, T0, useStoreDb } from "./store-db.js";

// The status write's promises (src/services/calls/status-store.ts), one SQL text per engine: every
// callback is recorded as an event; a call moves only forward (a final status is never moved back, by
// a late or a concurrent callback); the final move frees the lead's guard and stores the duration; who
// answered is filled once; a live call's agent leg and lead leg move apart.

const db = useStoreDb();

/** A callback's write as the lifecycle (call-status.ts) builds it. */
const write = (callSid: string, status: string, over: Partial<StatusWrite> = {}): StatusWrite => ({
  callSid,
  status,
  movesFrom: STATUS_RANK[status] === undefined ? undefined : lowerThan(status),
  final: isFinal(status),
  now: T0,
  ...over,
});

async function placed(sid: string, mode: "message" | "live" = "message") {
  const { database, ws, lead } = db();
  const jane = await lead();
  const calls = createCallStore(database);
  const opened = (await calls.open(newCall(ws, jane, { mode, status: "queued", twilioSid: sid }))) as {
    opened: { id: number };
  };
  return { id: opened.opened.id, ws, leadId: jane.id, calls, status: createStatusStore(database), database };
}

const SID = `CA${"5".repeat(32)}`;

describe("the status store", () => {
  it("moves a call forward through its statuses and records every callback as an event", async () => {
    const { id, ws, status, calls, database } = await placed(SID);
    for (const [i, next] of ["initiated", "ringing", "in-progress"].entries())
      expect(await status.applyStatus(write(SID, next, { sequence: i, now: at(i * 1_000) }))).toEqual({
        outcome: "moved",
        callId: id,
        ws,
      });
    const done = await status.applyStatus(
      write(SID, "completed", { sequence: 3, durationSec: 133, answeredBy: "human", now: at(60_000) }),
    );
    expect(done).toEqual({ outcome: "moved", callId: id, ws });
    expect(await calls.byId(id)).toMatchObject({
      status: "completed",
      durationSec: 133,
      answeredBy: "human",
      activeLeadId: null,
      lastSequence: 3,
      endedAt: at(60_000),
    });
    expect(
      (await database.prisma.callEvent.findMany({ where: { callId: id }, orderBy: { id: "asc" } })).map(
        (e) => e.status,
      ),
    ).toEqual(["initiated", "ringing", "in-progress", "completed"]);
  });

  it("never moves a call back: a late ringing after the end is recorded, not applied", async () => {
    const { id, status, calls, database } = await placed(SID);
    await status.applyStatus(write(SID, "completed", { durationSec: 40 }));
    for (const late of ["queued", "initiated", "ringing", "in-progress"])
      expect(await status.applyStatus(write(SID, late))).toMatchObject({ outcome: "recorded", callId: id });
    // Another final status after the first: the first stands.
    expect(await status.applyStatus(write(SID, "busy"))).toMatchObject({ outcome: "recorded" });
    expect(await calls.byId(id)).toMatchObject({ status: "completed", durationSec: 40 });
    expect(await database.prisma.callEvent.count({ where: { callId: id } })).toBe(6);
  });

  it("callbacks at once, in any order: the call ends in one final state, every one recorded", async () => {
    const { id, status, calls, database } = await placed(SID);
    const storm = [
      "initiated",
      "ringing",
      "in-progress",
      "completed",
      "ringing",
      "in-progress",
      "completed",
      "initiated",
    ];
    const results = await Promise.all(
      [...storm, ...storm].map((s, i) => status.applyStatus(write(SID, s, { durationSec: 21, sequence: i % 4 }))),
    );
    // Exactly one write moved the call to its end.
    expect(results.filter((r, i) => r.outcome === "moved" && [...storm, ...storm][i] === "completed")).toHaveLength(1);
    expect(await calls.byId(id)).toMatchObject({ status: "completed", durationSec: 21, activeLeadId: null });
    expect(await database.prisma.callEvent.count({ where: { callId: id } })).toBe(storm.length * 2);
  });

  it("fills who answered once when a status that moves nothing carries it; a status it does not know is only recorded", async () => {
    const { id, status, calls } = await placed(SID);
    await status.applyStatus(write(SID, "in-progress"));
    expect(await status.applyStatus(write(SID, "ringing", { answeredBy: "machine_end_beep" }))).toMatchObject({
      outcome: "recorded",
      filled: true,
    });
    expect(await status.applyStatus(write(SID, "ringing", { answeredBy: "human" }))).toEqual(
      expect.not.objectContaining({ filled: true }),
    );
    expect((await calls.byId(id))?.answeredBy).toBe("machine_end_beep");
    expect(await status.applyStatus(write(SID, "answered"))).toMatchObject({ outcome: "recorded" });
    expect((await calls.byId(id))?.status).toBe("in-progress");
  });

  it("a SID no call has is unknown, and nothing is written", async () => {
    const { status, database } = await placed(SID);
    expect(await status.applyStatus(write(`CA${"0".repeat(32)}`, "completed"))).toEqual({ outcome: "unknown-call" });
    expect(await database.prisma.callEvent.count()).toBe(0);
  });

  it("a live call: the agent's leg moves on its own; the first lead leg owns the call; no lead leg means ended undialed", async () => {
    const { id, status, calls } = await placed(SID, "live");
    expect(await status.applyStatus(write(SID, "ringing"))).toMatchObject({ outcome: "agent-leg", moved: true });
    expect(await status.applyStatus(write(SID, "initiated"))).toMatchObject({ outcome: "agent-leg", moved: false });
    expect(await calls.byId(id)).toMatchObject({ status: "queued", agentLegStatus: "ringing" });

    const leg = `CA${"6".repeat(32)}`;
    const { callSid: _ignored, ...ringing } = write(leg, "ringing");
    expect(await status.applyLeadLeg(id, leg, ringing)).toMatchObject({ outcome: "moved" });
    const { callSid: _other, ...otherLeg } = write(`CA${"8".repeat(32)}`, "completed");
    expect(await status.applyLeadLeg(id, `CA${"8".repeat(32)}`, otherLeg)).toEqual({ outcome: "unknown-call" });
    expect(await status.endUndialed(id, at(5_000))).toBe(false);
    const { callSid: _done, ...completed } = write(leg, "completed", { durationSec: 12 });
    expect(await status.applyLeadLeg(id, leg, completed)).toMatchObject({ outcome: "moved" });
    expect(await calls.byId(id)).toMatchObject({
      status: "completed",
      leadLegSid: leg,
      activeLeadId: null,
      durationSec: 12,
    });
  });

  it("a live call that never dialled the lead ends canceled, once", async () => {
    const { id, status, calls } = await placed(SID, "live");
    expect(await status.endUndialed(id, at(1_000))).toBe(true);
    expect(await status.endUndialed(id, at(2_000))).toBe(false);
    expect(await calls.byId(id)).toMatchObject({
      status: "canceled",
      activeLeadId: null,
      durationSec: 0,
      endedAt: at(1_000),
    });
  });
});
