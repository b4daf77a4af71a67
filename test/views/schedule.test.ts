import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import type { BookResult } from "../../src/services/scheduling/scheduler.js";
import { scheduledConfirmation } from "../../src/views/schedule.js";
import { AT, shownText } from "./fixtures.js";

// A summary's "Schedule call back" tapped again: the first booking as it stands now, nothing new booked.
// Whose phone rings is said only while the call is still to come.

const again = (status: string): BookResult =>
  ({
    row: { id: 4, status, agentId: "U0MARIA01", dueAt: new Date(AT.getTime() + 3_600_000), leadId: 12 },
    lead: { id: 12, name: "Jane Doe", phone: "+12125550182", state: null, zip: null },
    verdict: { allowed: true, zones: ["America/New_York"], states: [] },
    existing: true,
  }) as never;

describe("a call back booked again from a summary", () => {
  it("still to come: says whose phone rings, with Move and Cancel", () => {
    const message = scheduledConfirmation(again("scheduled"), { agentZone: "America/New_York", now: AT });
    const shown = shownText(message.blocks);
    expect(shown).toContain("This call back was already booked from this summary: a live call to *Jane Doe*");
    expect(shown).toContain("It is booked (<@U0MARIA01>'s phone rings). Nothing new was booked.");
    expect(shown).toContain("Cancel");
    expect(blockKitProblems(message.blocks, "message")).toEqual([]);
  });

  it("cancelled or placed: says so, no phone rings and no buttons", () => {
    for (const [status, words] of [
      ["cancelled", "It was cancelled; book another with *Schedule* on the lead's card. Nothing new was booked."],
      ["placed", "It was placed. Nothing new was booked."],
    ] as const) {
      const shown = shownText(scheduledConfirmation(again(status), { agentZone: "America/New_York", now: AT }).blocks);
      expect(shown).toContain(words);
      expect(shown).not.toContain("phone rings");
      expect(shown).not.toContain("Cancel\n");
    }
  });
});
