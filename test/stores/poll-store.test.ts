import { describe, expect, it } from "vitest";
import { createCallStore } from "../../src/services/calls/call-store.js";
import { createPollLeaseStore } from "../../src/services/calls/poll-store.js";
import { at, newCall, useStoreDb } from "./store-db.js";

// The poll lease store's promises (src/services/calls/poll-store.ts): one instance polls or sweeps a
// call at a time (a lease that another may take only once it ran out, that its holder extends and lets
// go); `open` lists the calls a poller may pick up after a restart: Twilio accepted them, they are not
// final, and they are recent.

const db = useStoreDb();
const SID = (n: number) => `CA${String(n).repeat(32).slice(0, 32)}`;

async function aCall(n: number, status = "queued", placed = true) {
  const { database, ws, lead } = db();
  const calls = createCallStore(database);
  const opened = await calls.open(
    newCall(ws, await lead(`Lead ${n}`), { status, twilioSid: placed ? SID(n) : undefined }),
  );
  return { id: (opened as { opened: { id: number } }).opened.id, leases: createPollLeaseStore(database), calls };
}

describe("the poll lease store", () => {
  it("one poller at a time: of 10 instances claiming at once, one holds the call until its lease runs out", async () => {
    const { id, leases } = await aCall(1);
    const claims = await Promise.all(Array.from({ length: 10 }, () => leases.claim(id, at(0), at(30_000))));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await leases.claim(id, at(29_999), at(60_000))).toBe(false);
    expect(await leases.claim(id, at(30_001), at(60_000))).toBe(true);
  });

  it("the holder extends its lease (others still refused) and lets it go (then another claims at once)", async () => {
    const { id, leases } = await aCall(1);
    const other = await aCall(2);
    expect(await leases.claim(id, at(0), at(30_000))).toBe(true);
    expect(await leases.claim(other.id, at(0), at(30_000))).toBe(true);
    await leases.extend(id, at(90_000));
    expect(await leases.claim(id, at(60_000), at(120_000))).toBe(false);
    await leases.release([]);
    expect(await leases.claim(id, at(60_000), at(120_000))).toBe(false);
    await leases.release([id, other.id]);
    expect(await leases.claim(id, at(60_000), at(120_000))).toBe(true);
    expect(await leases.claim(other.id, at(60_000), at(120_000))).toBe(true);
  });

  it("open: placed, not final, recent calls only", async () => {
    const since = new Date(Date.now() - 60_000);
    const live = await aCall(1, "in-progress");
    const queued = await aCall(2, "queued");
    await aCall(3, "completed");
    await aCall(4, "dialing", false);
    const found = await live.leases.open(since);
    expect(found.sort((a, b) => a - b)).toEqual([live.id, queued.id].sort((a, b) => a - b));
    expect(await live.leases.open(new Date(Date.now() + 60_000))).toEqual([]);
  });
});
