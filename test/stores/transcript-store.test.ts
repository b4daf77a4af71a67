import { describe, expect, it } from "vitest";
import { createTranscriptStore } from "../../src/services/transcripts/transcript-store.js";
import { at, useStoreDb } from "./store-db.js";

// The transcript store's promises (src/services/transcripts/transcript-store.ts): a recorded call gets
// one transcript row and one summary row however many ask at once; of many workers claiming at once each
// due row goes to one, and a claimed row is not due again before its lease; a purge deletes the words
// once and keeps the row; the first applied suggestion stays; a reader sees a lead's finished summaries.

const db = useStoreDb();

async function recordedCalls(n: number, placedBy = "U0MARIA01") {
  const { database, ws, lead } = db();
  const jane = await lead();
  const ids: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const call = await database.prisma.call.create({
      data: {
        workspaceId: ws,
        leadId: jane.id,
        mode: "live",
        fromNumber: "+15005550006",
        toNumber: jane.phone!,
        status: "completed",
        placedBy,
        recordingSid: `RE${String(i).padStart(32, "0")}`,
      },
    });
    ids.push(call.id);
  }
  return { store: createTranscriptStore(database.prisma), database, ws, ids, leadId: jane.id };
}

const request = (ws: number, callId: number, now = at(0)) => ({
  ws,
  callId,
  recordingSid: `RE${callId}`,
  leadChannel: 1,
  now,
});

describe("the transcript store", () => {
  it("a recorded call gets one transcript row and one summary row, however many ask at once", async () => {
    const { store, ws, ids } = await recordedCalls(1);
    const transcripts = await Promise.all(Array.from({ length: 6 }, () => store.request(request(ws, ids[0]!))));
    expect(transcripts.filter(Boolean)).toHaveLength(1);
    expect(await store.transcriptOf(ids[0]!)).toMatchObject({ status: "requested", nextCheckAt: at(0) });
    const summaries = await Promise.all(
      Array.from({ length: 6 }, () => store.requestSummary({ ws, callId: ids[0]!, now: at(0) })),
    );
    expect(summaries.filter(Boolean)).toHaveLength(1);
    expect(await store.summaryOf(ids[0]!)).toMatchObject({ status: "pending", nextTryAt: at(0) });
  });

  it("recorded calls with no transcript row are found again (a crash between recording and row)", async () => {
    const { store, ws, ids } = await recordedCalls(3);
    await store.request(request(ws, ids[1]!));
    const missing = await store.recordedWithout(new Date(Date.now() - 60_000), 10);
    expect(missing.map((call) => call.id).sort()).toEqual([ids[0], ids[2]].sort());
    expect(missing.every((call) => call.recordingSid.startsWith("RE") && call.mode === "live")).toBe(true);
  });

  it("of 6 workers claiming transcripts at once each due row goes to one; a claimed row waits for its lease", async () => {
    const { store, ws, ids } = await recordedCalls(4);
    for (const id of ids.slice(0, 3)) await store.request(request(ws, id));
    await store.request(request(ws, ids[3]!, at(60_000)));
    const claims = await Promise.all(
      Array.from({ length: 6 }, () => store.claimTranscripts(at(1_000), at(31_000), 10)),
    );
    expect(
      claims
        .flat()
        .map((row) => row.callId)
        .sort(),
    ).toEqual(ids.slice(0, 3).sort());
    expect(await store.claimTranscripts(at(30_999), at(61_000), 10)).toEqual([]);
    expect((await store.claimTranscripts(at(31_000), at(61_000), 10)).map((row) => row.callId).sort()).toEqual(
      ids.slice(0, 3).sort(),
    );
    // A transcript that failed is not due again.
    const first = (await store.transcriptOf(ids[0]!))!;
    await store.updateTranscript(first.id, { status: "failed" });
    expect((await store.claimTranscripts(at(120_000), at(150_000), 10)).map((row) => row.callId)).not.toContain(ids[0]);
  });

  it("of 6 workers claiming summaries at once each pending row goes to one; a done summary is not claimed", async () => {
    const { store, ws, ids } = await recordedCalls(3);
    for (const id of ids) await store.requestSummary({ ws, callId: id, now: at(0) });
    const done = (await store.summaryOf(ids[2]!))!;
    await store.updateSummary(done.id, { status: "done" });
    const claims = await Promise.all(Array.from({ length: 6 }, () => store.claimSummaries(at(0), at(30_000), 10)));
    expect(
      claims
        .flat()
        .map((row) => row.callId)
        .sort(),
    ).toEqual(ids.slice(0, 2).sort());
    expect(await store.claimSummaries(at(29_999), at(60_000), 10)).toEqual([]);
  });

  it("a purge deletes the words once and keeps the row; a Slack file still there is tried again, then forgotten", async () => {
    const { store, ws, ids } = await recordedCalls(2);
    const row = (await store.request(request(ws, ids[0]!)))!;
    await store.updateTranscript(row.id, { sentences: "[]", slackFileId: "F0FILE01", purgeAt: at(0) });
    const later = (await store.request(request(ws, ids[1]!)))!;
    await store.updateTranscript(later.id, { sentences: "[]", purgeAt: at(60_000) });

    expect((await store.duePurges(at(1_000), 10, 3_600_000)).map((t) => t.id)).toEqual([row.id]);
    expect(await store.purge(row.id, at(1_000), false)).toBe(true);
    expect(await store.transcriptOf(ids[0]!)).toMatchObject({
      sentences: null,
      purgedAt: at(1_000),
      slackFileId: "F0FILE01",
    });
    // Its file was not deleted yet: still due (within the retry window), but the words go once only.
    expect((await store.duePurges(at(2_000), 10, 3_600_000)).map((t) => t.id)).toEqual([row.id]);
    expect(await store.purge(row.id, at(2_000), true)).toBe(false);
    expect(await store.transcriptOf(ids[0]!)).toMatchObject({ slackFileId: null, purgedAt: at(1_000) });
    expect((await store.duePurges(at(2_000), 10, 3_600_000)).map((t) => t.id)).toEqual([]);
  });

  it("the first applied suggestion stays; counts and a lead's summaries show what a reader sees", async () => {
    const { store, database, ws, ids, leadId } = await recordedCalls(3);
    for (const id of ids) await store.requestSummary({ ws, callId: id, now: at(0) });
    const rows = await database.prisma.callSummary.findMany({ orderBy: { callId: "asc" } });
    await store.updateSummary(rows[0]!.id, { status: "done", suggestedOutcome: "callback" });
    await store.updateSummary(rows[1]!.id, { status: "done", suggestedOutcome: "interested" });
    await store.applied(ids[0]!, "callback");
    await store.applied(ids[0]!, "interested");
    expect((await store.summaryOf(ids[0]!))?.appliedOutcome).toBe("callback");
    const from = new Date(Date.now() - 60_000);
    const to = new Date(Date.now() + 60_000);
    expect(await store.suggestionCounts(ws, from, to)).toEqual({ suggested: 2, applied: 1 });
    expect(await store.suggestionCounts(ws, from, to, "U0OTHER01")).toEqual({ suggested: 0, applied: 0 });
    expect((await store.summariesOfLead(ws, leadId)).map((s) => s.callId).sort()).toEqual(ids.slice(0, 2).sort());
    expect(await store.summariesOfLead(ws + 1, leadId)).toEqual([]);
    expect((await store.call(ids[0]!))?.lead.id).toBe(leadId);
    expect(await store.call(-1)).toBeUndefined();
  });
});
