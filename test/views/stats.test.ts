import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import {
  chartNotDelivered,
  costText,
  statsMessage,
  statsScopeNote,
  talkTime,
  unknownMentionHelp,
} from "../../src/views/stats.js";
import { HOSTILE_NAME, shownText, statsOf, totals } from "./fixtures.js";

// /call-stats: the numbers for a range, per agent and per outcome, in the words an agent reads.

describe("the /call-stats answer", () => {
  it("the team's week: totals, inbound, outcomes in the buttons' order, per agent, and what the numbers mean", () => {
    const message = statsMessage(statsOf(), { chartComing: true });
    expect(message.text).toBe("Call stats, this week: 12 calls, 5 connected (42%), talk time 12m 34s, cost $1.23.");
    expect(shownText(message.blocks)).toBe(
      [
        "*Call stats, this week*",
        "*Calls placed*\n12",
        "*Connected*\n5 (42%)",
        "*Talk time*\n12m 34s · avg 2m 31s",
        "*Cost*\n$1.23",
        "Inbound · 2 answered · 1 missed",
        "Outcomes · Interested: 3 · Not interested: 2",
        "*Per agent*\n<@U0MARIA01> · 8 calls · 4 connected (50%) · 10m 00s\n<@U0SAM0001> · 4 calls · 1 connected (25%) · 2m 34s",
        "The chart follows in your direct messages with Leadline (only you see it). Connected: the call completed and a person answered. Cost: Twilio's prices as known so far.",
      ].join("\n"),
    );
    expect(blockKitProblems(message.blocks, "message")).toEqual([]);
  });

  it("one agent's numbers: no per-agent list; nothing placed is a dash, not 0% or NaN", () => {
    const message = statsMessage(
      statsOf({
        agentId: "U0MARIA01",
        totals: totals(0, 0, 0),
        outcomes: [],
        cost: [],
        inbound: { answered: 0, missed: 0, perDay: [] },
      }),
      { chartComing: false, scopeNote: statsScopeNote(), exportComing: true },
    );
    expect(message.text).toBe("Call stats, this week: 0 calls, 0 connected (—), talk time 0s, cost —.");
    const shown = shownText(message.blocks);
    expect(shown).toContain("*Call stats, this week for <@U0MARIA01>*");
    expect(shown).not.toContain("Per agent");
    expect(shown).not.toContain("NaN");
    expect(shown).toContain(
      "Your own calls: the team's numbers are for Leadline admins. The CSV of the calls follows there too (it holds phone numbers, so it goes to you alone).",
    );
  });

  it("a big team: 15 agents listed, the rest counted, inside Block Kit's limits", () => {
    const perAgent = Array.from({ length: 40 }, (_, i) => ({
      agentId: `U0AGENT${String(i).padStart(2, "0")}`,
      ...totals(3, 1, 60),
    }));
    const message = statsMessage(statsOf({ perAgent }), { chartComing: false });
    const shown = shownText(message.blocks);
    expect(shown).toContain("<@U0AGENT14>");
    expect(shown).not.toContain("<@U0AGENT15>");
    expect(shown).toContain("…and 25 more agents.");
    expect(blockKitProblems(message.blocks, "message")).toEqual([]);
  });
});

describe("the stats words", () => {
  it("talk time and cost as people read them", () => {
    expect([0, 45, 185, 3_720, 3_600].map(talkTime)).toEqual(["0s", "45s", "3m 05s", "1h 02m", "1h 00m"]);
    expect(costText([])).toBe("—");
    expect(
      costText([
        { unit: "USD", amount: -12.345 },
        { unit: "EUR", amount: -0.5 },
      ]),
    ).toBe("$12.35 + 0.50 EUR");
  });

  it("an @name Slack did not resolve is shown without brackets; a chart that could not be sent says what to do", () => {
    expect(unknownMentionHelp("<maria&>").text).toBe(
      'Mention the agent so Slack fills in who they are: type @ and pick them (Leadline read "@maria").',
    );
    expect(chartNotDelivered().text).toContain("`im:write`");
  });
});

describe("/call-stats' texts", () => {
  it("counts texts sent, delivered, failed, replies and opt-outs, in total and per agent; none shown when there were none", () => {
    const row = { sent: 5, delivered: 4, failed: 1, replies: 3, optOuts: 1 };
    const message = statsMessage(statsOf({ texts: { ...row, perAgent: [{ agentId: "U0MARIA01", ...row }] } }), {
      chartComing: false,
    });
    const shown = shownText(message);
    expect(shown).toContain("*Texts*\n5 texts sent · 4 delivered (80%) · 1 failed · 3 replies · 1 opt-out");
    expect(shown).toContain("*Texts per agent*\n<@U0MARIA01> · 5 texts sent");
    expect(message.text).toContain("Texts: 5 texts sent");
    expect(shownText(statsMessage(statsOf(), { chartComing: false }))).not.toContain("Texts");
  });

  it("per queue: calls, connects, skips by reason and snoozes; a deleted queue says so; past ten, the rest are counted", () => {
    const queue = (name: string, over: Record<string, unknown> = {}) => ({
      queueId: 1,
      name,
      deleted: false,
      calls: 12,
      connected: 5,
      talkSec: 300,
      skipsByReason: { hours: 2, wrong_number: 1, snooze: 1 },
      ...over,
    });
    const message = statsMessage(statsOf(), {
      chartComing: false,
      queues: [queue("Zillow week"), queue(HOSTILE_NAME, { deleted: true, calls: 0, connected: 0, skipsByReason: {} })],
    });
    const shown = shownText(message.blocks);
    expect(shown).toContain(
      "*Per queue*\n*Zillow week* · 12 calls · 5 connected (42%) · 3 skipped (2 outside hours, 1 wrong number) · 1 snoozed\n",
    );
    expect(shown).toContain("(deleted) · 0 calls · 0 connected (—) · 0 skipped");
    expect(shown).not.toContain("<!channel>");
    const many = statsMessage(statsOf(), {
      chartComing: false,
      queues: Array.from({ length: 13 }, (_, i) => queue(`Q${i}`)),
    });
    expect(shownText(many.blocks)).toContain("…and 3 more queues.");
    expect(blockKitProblems(many.blocks, "message")).toEqual([]);
    expect(shownText(statsMessage(statsOf(), { chartComing: false, queues: [] }).blocks)).not.toContain("Per queue");
  });
});
