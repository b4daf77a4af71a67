import { describe, expect, it } from "vitest";
import { createCallStore } from "../../src/services/calls/call-store.js";
import { lowerThan } from "../../src/services/calls/modes.js";
import { createStatusStore } from "../../src/services/calls/status-store.js";
import { type CallFacts, createComplianceStore, type Reader } from "../../src/services/compliance/compliance-store.js";
import { at, newCall, T0, useStoreDb } from "./store-db.js";

// The call store's promises (src/services/calls/call-store.ts): the call row is the per-lead guard
// (one live call per lead, however many open at once), one call per click or schedule (origin key),
// Twilio's answer never moves a call that a callback already moved, and once-only writes (outcome over
// the one the tapper saw, a fact, a recording, an adopted SID).

const db = useStoreDb();
const note = (leadId: number) => ({ leadId, author: "U0MARIA01", body: "[Outbound Call] placed" });

describe("the call store", () => {
  it("one active call per lead: a second open finds the first, another lead opens its own", async () => {
    const { database, ws, lead } = db();
    const calls = createCallStore(database);
    const jane = await lead("Jane Doe");
    const bob = await lead("Bob Roe");
    const first = await calls.open(newCall(ws, jane));
    expect("opened" in first).toBe(true);
    const id = (first as { opened: { id: number } }).opened.id;
    const second = await calls.open(newCall(ws, jane, { agentId: "U0SAM0001" }));
    expect(second).toMatchObject({ active: { id, placedBy: "U0MARIA01", activeLeadId: jane.id } });
    expect(await calls.open(newCall(ws, bob))).toMatchObject({ opened: { leadId: bob.id, activeLeadId: bob.id } });
    expect(await database.prisma.call.count({ where: { leadId: jane.id } })).toBe(1);
  });

  it("20 opens at once for one lead: exactly one row, every other open told which call is active", async () => {
    const { database, ws, lead } = db();
    const calls = createCallStore(database);
    const jane = await lead();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        calls.open(newCall(ws, jane, { agentId: `U0AGENT${String(i).padStart(2, "0")}` })),
      ),
    );
    const opened = results.filter((r) => "opened" in r);
    expect(opened).toHaveLength(1);
    const id = (opened[0] as { opened: { id: number } }).opened.id;
    for (const result of results.filter((r) => !("opened" in r)))
      expect("active" in result ? result.active.id : "raced" in result).toBe("active" in result ? id : true);
    expect(await database.prisma.call.count()).toBe(1);
  });

  it("the guard is freed by the call's end, and then the lead can be called again", async () => {
    const { database, ws, lead } = db();
    const calls = createCallStore(database);
    const status = createStatusStore(database);
    const jane = await lead();
    const sid = `CA${"1".repeat(32)}`;
    await calls.open(newCall(ws, jane, { status: "queued", twilioSid: sid }));
    const final = {
      callSid: sid,
      status: "completed",
      movesFrom: lowerThan("completed"),
      final: true,
      now: T0,
      durationSec: 9,
    };
    expect(await status.applyStatus(final)).toMatchObject({ outcome: "moved" });
    expect(await calls.open(newCall(ws, jane))).toMatchObject({ opened: { activeLeadId: jane.id } });
    expect(await database.prisma.call.count({ where: { leadId: jane.id } })).toBe(2);
  });

  it("a crash's guard is released once, and only for the call and lead that hold it", async () => {
    const { database, ws, lead } = db();
    const calls = createCallStore(database);
    const jane = await lead();
    const bob = await lead("Bob Roe");
    const opened = (await calls.open(newCall(ws, jane))) as { opened: { id: number } };
    expect(await calls.releaseGuard(opened.opened.id, bob.id)).toBe(false);
    expect(await calls.releaseGuard(opened.opened.id, jane.id)).toBe(true);
    expect(await calls.releaseGuard(opened.opened.id, jane.id)).toBe(false);
    expect((await calls.byId(opened.opened.id))?.activeLeadId).toBeNull();
  });

  it("one call per click: the same origin key opens nothing new, even after the first call ended", async () => {
    const { database, ws, lead } = db();
    const calls = createCallStore(database);
    const jane = await lead();
    const first = (await calls.open(newCall(ws, jane, { originKey: "click:U0MARIA01:1760000000.1" }))) as {
      opened: { id: number };
    };
    await calls.releaseGuard(first.opened.id, jane.id);
    expect(await calls.open(newCall(ws, jane, { originKey: "click:U0MARIA01:1760000000.1" }))).toMatchObject({
      duplicateOrigin: { id: first.opened.id },
    });
    expect(await database.prisma.call.count()).toBe(1);
  });

  it("a gate that blocks writes nothing; one that passes opens the call, judged on the lead's facts", async () => {
    const { database, ws, lead } = db();
    const calls = createCallStore(database);
    const jane = await lead();
    const since = new Date(Date.now() - 24 * 3600_000);
    const complianceStore = createComplianceStore(database);
    const facts = async (tx: Reader) => complianceStore.facts(tx, ws, { id: jane.id, phone: jane.phone! }, since);
    expect(await calls.open(newCall(ws, jane), { since, facts, judge: () => "quiet hours" })).toEqual({
      blocked: "quiet hours",
    });
    expect(await database.prisma.call.count()).toBe(0);
    const seen: CallFacts[] = [];
    const passed = await calls.open(newCall(ws, jane), {
      since,
      facts,
      judge: (f) => {
        seen.push(f);
        return undefined;
      },
    });
    expect(passed).toMatchObject({ opened: { leadId: jane.id } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ onDoNotCallList: false, attempts: [] });
  });

  it("Twilio's answer stores the SID and the note, but never moves back a status a callback already moved", async () => {
    const { database, ws, lead } = db();
    const calls = createCallStore(database);
    const status = createStatusStore(database);
    const jane = await lead();
    const a = (await calls.open(newCall(ws, jane))) as { opened: { id: number } };
    const placed = await calls.recordPlaced(a.opened.id, `CA${"a".repeat(32)}`, "queued", note(jane.id), T0);
    expect(placed).toMatchObject({ status: "queued", twilioSid: `CA${"a".repeat(32)}` });
    expect(await database.prisma.note.count({ where: { leadId: jane.id } })).toBe(1);

    // A callback named the call (its SID in the URL) before the answer: the answer's "queued" comes later.
    const bob = await lead("Bob Roe");
    const b = (await calls.open(newCall(ws, bob))) as { opened: { id: number } };
    const sid = `CA${"b".repeat(32)}`;
    expect(await calls.adoptSid(b.opened.id, sid)).toBe(true);
    await status.applyStatus({
      callSid: sid,
      status: "ringing",
      movesFrom: lowerThan("ringing"),
      final: false,
      now: T0,
    });
    expect(await calls.recordPlaced(b.opened.id, sid, "queued", note(bob.id), at(1_000))).toMatchObject({
      status: "ringing",
      twilioSid: sid,
    });
  });

  it("adopts a SID only while the call has none; claims a recording once; records a fact once", async () => {
    const { database, ws, lead } = db();
    const calls = createCallStore(database);
    const jane = await lead();
    const id = ((await calls.open(newCall(ws, jane))) as { opened: { id: number } }).opened.id;
    const sid = `CA${"c".repeat(32)}`;
    expect(await calls.adoptSid(id, sid)).toBe(true);
    expect(await calls.adoptSid(id, sid)).toBe(true);
    expect(await calls.adoptSid(id, `CA${"d".repeat(32)}`)).toBe(false);
    expect(await calls.workspaceOfSid(sid)).toBe(ws);
    expect(await calls.knownSids([sid, `CA${"e".repeat(32)}`])).toEqual(new Set([sid]));

    const claims = await Promise.all([1, 2, 3].map((n) => calls.claimRecording(sid, `RE${String(n).repeat(32)}`)));
    expect(claims.filter((c) => c === id)).toHaveLength(1);
    expect(await calls.claimRecording(`CA${"f".repeat(32)}`, `RE${"9".repeat(32)}`)).toBeUndefined();

    expect(await calls.addFact(id, "voicemail_left")).toBe(true);
    expect(await calls.addFact(id, "voicemail_left")).toBe(false);
    expect(await calls.hasFact(id, "voicemail_left")).toBe(true);
    expect(await calls.hasFact(id, "recording_in_thread")).toBe(false);
  });

  it("an outcome is set only over the one the tapper saw: two first taps at once record one", async () => {
    const { database, ws, lead } = db();
    const calls = createCallStore(database);
    const jane = await lead();
    const id = ((await calls.open(newCall(ws, jane))) as { opened: { id: number } }).opened.id;
    const tap = (outcome: string, by: string, expected: string | null) =>
      calls.setOutcome(
        id,
        { outcome, by, at: T0, expected },
        { leadId: jane.id, author: by, body: `[Outcome] ${outcome}` },
        { workspaceId: ws, actor: by, action: "call.outcome", detail: "{}" },
      );
    const results = await Promise.all([tap("interested", "U0MARIA01", null), tap("not_interested", "U0SAM0001", null)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await database.prisma.note.count({ where: { leadId: jane.id } })).toBe(1);
    expect(await database.prisma.auditLog.count()).toBe(1);
    const first = (await calls.byId(id))!.outcome!;
    // A change over what was seen goes through; over a stale view it does not.
    expect(await tap("appointment", "U0MARIA01", "callback")).toBe(false);
    expect(await tap("appointment", "U0MARIA01", first)).toBe(true);
    expect((await calls.byId(id))?.outcome).toBe("appointment");
  });

  it("the sweep's lists: unsettled rows without a SID, quiet calls no poller holds", async () => {
    const { database, ws, lead } = db();
    const calls = createCallStore(database);
    const jane = await lead();
    const bob = await lead("Bob Roe");
    const lost = ((await calls.open(newCall(ws, jane))) as { opened: { id: number } }).opened.id;
    const live = (
      (await calls.open(newCall(ws, bob, { status: "ringing", twilioSid: `CA${"7".repeat(32)}` }))) as {
        opened: { id: number };
      }
    ).opened.id;
    const later = new Date(Date.now() + 60_000);
    expect((await calls.unsettled(later)).map((c) => c.id)).toEqual([lost]);
    expect((await calls.quiet(later, new Date())).map((c) => c.id)).toEqual([live]);
    // A poller's lease keeps it off the list until the lease runs out.
    await database.prisma.call.update({ where: { id: live }, data: { pollLeaseUntil: new Date(Date.now() + 30_000) } });
    expect(await calls.quiet(later, new Date())).toEqual([]);
    expect((await calls.quiet(later, new Date(Date.now() + 31_000))).map((c) => c.id)).toEqual([live]);
  });
});
