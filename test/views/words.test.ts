import type { Call, Note } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { parseStatsRange } from "../../src/services/stats/stats-service.js";
import { historyItems, historyModal, readableNote } from "../../src/views/history.js";
import { blockedLine, homeView } from "../../src/views/home.js";
import { scheduledList, scheduleModal } from "../../src/views/schedule.js";
import { twilioStatusBlocks } from "../../src/views/twilio-setup.js";

// Issue 23, item 7: machine values where people read.

const now = new Date("2026-11-24T15:03:00Z");
const ZONE = "America/Chicago";
const SID = `CA${"0123456789abcdef".repeat(2)}`;

describe("History in the reader's zone", () => {
  const note = (body: string): Note =>
    ({ id: 1, body, author: "U0MARIA01", createdAt: now, leadId: 1, workspaceId: 1 }) as unknown as Note;
  const call = {
    id: 2,
    mode: "live",
    placedBy: "U0MARIA01",
    toNumber: "+12125550182",
    status: "completed",
    durationSec: 75,
    outcome: null,
    twilioSid: SID,
    recordingSid: null,
    createdAt: now,
  } as unknown as Call;

  it("a note's ISO time reads in the reader's zone; its Call SID moves out of the sentence", () => {
    const read = readableNote(
      `[Outbound Call] Initiated from +15005550006 to +12125550182 - Call SID: ${SID} - 2026-11-24T15:03:00Z`,
      ZONE,
    );
    expect(read.text).toBe("[Outbound Call] Initiated from +15005550006 to +12125550182 - Tue Nov 24, 9:03 AM CT");
    expect(read.sids).toEqual([SID]);
  });

  it("every entry says when in the reader's zone (no UTC, no ISO) with the SID in its own context element", () => {
    const modal = historyModal({ id: 1, name: "Jane" }, historyItems([note(`Called - Call SID: ${SID}`)], [call]), 0, {
      privateMetadata: "{}",
      zone: ZONE,
    });
    const text = JSON.stringify(modal.blocks);
    expect(text).not.toContain("UTC");
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect(text).toContain("Tue Nov 24, 9:03 AM CT · :telephone_receiver: *Live call*");
    const entries = modal.blocks.filter(
      (block) => block.type === "context" && (block as { elements: unknown[] }).elements.length === 2,
    );
    expect(entries).toHaveLength(2);
    for (const entry of entries)
      expect((entry as { elements: { text: string }[] }).elements[1]!.text).toBe(`Call SID ${SID}`);
    expect(JSON.stringify(entries[0]!)).not.toMatch(/Call SID.*Call SID/);
  });
});

describe("App Home and its words", () => {
  const stats = {
    totals: { placed: 0, connected: 0, talkSec: 0 },
    perAgent: [],
    perDay: [],
    outcomes: [],
    cost: [],
    inbound: { answered: 0, missed: 0, perDay: [] },
    texts: { sent: 0, delivered: 0, failed: 0, replies: 0, optOuts: 0, perAgent: [] },
    range: parseStatsRange("today", now, ZONE),
  };

  it("a blocked call names its lead and says why in words", () => {
    const line = blockedLine(
      {
        at: new Date(now.getTime() - 23 * 60_000),
        actor: "U0MARIA01",
        detail: JSON.stringify({ leadId: 7, reasons: ["hours", "dnc"] }),
        lead: { id: 7, name: "Jane <Doe>" },
      },
      now,
    );
    expect(line).toBe(
      "<@U0MARIA01> · *Jane &lt;Doe&gt;* (lead #7) · 23 min ago · outside the lead's calling hours, on the do-not-call list",
    );
    expect(blockedLine({ at: now, actor: "U0MARIA01", detail: '{"leadId":9,"reasons":["cap"]}' }, now)).toContain(
      "lead #9 (deleted)",
    );
  });

  it("the empty states speak Slack's mrkdwn (*bold*), never Markdown's **bold**", () => {
    const home = homeView({
      userId: "U0MARIA01",
      admin: false,
      zone: ZONE,
      now,
      mine: { today: stats, week: stats },
      scheduled: [],
      waiting: [],
    });
    const text = JSON.stringify(home.blocks);
    expect(text).toContain("*Schedule* on a card");
    expect(text).not.toContain("**");
    expect(JSON.stringify(scheduledList([], { agentZone: ZONE, now }))).not.toContain("**");
  });

  it("a zone reads as a place and its name, not an IANA id", () => {
    const modal = JSON.stringify(
      scheduleModal({ id: 1, name: "Jane" }, "{}", { agentZone: "America/New_York", initial: now }),
    );
    expect(modal).toContain("New York (Eastern)");
    expect(modal).not.toContain("America/New_York");
  });

  it("a placeholder in a code span is escaped, so Slack shows <file> instead of reading a link", () => {
    const { blocks } = twilioStatusBlocks({}, [], { maxDays: 31, stale: false } as never);
    const text = JSON.stringify(blocks);
    expect(text).toContain("&lt;file&gt;");
    expect(text).not.toContain("<file>");
  });
});
