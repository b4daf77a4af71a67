import { describe, expect, it } from "vitest";
import { createStatsStore } from "../../src/services/stats/stats-store.js";
import { useStoreDb } from "./store-db.js";

// The stats store's promises (src/services/stats/stats-store.ts), engine-specific for the local day: a
// call counts as placed when Twilio accepted it (a SID) and, for a live call, the lead was dialled;
// connected when it completed, no machine answered and it lasted; talk time over connected calls; calls
// grouped by the asker's local day; cost summed per currency without drift; inbound calls answered or
// missed; only the workspace's calls in the range (and the agent's, when asked).

const db = useStoreDb();
const SID = (n: number) => `CA${String(n).padStart(32, "0")}`;

async function seed() {
  const { database, ws, lead } = db();
  const jane = await lead();
  const other = await database.prisma.workspace.create({ data: { teamId: "T0OTHER01", enterpriseId: "" } });
  let n = 0;
  const call = (createdAt: string, over: Record<string, unknown>) => {
    n += 1;
    return database.prisma.call.create({
      data: {
        workspaceId: ws,
        leadId: jane.id,
        mode: "message",
        fromNumber: "+15005550006",
        toNumber: jane.phone!,
        status: "completed",
        placedBy: "U0MARIA01",
        twilioSid: SID(n),
        createdAt: new Date(createdAt),
        ...over,
      },
    });
  };
  // New York, November: UTC-5. 04:30Z is 23:30 the day before, locally.
  await call("2026-11-24T04:30:00Z", { answeredBy: "human", durationSec: 60, outcome: "interested", price: "-0.013" });
  await call("2026-11-24T05:30:00Z", { answeredBy: "machine_start", durationSec: 30, price: "-0.0085" });
  // A live call whose lead was never dialled, and a refusal (no SID): not placed.
  await call("2026-11-24T15:00:00Z", { mode: "live", durationSec: 10 });
  await call("2026-11-24T15:05:00Z", { status: "failed", twilioSid: null });
  await call("2026-11-24T16:00:00Z", {
    mode: "live",
    leadLegSid: SID(99),
    answeredBy: "human",
    durationSec: 120,
    placedBy: "U0SAM0001",
    price: "-0.02",
  });
  // Outside the range, and another workspace's: never counted.
  await call("2026-11-22T12:00:00Z", { durationSec: 999 });
  await call("2026-11-24T16:30:00Z", { workspaceId: other.id, durationSec: 999 });
  const inbound = (sid: string, status: string, createdAt: string, answeredBy: string | null = null) =>
    database.prisma.inboundCall.create({
      data: {
        workspaceId: ws,
        fromNumber: jane.phone!,
        toNumber: "+15005550006",
        twilioSid: sid,
        status,
        answeredBy,
        createdAt: new Date(createdAt),
      },
    });
  await inbound(SID(201), "completed", "2026-11-24T04:00:00Z", "U0MARIA01");
  await inbound(SID(202), "missed", "2026-11-24T17:00:00Z");
  await inbound(SID(203), "voicemail", "2026-11-24T18:00:00Z");
  return { stats: createStatsStore(database), ws };
}

const RANGE = { from: new Date("2026-11-23T05:00:00Z"), to: new Date("2026-11-25T05:00:00Z"), offsetMinutes: -300 };

describe("the stats store", () => {
  it("placed, connected, talk time, per agent, per local day, outcomes, cost and inbound", async () => {
    const { stats, ws } = await seed();
    const rows = await stats.stats({ ws, ...RANGE });
    expect(rows.totals).toEqual({ placed: 3, connected: 2, talkSec: 180 });
    expect(rows.perAgent).toEqual([
      { agentId: "U0MARIA01", placed: 2, connected: 1, talkSec: 60 },
      { agentId: "U0SAM0001", placed: 1, connected: 1, talkSec: 120 },
    ]);
    expect(rows.perDay).toEqual([
      { day: "2026-11-23", placed: 1, connected: 1, talkSec: 60 },
      { day: "2026-11-24", placed: 2, connected: 1, talkSec: 120 },
    ]);
    expect(rows.outcomes).toEqual([{ outcome: "interested", count: 1 }]);
    expect(rows.cost).toEqual([{ unit: "USD", amount: -0.0415 }]);
    expect(rows.inbound).toEqual({
      answered: 1,
      missed: 2,
      perDay: [
        { day: "2026-11-23", answered: 1, missed: 0 },
        { day: "2026-11-24", answered: 0, missed: 2 },
      ],
    });
  });

  it("one agent's numbers: their calls, and the inbound calls they answered", async () => {
    const { stats, ws } = await seed();
    const sam = await stats.stats({ ws, ...RANGE, agentId: "U0SAM0001" });
    expect(sam.totals).toEqual({ placed: 1, connected: 1, talkSec: 120 });
    expect(sam.inbound).toMatchObject({ answered: 0, missed: 0 });
    const maria = await stats.stats({ ws, ...RANGE, agentId: "U0MARIA01" });
    expect(maria.inbound).toMatchObject({ answered: 1, missed: 0 });
  });

  it("the local day follows the asker's zone: in UTC the late call falls on the next day", async () => {
    const { stats, ws } = await seed();
    const utc = await stats.stats({ ws, ...RANGE, offsetMinutes: 0 });
    expect(utc.perDay.map((d) => [d.day, d.placed])).toEqual([["2026-11-24", 3]]);
  });
});
