import { describe, expect, it } from "vitest";
import { createTextStore, type NewOutboundText } from "../../src/services/texts/text-store.js";
import { at, useStoreDb } from "./store-db.js";

// The texts store's promises (src/services/texts/text-store.ts): an outbound text is written once per
// origin however many ask at once, and a text the law refuses is kept as not sent (with the agent's
// draft), never doubled; a status only moves forward; an inbound text is recorded once per Message SID,
// with one CRM outbox row for a lead's text; unposted inbound texts are claimed by one poster at a
// time, oldest first, and a row still held keeps every later one waiting.

const db = useStoreDb();
const TEAM = "+12015550100";
const open = () => Promise.resolve(undefined);

async function aTextStore() {
  const { database, ws, lead } = db();
  const jane = await lead();
  const row = (over: Partial<NewOutboundText> = {}): NewOutboundText => ({
    workspaceId: ws,
    leadId: jane.id,
    phone: jane.phone!,
    body: "Hi Jane, Maria here. Reply STOP to opt out.",
    kind: "agent",
    agentId: "U0MARIA01",
    ...over,
  });
  const inbound = (sid: string, over: { phone?: string; body?: string } = {}) => ({
    workspaceId: ws,
    phone: jane.phone!,
    teamNumber: TEAM,
    body: "Yes, call me after 3",
    sid,
    optOutType: null,
    ...over,
  });
  return { texts: createTextStore(database), database, ws, jane, row, inbound };
}

const sid = (prefix: string, i: number) => `${prefix}${String(i).padStart(32, "0")}`;

describe("the texts store", () => {
  it("of 5 sends of one origin at once, one text is written and the others find it", async () => {
    const { texts, row, database } = await aTextStore();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => texts.open(row({ originKey: "click:U0MARIA01:1.5" }), open)),
    );
    const opened = results.filter((r) => "opened" in r);
    const duplicates = results.filter((r) => "duplicate" in r);
    expect(opened).toHaveLength(1);
    expect(duplicates).toHaveLength(4);
    expect(await database.prisma.text.count()).toBe(1);
    expect(
      duplicates.every((r) => "duplicate" in r && r.duplicate.id === ("opened" in opened[0]! && opened[0].opened.id)),
    ).toBe(true);
  });

  it("a text the law refuses is kept as not sent with the agent's draft, and does not hold its origin", async () => {
    const { texts, row } = await aTextStore();
    const refusal = { reasons: ["do not call"] };
    const first = await texts.open(row({ originKey: "click:1" }), () => Promise.resolve(refusal), "the draft");
    expect(first).toMatchObject({
      blocked: refusal,
      refused: { status: "not_sent", body: "the draft", originKey: null },
    });
    const again = await texts.open(row({ originKey: "click:1" }), () => Promise.resolve(refusal), "the draft");
    expect("refused" in again).toBe(true);
    expect(await texts.anySent(row().workspaceId, row().leadId!)).toBe(false);
  });

  it("a status only moves forward: a late 'sent' after 'delivered' changes nothing", async () => {
    const { texts, row, ws } = await aTextStore();
    const result = await texts.open(row(), open);
    const id = "opened" in result ? result.opened.id : -1;
    await texts.recordSent(id, sid("SM", 1), "queued", TEAM);
    expect(await texts.anySent(ws, row().leadId!)).toBe(true);
    const none = { code: null, message: null };
    expect(await texts.moveStatus(sid("SM", 1), "sending", none)).toMatchObject({ status: "sending-twilio" });
    expect(await texts.moveStatus(sid("SM", 1), "delivered", none)).toMatchObject({ status: "delivered" });
    expect(await texts.moveStatus(sid("SM", 1), "sent", none)).toBeUndefined();
    expect(await texts.moveStatus(sid("SM", 1), "delivered", none)).toBeUndefined();
    expect(await texts.moveStatus(sid("SM", 1), "no-such-status", none)).toBeUndefined();
    expect(await texts.bySid(sid("SM", 1))).toMatchObject({ status: "delivered", teamNumber: TEAM });
    expect(await texts.byId(ws + 1, id)).toBeUndefined();
  });

  it("an inbound text is recorded once per Message SID; a lead's text is one CRM outbox row", async () => {
    const { texts, inbound, database, ws, jane } = await aTextStore();
    await database.prisma.crmConnection.create({
      data: { workspaceId: ws, provider: "fub", connectedBy: "U0ADMIN01" },
    });
    const recorded = await Promise.all(Array.from({ length: 5 }, () => texts.recordInbound(inbound(sid("SM", 2)))));
    expect(recorded.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(recorded.map((r) => r.text.id)).size).toBe(1);
    expect(await database.prisma.crmOutbox.count({ where: { kind: "text", sid: sid("SM", 2) } })).toBe(1);
    expect(recorded[0]!.text.leadId).toBe(jane.id);
    // An unknown number's text is kept, but there is no lead to log it on.
    const unknown = await texts.recordInbound(inbound(sid("SM", 3), { phone: "+13125559199" }));
    expect(unknown).toMatchObject({ created: true, text: { leadId: null } });
    expect(await database.prisma.crmOutbox.count()).toBe(1);
    expect(await texts.knownSids([sid("SM", 2), sid("SM", 3), sid("SM", 4)])).toEqual(
      new Set([sid("SM", 2), sid("SM", 3)]),
    );
  });

  it("an inbound text written while another transaction holds the database waits for it, then is written once", async () => {
    const { texts, inbound, database, jane } = await aTextStore();
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding!: () => void;
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const other = database.prisma.$transaction(
      async (tx) => {
        await tx.lead.update({ where: { id: jane.id }, data: { source: "edited meanwhile" } });
        holding();
        await released;
      },
      { timeout: 10_000 },
    );
    await held;
    const recording = texts.recordInbound(inbound(sid("SM", 40)));
    const early = await Promise.race([
      recording.then(() => "written"),
      new Promise((resolve) => setImmediate(() => resolve("waiting"))),
    ]);
    // SQLite has one writer at a time: the text waits (with the event loop free, or the holder could not finish).
    if (database.engine === "sqlite") expect(early).toBe("waiting");
    release();
    await other;
    expect(await recording).toMatchObject({ created: true, text: { leadId: jane.id } });
    expect(await database.prisma.text.count({ where: { twilioSid: sid("SM", 40) } })).toBe(1);
  });

  it("unposted texts go to one poster at a time, oldest first; a held row keeps later ones waiting", async () => {
    const { texts, inbound } = await aTextStore();
    for (let i = 0; i < 3; i += 1) await texts.recordInbound(inbound(sid("SM", 10 + i), { body: `text ${i}` }));
    const now = new Date();
    const claims = await Promise.all(Array.from({ length: 4 }, () => texts.claimUnposted(now, 30_000, 10)));
    const taken = claims.flat().map((text) => text.body);
    expect(taken.sort()).toEqual(["text 0", "text 1", "text 2"]);
    expect(claims.filter((claim) => claim.length > 0)).toHaveLength(1);
    const [first, second, third] = claims.find((claim) => claim.length > 0)!;
    // The poster posts the first and gives the second back (it is stopping): the next pass takes it at once,
    // and stops at the third, still held.
    await texts.markPosted(first!.id, { channel: "C0LEADS01", ts: "1.1", threadTs: null }, now);
    await texts.releaseClaims([second!.id]);
    const next = await texts.claimUnposted(now, 30_000, 10);
    expect(next.map((text) => text.body)).toEqual(["text 1"]);
    // The third given back too: it waits behind the second, held now, so texts post in order.
    await texts.releaseClaims([third!.id]);
    expect(await texts.claimUnposted(now, 30_000, 10)).toEqual([]);
    // Renewed, the second stays with its poster past the first lease; after that the next pass takes both.
    await texts.renewClaims([next[0]!.id], new Date(now.getTime() + 90_000));
    expect(await texts.claimUnposted(new Date(now.getTime() + 60_000), 30_000, 10)).toEqual([]);
    const late = await texts.claimUnposted(new Date(now.getTime() + 90_001), 30_000, 10);
    expect(late.map((text) => text.body)).toEqual(["text 1", "text 2"]);
  });

  it("the lead's thread is where its latest text or call was shown", async () => {
    const { texts, row, ws, jane, database } = await aTextStore();
    expect(await texts.leadThread(ws, jane.id)).toBeUndefined();
    await database.prisma.call.create({
      data: {
        workspaceId: ws,
        leadId: jane.id,
        mode: "live",
        fromNumber: TEAM,
        toNumber: jane.phone!,
        status: "completed",
        placedBy: "U0MARIA01",
        slackChannel: "C0LEADS01",
        slackTs: "100.1",
        slackThreadTs: "99.1",
        createdAt: at(0),
      },
    });
    expect(await texts.leadThread(ws, jane.id)).toEqual({ channel: "C0LEADS01", threadTs: "99.1" });
    const result = await texts.open(row(), open);
    const id = "opened" in result ? result.opened.id : -1;
    await texts.setPost(id, { channel: "C0LEADS01", ts: "200.1", threadTs: null });
    expect(await texts.leadThread(ws, jane.id)).toEqual({ channel: "C0LEADS01", threadTs: "200.1" });
  });

  it("STOP opts a number out once: the transition is told to one of two STOPs at once, and again after START", async () => {
    const { texts, ws } = await aTextStore();
    const phone = "+12125550111";
    const at = new Date("2026-11-24T19:00:00Z");
    const first = await texts.optOut(ws, phone, "STOP by text", at);
    expect([first.added, first.stopped]).toEqual([true, true]);
    const both = await Promise.all([
      texts.optOut(ws, phone, "STOP by text", at),
      texts.optOut(ws, phone, "twilio 21610", at),
    ]);
    expect(both.map((r) => r.stopped)).toEqual([false, false]);
    await texts.optIn(ws, phone, "START by text");
    const results = await Promise.all([
      texts.optOut(ws, phone, "STOP by text", at),
      texts.optOut(ws, phone, "STOP by text", at),
    ]);
    expect(results.filter((r) => r.stopped)).toHaveLength(1);
    expect(results.every((r) => !r.added)).toBe(true);
  });
});
