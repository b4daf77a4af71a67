import { describe, expect, it } from "vitest";
import { createOutboxFactsStore } from "../../src/services/crm/outbox-facts-store.js";
import { createOutboxStore, type OutboxClaim } from "../../src/services/crm/outbox-store.js";
import { at, useStoreDb } from "./store-db.js";

// The CRM outbox's promises (src/services/crm/outbox-store.ts): a finished call is enqueued once per
// Call SID and only for a workspace with a CRM; of many senders claiming at once each row goes to one;
// only the claim that took a row may finish it; a claim whose holder died runs out and the next claimer
// is told the send may have happened; an outcome changed while sending keeps the row waiting; a paused
// workspace is not claimed; failed rows come back on retry; a released claim is as if never taken; a
// batch's facts (call, lead, linked person, agent's CRM user) are read together and stay in their workspace.

const db = useStoreDb();

async function anOutbox(opts: { crm?: boolean } = {}) {
  const { database, ws, lead } = db();
  if (opts.crm !== false)
    await database.prisma.crmConnection.create({
      data: { workspaceId: ws, provider: "fub", connectedBy: "U0ADMIN01" },
    });
  const jane = await lead();
  const calls: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const call = await database.prisma.call.create({
      data: {
        workspaceId: ws,
        leadId: jane.id,
        mode: "message",
        fromNumber: "+15005550006",
        toNumber: jane.phone!,
        status: "completed",
        placedBy: "U0MARIA01",
        twilioSid: `CA${String(i).padStart(32, "0")}`,
      },
    });
    calls.push(call.id);
  }
  return { outbox: createOutboxStore(database), database, ws, calls };
}

const sid = (i: number) => `CA${String(i).padStart(32, "0")}`;

describe("the CRM outbox store", () => {
  it("enqueues a call once per Call SID, and nothing for a workspace without a CRM", async () => {
    const { outbox, database, ws, calls } = await anOutbox();
    await Promise.all(Array.from({ length: 5 }, () => outbox.enqueueCall(ws, sid(0), calls[0]!, at(0))));
    await outbox.enqueueCall(ws, sid(1), calls[1]!, at(0));
    expect(await database.prisma.crmOutbox.count()).toBe(2);
    expect(await outbox.counts(ws)).toMatchObject({ sent: 0, waiting: 2, failed: 0, oldestWaiting: expect.any(Date) });

    await database.prisma.crmConnection.delete({ where: { workspaceId: ws } });
    await outbox.enqueueCall(ws, sid(2), calls[2]!, at(0));
    expect(await database.prisma.crmOutbox.count()).toBe(2);
  });

  it("of 8 senders claiming at once, each due row goes to exactly one; rows not yet due wait", async () => {
    const { outbox, ws, calls } = await anOutbox();
    await outbox.enqueueCall(ws, sid(0), calls[0]!, at(0));
    await outbox.enqueueCall(ws, sid(1), calls[1]!, at(0));
    await outbox.enqueueCall(ws, sid(2), calls[2]!, at(60_000));
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) => outbox.claim(at(1_000), `sender-${i}`, at(31_000), 10)),
    );
    const rows = claims.flat();
    expect(rows.map((row) => row.sid).sort()).toEqual([sid(0), sid(1)]);
    expect(rows.every((row) => row.attempts === 1 && !row.maybeSent && row.version === 1)).toBe(true);
    expect(await outbox.claim(at(2_000), "late", at(32_000), 10)).toEqual([]);
  });

  it("only the claim that took a row may finish it; sent leaves the waiting count", async () => {
    const { outbox, ws, calls } = await anOutbox();
    await outbox.enqueueCall(ws, sid(0), calls[0]!, at(0));
    const [claim] = await outbox.claim(at(0), "sender-a", at(30_000), 10);
    const stranger: OutboxClaim = { ...claim!, owner: "sender-b" };
    expect(await outbox.sent(stranger, { remoteId: 7, personId: 9 }, at(1_000))).toBe(false);
    expect(await outbox.failed(stranger, "no", at(1_000))).toBe(false);
    expect(await outbox.extend(stranger, at(60_000))).toBe(false);
    expect(await outbox.sent(claim!, { remoteId: 7, personId: 9 }, at(1_000))).toBe(true);
    // Finished once: the same claim cannot finish it again.
    expect(await outbox.sent(claim!, { remoteId: 7, personId: 9 }, at(1_000))).toBe(false);
    expect(await outbox.counts(ws)).toMatchObject({ sent: 1, waiting: 0, failed: 0, oldestWaiting: null });
    expect(await outbox.claim(at(100_000), "sender-c", at(130_000), 10)).toEqual([]);
  });

  it("a claim whose holder died runs out; the next claimer is told the send may have happened", async () => {
    const { outbox, ws, calls } = await anOutbox();
    await outbox.enqueueCall(ws, sid(0), calls[0]!, at(0));
    const [first] = await outbox.claim(at(0), "sender-a", at(30_000), 10);
    expect(await outbox.claim(at(29_999), "sender-b", at(60_000), 10)).toEqual([]);
    const [second] = await outbox.claim(at(30_001), "sender-b", at(60_000), 10);
    expect(second).toMatchObject({ sid: sid(0), attempts: 2, maybeSent: true, owner: "sender-b" });
    // The dead holder's late answer changes nothing.
    expect(await outbox.sent(first!, { remoteId: 1, personId: 1 }, at(30_002))).toBe(false);
    expect(await outbox.sent(second!, { remoteId: 2, personId: 2 }, at(30_003))).toBe(true);
  });

  it("an extended claim is not taken by another sender", async () => {
    const { outbox, ws, calls } = await anOutbox();
    await outbox.enqueueCall(ws, sid(0), calls[0]!, at(0));
    const [claim] = await outbox.claim(at(0), "sender-a", at(30_000), 10);
    expect(await outbox.extend(claim!, at(90_000))).toBe(true);
    expect(await outbox.claim(at(60_000), "sender-b", at(120_000), 10)).toEqual([]);
  });

  it("an outcome changed while sending keeps the row waiting, due again at the newer version", async () => {
    const { outbox, database, ws, calls } = await anOutbox();
    await outbox.enqueueCall(ws, sid(0), calls[0]!, at(0));
    const [claim] = await outbox.claim(at(0), "sender-a", at(30_000), 10);
    await database.prisma.crmOutbox.updateMany({ data: { version: { increment: 1 } } });
    expect(await outbox.sent(claim!, { remoteId: 7, personId: 9 }, at(1_000))).toBe(true);
    const [again] = await outbox.claim(at(2_000), "sender-b", at(32_000), 10);
    expect(again).toMatchObject({ sid: sid(0), version: 2, remoteId: 7, personId: 9, maybeSent: false });
  });

  it("later sets the next try; an uncounted wait does not count as a try", async () => {
    const { outbox, ws, calls } = await anOutbox();
    await outbox.enqueueCall(ws, sid(0), calls[0]!, at(0));
    const [claim] = await outbox.claim(at(0), "sender-a", at(30_000), 10);
    expect(
      await outbox.later(
        claim!,
        { dueAt: at(10_000), error: "rate limited", maybeSent: false, uncounted: true },
        at(1),
      ),
    ).toBe(true);
    expect(await outbox.claim(at(9_999), "sender-b", at(40_000), 10)).toEqual([]);
    const [next] = await outbox.claim(at(10_000), "sender-b", at(40_000), 10);
    expect(next).toMatchObject({ attempts: 1, maybeSent: false });
    expect(
      await outbox.later(next!, { dueAt: at(20_000), error: "timeout", maybeSent: true, personId: 42 }, at(10_001)),
    ).toBe(true);
    const [third] = await outbox.claim(at(20_000), "sender-c", at(50_000), 10);
    expect(third).toMatchObject({ attempts: 2, maybeSent: true, personId: 42 });
  });

  it("a paused workspace is not claimed until the pause ends; a shorter pause does not shorten it", async () => {
    const { outbox, ws, calls } = await anOutbox();
    await outbox.enqueueCall(ws, sid(0), calls[0]!, at(0));
    await outbox.pause(ws, at(60_000));
    await outbox.pause(ws, at(10_000));
    expect(await outbox.pausedUntil(ws)).toEqual(at(60_000));
    expect(await outbox.claim(at(59_999), "sender-a", at(90_000), 10)).toEqual([]);
    expect(await outbox.claim(at(60_001), "sender-a", at(90_000), 10)).toHaveLength(1);
  });

  it("a failed row shows in counts and comes back as waiting on retry", async () => {
    const { outbox, ws, calls } = await anOutbox();
    await outbox.enqueueCall(ws, sid(0), calls[0]!, at(0));
    const [claim] = await outbox.claim(at(0), "sender-a", at(30_000), 10);
    expect(await outbox.failed(claim!, "person not found", at(1_000))).toBe(true);
    const counts = await outbox.counts(ws);
    expect(counts).toMatchObject({ failed: 1, waiting: 0 });
    expect(counts.failures).toEqual([
      { sid: sid(0), lastError: "person not found", attempts: 1, updatedAt: expect.any(Date) },
    ]);
    expect(await outbox.claim(at(100_000), "sender-b", at(130_000), 10)).toEqual([]);
    expect(await outbox.retryFailed(ws, at(100_000))).toBe(1);
    expect(await outbox.retryFailed(ws, at(100_000))).toBe(0);
    const [back] = await outbox.claim(at(100_000), "sender-b", at(130_000), 10);
    expect(back).toMatchObject({ sid: sid(0), attempts: 2 });
  });

  it("a released claim is waiting again at once, as if never taken (no try counted, not 'maybe sent')", async () => {
    const { outbox, ws, calls } = await anOutbox();
    await outbox.enqueueCall(ws, sid(0), calls[0]!, at(0));
    await outbox.enqueueCall(ws, sid(1), calls[1]!, at(0));
    const claims = await outbox.claim(at(0), "sender-a", at(30_000), 10);
    await outbox.release([{ ...claims[0]!, owner: "sender-b" }], at(1));
    expect(await outbox.claim(at(2), "sender-b", at(30_000), 10)).toEqual([]);
    await outbox.release(claims, at(1));
    const again = await outbox.claim(at(2), "sender-b", at(30_000), 10);
    expect(again.map((c) => [c.sid, c.attempts, c.maybeSent]).sort()).toEqual([
      [sid(0), 1, false],
      [sid(1), 1, false],
    ]);
  });

  it("reads a batch's facts at once: the call, its lead, the lead's first CRM person, the agent's CRM user", async () => {
    const { outbox, database, ws, calls } = await anOutbox();
    const call = await database.prisma.call.findUniqueOrThrow({ where: { id: calls[0]! } });
    await database.prisma.crmPerson.createMany({
      data: [
        { workspaceId: ws, personId: 12, leadId: call.leadId },
        { workspaceId: ws, personId: 11, leadId: call.leadId },
      ],
    });
    await database.prisma.crmUser.create({
      data: { workspaceId: ws, slackUserId: "U0MARIA01", crmUserId: 5, email: "maria@team.test" },
    });
    await outbox.enqueueCall(ws, sid(0), calls[0]!, at(0));
    await outbox.enqueueCall(ws, sid(1), calls[1]!, at(0));
    // A row naming a call that is gone is "missing"; so is one naming another workspace's call.
    await database.prisma.crmOutbox.create({
      data: { workspaceId: ws, kind: "call", sid: "CAgone", callId: 999_999, dueAt: at(0) },
    });
    const other = await database.prisma.workspace.create({ data: { teamId: "T0OTHER01" } });
    await database.prisma.crmOutbox.create({
      data: { workspaceId: other.id, kind: "call", sid: "CAtheirs", callId: calls[2]!, dueAt: at(0) },
    });
    const claims = await outbox.claim(at(0), "sender-a", at(30_000), 10);
    const facts = await createOutboxFactsStore(database.prisma).factsOf(claims);
    const of = (s: string) => facts.get(claims.find((c) => c.sid === s)!.id);
    expect(of(sid(0))).toMatchObject({
      kind: "call",
      call: { id: calls[0], twilioSid: sid(0), status: "completed", placedBy: "U0MARIA01" },
      lead: { id: call.leadId, phone: call.toNumber },
      personId: 11,
      crmUserId: 5,
    });
    expect(of(sid(1))).toMatchObject({ kind: "call", personId: 11 });
    expect(of("CAgone")).toEqual({ kind: "missing" });
    expect(of("CAtheirs")).toEqual({ kind: "missing" });
  });
});
