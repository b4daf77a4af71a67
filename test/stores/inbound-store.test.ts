import { describe, expect, it } from "vitest";
import { createCallStore } from "../../src/services/calls/call-store.js";
import { createCallPostStore } from "../../src/services/calls/post-store.js";
import { createInboundStore } from "../../src/services/inbound/inbound-store.js";
import { at, newCall, useStoreDb } from "./store-db.js";

// The inbound call store's promises (src/services/inbound/inbound-store.ts): one row per Twilio SID
// however many times (and however many at once) Twilio posts the call; every change is conditional, so a
// retried webhook changes nothing twice (a move only from the states named, the voicemail and its
// transcript stored once); the lead's last posted outbound call and last caller, within the workspace.

const db = useStoreDb();
const SID = `CA${"7".repeat(32)}`;

async function ringing(leadId: number | null = null) {
  const { database, ws } = db();
  const inbound = createInboundStore({ db: database.prisma });
  const row = {
    workspaceId: ws,
    leadId,
    fromNumber: "+13125550182",
    toNumber: "+15005550006",
    twilioSid: SID,
    ringAgentId: "U0MARIA01",
    ringNumber: "+12125550100",
  };
  return { inbound, row, ws, database };
}

describe("the inbound call store", () => {
  it("one row per SID: of 10 webhooks at once, one creates it; the others (and a retry) get the same row", async () => {
    const { inbound, row, database } = await ringing();
    const opened = await Promise.all(Array.from({ length: 10 }, () => inbound.open(row)));
    expect(opened.filter((o) => o.created)).toHaveLength(1);
    const id = opened[0]!.call.id;
    for (const o of opened) expect(o.call).toMatchObject({ id, status: "ringing", twilioSid: SID });
    expect(await inbound.open(row)).toMatchObject({ created: false, call: { id } });
    expect(await database.prisma.inboundCall.count()).toBe(1);
  });

  it("moves only from the states named: a repeated or late callback changes nothing", async () => {
    const { inbound, row, ws } = await ringing();
    const { call } = await inbound.open(row);
    expect(await inbound.move(call.id, ["ringing"], { status: "answered", answeredBy: "U0MARIA01" })).toBe(true);
    expect(await inbound.move(call.id, ["ringing"], { status: "answered", answeredBy: "U0SAM0001" })).toBe(false);
    expect(await inbound.move(call.id, ["answered"], { status: "completed", durationSec: 182, endedAt: at(0) })).toBe(
      true,
    );
    expect(await inbound.move(call.id, ["ringing", "answered"], { status: "missed" })).toBe(false);
    expect(await inbound.get(ws, call.id)).toMatchObject({
      status: "completed",
      answeredBy: "U0MARIA01",
      durationSec: 182,
      endedAt: at(0),
    });
  });

  it("the voicemail and its transcript are stored once; the first stands", async () => {
    const { inbound, row, ws } = await ringing();
    const { call } = await inbound.open(row);
    const recorded = await Promise.all([
      inbound.setRecording(call.id, `RE${"a".repeat(32)}`, 24),
      inbound.setRecording(call.id, `RE${"a".repeat(32)}`, 24),
    ]);
    expect(recorded.filter(Boolean)).toHaveLength(1);
    expect(await inbound.setRecording(call.id, `RE${"b".repeat(32)}`, 30)).toBe(false);
    expect(await inbound.setTranscript(call.id, "Hi, it's Jane.")).toBe(true);
    expect(await inbound.setTranscript(call.id, "Something else")).toBe(false);
    expect(await inbound.get(ws, call.id)).toMatchObject({
      status: "voicemail",
      recordingSid: `RE${"a".repeat(32)}`,
      recordingSec: 24,
      transcript: "Hi, it's Jane.",
    });
  });

  it("get is within the workspace, with the lead; setPost says where the call's post went", async () => {
    const { database, ws, lead } = db();
    const jane = await lead();
    const { inbound, row } = await ringing(jane.id);
    const { call } = await inbound.open(row);
    const other = await database.prisma.workspace.create({ data: { teamId: "T0OTHER01", enterpriseId: "" } });
    expect(await inbound.get(other.id, call.id)).toBeUndefined();
    await inbound.setPost(call.id, { channel: "C0LEADS01", ts: "1760000000.000300", threadTs: "1760000000.000100" });
    expect(await inbound.get(ws, call.id)).toMatchObject({
      lead: { id: jane.id, name: jane.name },
      slackChannel: "C0LEADS01",
      slackTs: "1760000000.000300",
      slackThreadTs: "1760000000.000100",
    });
  });

  it("the lead's last outbound call with a post, and who placed its last call, in this workspace only", async () => {
    const { database, ws, lead } = db();
    const jane = await lead();
    const { inbound } = await ringing();
    expect(await inbound.lastPost(ws, jane.id)).toBeUndefined();
    expect(await inbound.lastCaller(ws, jane.id)).toBeUndefined();
    const calls = createCallStore(database);
    const posts = createCallPostStore(database);
    const first = (await calls.open(newCall(ws, jane, { agentId: "U0MARIA01" }))) as { opened: { id: number } };
    await posts.posted(first.opened.id, { channel: "C0LEADS01", ts: "1760000000.000100" }, 0);
    await calls.releaseGuard(first.opened.id, jane.id);
    // A later call that was never posted: the post to thread under is still the first one's.
    const second = (await calls.open(newCall(ws, jane, { agentId: "U0SAM0001" }))) as { opened: { id: number } };
    expect(second.opened.id).toBeGreaterThan(first.opened.id);
    expect(await inbound.lastPost(ws, jane.id)).toEqual({
      slackChannel: "C0LEADS01",
      slackTs: "1760000000.000100",
      slackThreadTs: null,
      placedBy: "U0MARIA01",
    });
    expect(await inbound.lastCaller(ws, jane.id)).toBe("U0SAM0001");
    const other = await database.prisma.workspace.create({ data: { teamId: "T0OTHER01", enterpriseId: "" } });
    expect(await inbound.lastPost(other.id, jane.id)).toBeUndefined();
    expect(await inbound.lastCaller(other.id, jane.id)).toBeUndefined();
  });
});
