import { describe, expect, it } from "vitest";
import { type AccountNumber, createCallerIdStore } from "../../src/services/callerid/callerid-store.js";
import { DEFAULT_DAILY_CAP } from "../../src/services/callerid/pick.js";
import { at, useStoreDb } from "./store-db.js";

// The caller-ID pool store's promises (src/services/callerid/callerid-store.ts): a number's daily count
// stops at the cap exactly however many callers reserve at once; a released number or a number whose
// calls back stopped reaching Leadline is reported by one refresh only, however many refresh at once;
// a released number is never listed or put back in the pool; a lead keeps its sticky number.

const db = useStoreDb();

const MIAMI = "+13055550100";
const TAMPA = "+18135550100";
const TEAM = "+12015550100";

function listed(number: string, over: Partial<AccountNumber> = {}): AccountNumber {
  return {
    number,
    twilioSid: `PN${number.slice(1).padStart(32, "0")}`,
    areaCode: number.slice(2, 5),
    state: "FL",
    timeZone: "America/New_York",
    routesInbound: true,
    ...over,
  };
}

function aPool() {
  const { database, ws, lead } = db();
  return { pool: createCallerIdStore(database), ws, lead };
}

describe("the caller-ID pool store", () => {
  it("of 20 calls reserving at once on a cap of 5, exactly 5 are counted; a call given back frees one", async () => {
    const { pool, ws } = aPool();
    const reserved = await Promise.all(Array.from({ length: 20 }, () => pool.reserve(ws, MIAMI, "2026-12-07", 5)));
    expect(reserved.filter(Boolean)).toHaveLength(5);
    expect(await pool.counts(ws, ["2026-12-07"])).toEqual(new Map([[MIAMI, { day: "2026-12-07", count: 5 }]]));
    await pool.unreserve(ws, MIAMI, "2026-12-07");
    expect(await pool.reserve(ws, MIAMI, "2026-12-07", 5)).toBe(true);
    expect(await pool.reserve(ws, MIAMI, "2026-12-07", 5)).toBe(false);
    // The next local day starts again; a cap of 0 counts nothing.
    expect(await pool.reserve(ws, MIAMI, "2026-12-08", 5)).toBe(true);
    expect(await pool.reserve(ws, TAMPA, "2026-12-07", 0)).toBe(false);
  });

  it("a count never goes below zero when more calls are given back than were reserved", async () => {
    const { pool, ws } = aPool();
    expect(await pool.reserve(ws, MIAMI, "2026-12-07", 5)).toBe(true);
    await pool.unreserve(ws, MIAMI, "2026-12-07");
    await pool.unreserve(ws, MIAMI, "2026-12-07");
    expect((await pool.counts(ws, ["2026-12-07"])).get(MIAMI)).toEqual({ day: "2026-12-07", count: 0 });
  });

  it("counts give each number its newest day among those asked", async () => {
    const { pool, ws } = aPool();
    await pool.reserve(ws, MIAMI, "2026-12-06", 5);
    await pool.reserve(ws, MIAMI, "2026-12-06", 5);
    await pool.reserve(ws, MIAMI, "2026-12-07", 5);
    expect((await pool.counts(ws, ["2026-12-06", "2026-12-07"])).get(MIAMI)).toEqual({ day: "2026-12-07", count: 1 });
    expect(await pool.counts(ws, [])).toEqual(new Map());
  });

  it("new numbers join out of the pool; of 4 refreshes at once, one reports a released number and one an unrouted one", async () => {
    const { pool, ws } = aPool();
    await pool.sync(ws, [listed(MIAMI), listed(TAMPA), listed(TEAM, { routesInbound: false })], at(0));
    expect((await pool.numbers(ws)).map((row) => [row.number, row.inPool])).toEqual([
      [TEAM, false],
      [MIAMI, false],
      [TAMPA, false],
    ]);
    expect(await pool.poolWorkspaces()).toEqual([]);
    expect(await pool.setInPool(ws, MIAMI, true)).toBe(true);
    expect(await pool.setInPool(ws, TAMPA, true)).toBe(true);
    expect(await pool.poolWorkspaces()).toEqual([ws]);

    // Twilio no longer lists Tampa, and Miami's Voice URL left Leadline.
    const refreshes = await Promise.all(
      Array.from({ length: 4 }, () =>
        pool.sync(ws, [listed(MIAMI, { routesInbound: false }), listed(TEAM, { routesInbound: false })], at(1_000)),
      ),
    );
    expect(refreshes.flatMap((r) => r.released.map((row) => row.number))).toEqual([TAMPA]);
    expect(refreshes.flatMap((r) => r.unrouted)).toEqual([MIAMI]);
    expect((await pool.numbers(ws)).map((row) => row.number)).toEqual([TEAM, MIAMI]);
    // A released number cannot be put back in the pool, and is released once.
    expect(await pool.setInPool(ws, TAMPA, true)).toBe(false);
    expect(await pool.markReleased(ws, TAMPA, at(2_000))).toBe(false);
    // A number not in the pool that stops routing is not reported.
    expect((await pool.sync(ws, [listed(MIAMI, { routesInbound: false })], at(3_000))).unrouted).toEqual([]);
  });

  it("a number Twilio lists again after its release is back on the list, out of the pool", async () => {
    const { pool, ws } = aPool();
    await pool.sync(ws, [listed(MIAMI)], at(0));
    await pool.setInPool(ws, MIAMI, true);
    expect((await pool.sync(ws, [], at(1_000))).released.map((row) => row.number)).toEqual([MIAMI]);
    expect(await pool.numbers(ws)).toEqual([]);
    await pool.sync(ws, [listed(MIAMI)], at(2_000));
    expect((await pool.numbers(ws)).map((row) => [row.number, row.inPool, row.releasedAt])).toEqual([
      [MIAMI, false, null],
    ]);
  });

  it("a lead keeps the last number remembered for it; the cap is the default until set", async () => {
    const { pool, ws, lead } = aPool();
    const jane = await lead();
    expect(await pool.sticky(ws, jane.id)).toBeUndefined();
    await pool.remember(ws, jane.id, MIAMI);
    await pool.remember(ws, jane.id, TAMPA);
    expect(await pool.sticky(ws, jane.id)).toBe(TAMPA);
    expect(await pool.sticky(ws + 1, jane.id)).toBeUndefined();
    expect(await pool.cap(ws)).toBe(DEFAULT_DAILY_CAP);
    await pool.setCap(ws, 12);
    await pool.setCap(ws, 9);
    expect(await pool.cap(ws)).toBe(9);
  });

  it("usage counts the week's calls from each number and the answered ones (completed, a person, talk time)", async () => {
    const { pool, ws, lead } = aPool();
    const { database } = db();
    const jane = await lead();
    const call = (status: string, answeredBy: string | null, durationSec: number | null, createdAt = at(0)) =>
      database.prisma.call.create({
        data: {
          workspaceId: ws,
          leadId: jane.id,
          mode: "live",
          fromNumber: MIAMI,
          toNumber: jane.phone!,
          status,
          answeredBy,
          durationSec,
          placedBy: "U0MARIA01",
          createdAt,
        },
      });
    await call("completed", "human", 40);
    await call("completed", null, 12);
    await call("completed", "machine_start", 30);
    await call("completed", "human", 0);
    await call("no-answer", null, null);
    await call("completed", "human", 50, at(-8 * 86_400_000));
    expect(await pool.usage(ws, at(-7 * 86_400_000))).toEqual(new Map([[MIAMI, { week: 5, answered: 2 }]]));
  });
});
