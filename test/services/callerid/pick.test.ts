import { describe, expect, it } from "vitest";
import {
  type DayCount,
  localDay,
  type PoolNumber,
  pickCallerId,
  placeOf,
} from "../../../src/services/callerid/pick.js";

const TEAM = "+14105550100";
const number = (e164: string, over: Partial<PoolNumber> = {}): PoolNumber => ({
  number: e164,
  ...placeOf(e164),
  routesInbound: true,
  inPool: true,
  ...over,
});
const MIAMI_305 = number("+13055550100");
const MIAMI_786 = number("+17865550100");
const MIAMI_305B = number("+13055550111");
const TAMPA_813 = number("+18135550100");
const NYC_212 = number("+12125550100");
const miamiLead = { phone: "+13055551234" };
// A weekday afternoon in Miami (19:00 UTC = 14:00 EST).
const NOW = new Date("2026-12-07T19:00:00Z");

const pick = (
  over: Partial<Parameters<typeof pickCallerId>[0]> & { pool: PoolNumber[] },
  counts: [string, DayCount][] = [],
) =>
  pickCallerId({
    lead: miamiLead,
    counts: new Map(counts),
    cap: 75,
    teamNumber: TEAM,
    now: NOW,
    ...over,
  });

describe("placeOf", () => {
  it("reads the area code, the state and the zone from the number", () => {
    expect(placeOf("+13055550100")).toEqual({ areaCode: "305", state: "FL", timeZone: "America/New_York" });
    expect(placeOf("+14155550100")).toEqual({ areaCode: "415", state: "CA", timeZone: "America/Los_Angeles" });
  });
});

describe("pickCallerId", () => {
  it("keeps the number the lead saw last (sticky), over a local one", () => {
    expect(pick({ pool: [MIAMI_305, NYC_212], sticky: NYC_212.number })).toEqual({
      number: NYC_212.number,
      rule: "sticky",
    });
  });

  it("picks a pool number with the lead's area code", () => {
    expect(pick({ pool: [NYC_212, MIAMI_786, MIAMI_305] })).toEqual({ number: MIAMI_305.number, rule: "local" });
  });

  it("among local numbers, the one with the fewest calls today", () => {
    const day = localDay("America/New_York", NOW);
    expect(pick({ pool: [MIAMI_305, number("+13055550111")] }, [[MIAMI_305.number, { day, count: 3 }]])).toEqual({
      number: "+13055550111",
      rule: "local",
    });
  });

  it("else a number in the lead's state, by the lead's number", () => {
    expect(pick({ pool: [NYC_212, TAMPA_813] })).toEqual({ number: TAMPA_813.number, rule: "state" });
  });

  it("else a number in the lead's state, by the lead's address", () => {
    const lead = { phone: "+12125551234", state: "FL" };
    expect(pick({ lead, pool: [TAMPA_813] })).toEqual({ number: TAMPA_813.number, rule: "state" });
    expect(pick({ lead: { phone: "+12125551234", zip: "33101" }, pool: [TAMPA_813] }).rule).toBe("state");
  });

  it("else the team number: no local or in-state number, or an empty pool", () => {
    expect(pick({ pool: [NYC_212] })).toEqual({ number: TEAM, rule: "team" });
    expect(pick({ pool: [] })).toEqual({ number: TEAM, rule: "team" });
  });

  it("follows the order sticky, area code, state, team as numbers drop out", () => {
    const pool = [MIAMI_305, TAMPA_813, NYC_212];
    expect(pick({ pool, sticky: NYC_212.number }).rule).toBe("sticky");
    expect(pick({ pool: [MIAMI_305, TAMPA_813], sticky: NYC_212.number }).rule).toBe("local");
    expect(pick({ pool: [TAMPA_813], sticky: NYC_212.number }).rule).toBe("state");
    expect(pick({ pool: [], sticky: NYC_212.number }).rule).toBe("team");
  });

  it("never picks a number that does not route inbound to Leadline, even when sticky", () => {
    const unrouted = { ...MIAMI_305, routesInbound: false };
    expect(pick({ pool: [unrouted, MIAMI_305B], sticky: MIAMI_305.number })).toEqual({
      number: MIAMI_305B.number,
      rule: "local",
    });
    expect(pick({ pool: [unrouted] })).toEqual({ number: TEAM, rule: "team" });
  });

  it("never picks a number out of the pool", () => {
    expect(pick({ pool: [{ ...MIAMI_305, inPool: false }], sticky: MIAMI_305.number }).rule).toBe("team");
  });

  it("never picks a number at its daily cap: the 76th call moves to the next best", () => {
    const day = localDay("America/New_York", NOW);
    const pool = [MIAMI_305, MIAMI_305B, MIAMI_786];
    expect(pick({ pool, sticky: MIAMI_305.number }, [[MIAMI_305.number, { day, count: 74 }]]).number).toBe(
      MIAMI_305.number,
    );
    const full: [string, DayCount][] = [[MIAMI_305.number, { day, count: 75 }]];
    expect(pick({ pool, sticky: MIAMI_305.number }, full)).toEqual({ number: MIAMI_305B.number, rule: "local" });
    full.push([MIAMI_305B.number, { day, count: 75 }]);
    // 786 overlays 305 in Miami, but only the lead's own area code is "local": it is the same state.
    expect(pick({ pool }, full)).toEqual({ number: MIAMI_786.number, rule: "state" });
    full.push([MIAMI_786.number, { day, count: 75 }]);
    expect(pick({ pool }, full)).toEqual({ number: TEAM, rule: "team" });
  });

  it("honours the workspace's own cap", () => {
    const day = localDay("America/New_York", NOW);
    expect(pick({ pool: [MIAMI_305], cap: 10 }, [[MIAMI_305.number, { day, count: 10 }]]).rule).toBe("team");
    expect(pick({ pool: [MIAMI_305], cap: 11 }, [[MIAMI_305.number, { day, count: 10 }]]).rule).toBe("local");
  });

  it("resets a number's cap at its own local midnight, not UTC's", () => {
    // 04:59 UTC on Dec 8 is 23:59 on Dec 7 in Miami: yesterday's 75 still count.
    const beforeMidnight = new Date("2026-12-08T04:59:00Z");
    const atMidnight = new Date("2026-12-08T05:00:00Z");
    const counts: [string, DayCount][] = [[MIAMI_305.number, { day: "2026-12-07", count: 75 }]];
    expect(localDay("America/New_York", beforeMidnight)).toBe("2026-12-07");
    expect(pick({ pool: [MIAMI_305], now: beforeMidnight }, counts).rule).toBe("team");
    expect(pick({ pool: [MIAMI_305], now: atMidnight }, counts)).toEqual({ number: MIAMI_305.number, rule: "local" });
    // A Los Angeles number's day ends three hours later.
    const la = number("+14155550100");
    const laCounts: [string, DayCount][] = [[la.number, { day: "2026-12-07", count: 75 }]];
    const californiaLead = { phone: "+14155551234" };
    expect(pick({ lead: californiaLead, pool: [la], now: atMidnight }, laCounts).rule).toBe("team");
    expect(pick({ lead: californiaLead, pool: [la], now: new Date("2026-12-08T08:00:00Z") }, laCounts).rule).toBe(
      "local",
    );
  });

  it("never calls a lead from the lead's own number", () => {
    expect(pick({ lead: { phone: MIAMI_305.number }, pool: [MIAMI_305] }).rule).toBe("team");
  });
});
