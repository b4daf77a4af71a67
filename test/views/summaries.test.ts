import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import { historyItems, historyModal } from "../../src/views/history.js";
import { statsMessage } from "../../src/views/stats.js";
import {
  summaryCard,
  summarySettingsMessage,
  transcriptComment,
  transcriptFileText,
} from "../../src/views/summaries.js";
import { callRow, HOSTILE_NAME, shownText, statsOf } from "./fixtures.js";

// The words and blocks of transcripts and summaries: the file, the card, the summary in History, the
// count in /call-stats, and /twilio-setup summaries. Text from a call is escaped wherever Slack reads it.

const HOSTILE_LINE = "Mark me <!channel> as *appointment set* <https://evil.example|here> <@U0ADMIN01>";

describe("the transcript file", () => {
  it("is plain text: speakers labelled agent / lead with names, times from the start, words as said", () => {
    const text = transcriptFileText(
      [
        { speaker: "agent", startSec: 0.5, text: "Hi Jane." },
        { speaker: "lead", startSec: 65.2, text: HOSTILE_LINE },
        { speaker: "agent", startSec: 3_725, text: "Bye." },
      ],
      { agent: "maria", lead: "Jane Doe", callSid: "CA123" },
    );
    expect(text).toBe(
      `Transcript of call CA123 with Jane Doe\n\n[00:00] Agent (maria): Hi Jane.\n[01:05] Lead (Jane Doe): ${HOSTILE_LINE}\n[62:05] Agent (maria): Bye.\n`,
    );
    expect(transcriptFileText([], { lead: "Jane" })).toBe("Transcript of call with Jane\n\n\n");
    // The comment beside the file is mrkdwn: the lead's name is escaped there.
    expect(transcriptComment(HOSTILE_NAME)).not.toContain("<!channel>");
  });
});

describe("the summary card", () => {
  const summary = {
    summary: [HOSTILE_LINE, "Second line.", "Third line."],
    suggestedOutcome: "appointment_set" as const,
    nextSteps: [{ action: HOSTILE_LINE, date: "2026-12-01", time: "17:00" }],
    fields: { timeline: "*soon*", priceRange: "<!here>", preApproval: "yes" as const, areas: ["<@U1>"], beds: 3 },
    flags: { askedNotToBeCalled: false, objectedToRecording: true },
  };

  it("escapes every text from the call and passes Slack's Block Kit checks", () => {
    const card = summaryCard({
      callId: 7,
      leadName: HOSTILE_NAME,
      summary,
      suggestions: [{ kind: "outcome", outcome: "appointment" }],
      cut: true,
    });
    expect(blockKitProblems(card.blocks, "message")).toEqual([]);
    const shown = shownText(card.blocks);
    expect(shown).not.toMatch(/<!channel>|<!here>|<@U0ADMIN01>|<@U1>|<https:/);
    expect(shown).toContain("&lt;!channel&gt;");
    expect(shown).toContain(":warning: The lead objected to the recording.");
    expect(shown).toContain("The call was long: its middle was left out of the summary.");
    expect(card.text).not.toMatch(/<!channel>/);
  });

  it("says next steps' dates as people read them, in the lead's local time", () => {
    const card = summaryCard({
      callId: 7,
      leadName: "Jane",
      summary: {
        ...summary,
        nextSteps: [
          { action: "Call back", date: "2026-12-08", time: "17:00" },
          { action: "Send listings", date: "2026-12-09", time: null },
          { action: "Visit", date: "2026-02-31", time: "09:00" },
        ],
      },
      suggestions: [],
      cut: false,
    });
    const shown = shownText(card.blocks);
    expect(shown).toContain("• Call back — Tue, Dec 8, 5:00 PM");
    expect(shown).toContain("• Send listings — Wed, Dec 9");
    expect(shown).not.toContain("2026-12-08");
    // A date the model got wrong is shown as it came, never dropped or turned into another day.
    expect(shown).toContain("• Visit — 2026-02-31 09:00");
  });

  it("shows no actions block when nothing is suggested", () => {
    const card = summaryCard({ callId: 7, leadName: "Jane", summary, suggestions: [], cut: false });
    expect(card.blocks.some((block) => block.type === "actions")).toBe(false);
  });
});

describe("beside the call", () => {
  it("History shows the summary under its call, escaped, with what it suggested and whether it was applied", () => {
    const call = callRow({ id: 7, status: "completed", durationSec: 60, outcome: "appointment" });
    const view = historyModal({ id: 12, name: "Jane Doe" }, historyItems([], [call]), 0, {
      privateMetadata: '{"leadId":12}',
      zone: "UTC",
      summaryOf: (c) =>
        c.id === 7
          ? { lines: [HOSTILE_LINE, "Wants a visit."], suggestedOutcome: "appointment", appliedOutcome: "appointment" }
          : undefined,
    });
    expect(blockKitProblems(view.blocks, "modal")).toEqual([]);
    const shown = shownText(view.blocks);
    expect(shown).toContain(":memo: _Summary:_ Mark me &lt;!channel&gt; as");
    expect(shown).toContain("Wants a visit. · suggested: Appointment set (applied)");
    expect(shown).not.toContain("<!channel>");
  });

  it("/call-stats counts suggested vs applied outcomes, and says nothing when none were suggested", () => {
    const shown = shownText(
      statsMessage(statsOf(), { chartComing: false, suggestions: { suggested: 4, applied: 3 } }).blocks,
    );
    expect(shown).toContain("Summaries · 4 outcomes suggested · 3 applied (75%)");
    const none = shownText(
      statsMessage(statsOf(), { chartComing: false, suggestions: { suggested: 0, applied: 0 } }).blocks,
    );
    expect(none).not.toContain("Summaries");
  });
});

describe("/twilio-setup summaries", () => {
  it("says what is on, the retention and the Service", () => {
    expect(
      summarySettingsMessage(
        { transcripts: true, summaries: false, retentionDays: 30, serviceSid: `GA${"a".repeat(32)}` },
        true,
      ).text,
    ).toBe(
      [
        ":white_check_mark: Saved. Transcripts are *on*, summaries are *off* for this workspace.",
        "Transcripts are deleted 30 days after they are posted (summaries are kept).",
        `Voice Intelligence Service: \`GA${"a".repeat(32)}\``,
        "Only calls recorded with the disclosure are transcribed; turn recording on in `/twilio-setup`.",
      ].join("\n"),
    );
    expect(summarySettingsMessage({ transcripts: false, summaries: false, retentionDays: 90 }).text).toContain(
      "No Voice Intelligence Service yet: `/twilio-setup summaries on` makes one.",
    );
  });
});
