import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import { ids } from "../../src/lib/ids.js";
import { progressText, queueCard } from "../../src/views/queue-card.js";
import { AT, HOSTILE_NAME, shownText } from "./fixtures.js";

// The queue card's lead, as an agent on a run reads it: the lead's time and zone in words, the last
// activities as History shows them (no ISO times, no Call SIDs), and the calling-law line.

const card = (over: Partial<Parameters<typeof queueCard>[0]> = {}) =>
  queueCard({
    run: { id: 3, status: "active", endReason: null },
    queue: { name: "Zillow week" },
    claim: { id: 9, status: "offered" },
    lead: { name: "Jane Doe", phone: "+12015550101", phoneExt: null, state: "NJ", source: "Zillow" },
    leadNow: { at: AT, zone: "America/New_York" },
    verdict: { allowed: true, zones: ["America/New_York"], states: ["NJ"] } as never,
    activities: [
      "[Call Completed] 8s - Call SID: CAdbd0ff6bc906f16a6ce3bca6fd3aefcb",
      "[Outbound Call] Initiated from +12015550100 to +12015550101 - Call SID: CAdbd0ff6bc906f16a6ce3bca6fd3aefcb - 2026-11-24T18:19:05Z",
      "Wants a 3-bed near Maple Elementary.",
    ],
    progress: { called: 12, skipped: 3, skipsByReason: { hours: 2, dnc: 1 }, left: 40 },
    ...over,
  });

describe("the queue card", () => {
  it("says the lead's time and zone in words and the activities as History does", () => {
    const shown = shownText(card().blocks);
    expect(shown).toContain("2:00 PM in New York (Eastern) · state NJ · source: Zillow");
    expect(shown).toContain("• [Call Completed] 8s\n");
    expect(shown).toContain("• [Outbound Call] Initiated from +12015550100 to +12015550101 - Tue Nov 24, 1:19 PM ET\n");
    expect(shown).toContain(":white_check_mark: Calling law allows a call now (their time: New York (Eastern))");
    expect(shown).not.toMatch(/America\/New_York|CA[0-9a-f]{32}|\d{4}-\d\d-\d\dT/);
    expect(blockKitProblems(card().blocks, "message")).toEqual([]);
  });

  it("escapes a lead's name and notes, and says nothing about a time it does not know", () => {
    const shown = shownText(
      card({ lead: { name: HOSTILE_NAME, phone: null, phoneExt: null, state: null, source: null }, leadNow: undefined })
        .blocks,
    );
    expect(shown).not.toContain("<!channel>");
    expect(shown).not.toMatch(/ in New York/);
  });

  it("offers Skip as a menu of reasons and Snooze as a menu of times, each option naming the run and the claim", () => {
    const actions = card().blocks.find((b) => b.type === "actions") as {
      elements: { type: string; action_id: string; placeholder?: { text: string }; options?: { value: string }[] }[];
    };
    const skip = actions.elements.find((e) => e.action_id === ids.queue.skipAction)!;
    const snooze = actions.elements.find((e) => e.action_id === ids.queue.snoozeAction)!;
    expect(skip).toMatchObject({ type: "static_select", placeholder: { text: "Skip…" } });
    expect(skip.options!.map((o) => o.value)).toEqual([
      "3:9:not_now",
      "3:9:call_later",
      "3:9:in_touch",
      "3:9:wrong_number",
      "3:9:other",
    ]);
    expect(snooze.options!.map((o) => o.value)).toEqual([
      "3:9:1h",
      "3:9:3h",
      "3:9:tomorrow",
      "3:9:next_week",
      "3:9:pick",
    ]);
    expect(blockKitProblems(card().blocks, "message")).toEqual([]);
  });

  it("counts skips by reason, most first, and snoozes apart", () => {
    expect(progressText({ called: 12, skipped: 3, skipsByReason: { hours: 2, dnc: 1 }, left: 40 })).toBe(
      "12 called · 3 skipped (2 outside hours, 1 do-not-call) · 40 left",
    );
    expect(
      progressText({ called: 1, skipped: 4, skipsByReason: { wrong_number: 1, snooze: 2, hours: 1, not_now: 0 } }),
    ).toBe("1 called · 2 skipped (1 outside hours, 1 wrong number) · 2 snoozed");
    expect(progressText({ called: 0, skipped: 0, skipsByReason: {} })).toBe("0 called · 0 skipped");
  });
});
