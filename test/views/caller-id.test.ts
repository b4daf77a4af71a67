import { describe, expect, it } from "vitest";
import type { NumberReport } from "../../src/services/callerid/pool-admin.js";
import { numberDroppedMessage, poolMessage } from "../../src/views/caller-id.js";

const number = (n: number, over: Partial<NumberReport> = {}): NumberReport => ({
  number: `+1305555${String(1000 + n)}`,
  areaCode: "305",
  state: "FL",
  inPool: true,
  routesInbound: true,
  isTeamNumber: false,
  callsToday: 3,
  callsThisWeek: 8,
  answeredThisWeek: 2,
  registrations: { shakenStir: "twilio-approved", cnam: "none" },
  ...over,
});

describe("poolMessage", () => {
  it("shows each number's calls, answer rate, routing and registrations with what to do", () => {
    const message = poolMessage({ numbers: [number(1)], cap: 75, released: [] });
    expect(message.text).toBe("1 number on the Twilio account, 1 in the caller-ID pool (cap 75 calls a day each).");
    const line = JSON.stringify(message.blocks[1]);
    expect(line).toContain("*+1 305 555 1001* (305, FL) · *in the pool*");
    expect(line).toContain("Today 3/75 · this week 8 (25% answered) · call-backs reach Leadline");
    expect(line).toContain("SHAKEN/STIR: approved");
    expect(line).toContain("CNAM: missing: leads see a bare number");
  });

  it("warns about a pool number whose call-backs do not reach Leadline, and an unread Trust Hub", () => {
    const message = poolMessage({
      numbers: [number(1, { routesInbound: false, registrations: undefined })],
      cap: 75,
      released: ["+13055550100"],
      trustHubUnread: "Trust Hub answered 20003",
    });
    const all = JSON.stringify(message.blocks);
    expect(all).toContain(":warning: call-backs do not reach Leadline: not used until fixed");
    expect(all).not.toContain("SHAKEN/STIR:");
    expect(all).toContain("Released in Twilio since the last look: +1 305 555 0100.");
    expect(all).toContain("Registrations unknown: Trust Hub answered 20003.");
  });

  it("stays within Slack's 50 blocks for a large account", () => {
    const message = poolMessage({ numbers: Array.from({ length: 120 }, (_, i) => number(i)), cap: 75, released: [] });
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(message.blocks)).toContain("80 more not shown.");
  });

  it("the team number outside the pool shows its calls without a cap (it is what is left)", () => {
    const message = poolMessage({
      numbers: [number(1, { isTeamNumber: true, inPool: false, callsToday: 90 }), number(2)],
      cap: 75,
      released: [],
    });
    expect(JSON.stringify(message.blocks[1])).toContain("Today 90 (no cap) · this week 8");
    expect(JSON.stringify(message.blocks[2])).toContain("Today 3/75 · this week 8");
  });

  it("says which numbers send texts, and how to make a pool number one", () => {
    const message = poolMessage({
      numbers: [number(1, { textSender: true }), number(2, { textSender: false }), number(3)],
      cap: 75,
      released: [],
    });
    expect(JSON.stringify(message.blocks[1])).toContain("*in the pool* · sends texts");
    expect(JSON.stringify(message.blocks[2])).toContain("not a texting sender (`/twilio-setup numbers add` again");
    expect(JSON.stringify(message.blocks[3])).not.toContain("texts");
  });

  it("an empty pool says every call shows the team number", () => {
    const message = poolMessage({ numbers: [number(1, { inPool: false })], cap: 75, released: [] });
    expect(JSON.stringify(message.blocks)).toContain("With no pool, every call shows the team number.");
  });
});

describe("numberDroppedMessage", () => {
  it("names the number and what happens next", () => {
    expect(numberDroppedMessage("+13055550100", "released").text).toContain(
      "+1 305 555 0100 was released in Twilio, so it left the caller-ID pool",
    );
    expect(numberDroppedMessage("+13055550100", "not_routing").text).toContain(
      "`/twilio-setup numbers add +13055550100` points it back",
    );
  });
});
