import type { Text } from "@prisma/client";
import type { ActionsBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import { HISTORY_PAGE_SIZE, historyItems, historyModal } from "../../src/views/history.js";
import { AT, callRow, HOSTILE_NAME, noteRow, shownText } from "./fixtures.js";

// The History modal: a lead's notes and calls, newest first, a page at a time.

const later = (seconds: number) => new Date(AT.getTime() + seconds * 1000);
const options = {
  recordingUrl: () => "https://leadline.example.com/recordings/7?sig=abc",
  privateMetadata: '{"leadId":12}',
  zone: "UTC",
};

describe("the History modal", () => {
  it("lists notes and calls newest first, in the words an agent reads", () => {
    const items = historyItems(
      [noteRow({ body: "Wants a Saturday showing", createdAt: later(60) }), noteRow({ id: 2, author: "api:webform" })],
      [
        callRow({
          status: "completed",
          durationSec: 75,
          outcome: "interested",
          recordingSid: `RE${"b".repeat(32)}`,
          createdAt: later(30),
        }),
      ],
    );
    const view = historyModal({ id: 12, name: "Jane Doe" }, items, 0, options);
    expect(shownText(view)).toBe(
      [
        "History",
        "Close",
        "*Jane Doe* · lead #12 · 3 entries",
        "Tue Nov 24, 7:01 PM UTC · :memo: Wants a Saturday showing — <@U0MARIA01>",
        "Tue Nov 24, 7:00 PM UTC · :telephone_receiver: *Message call* by <@U0MARIA01> to +1 212 555 0182 · completed (1m 15s) · outcome: Interested · <https://leadline.example.com/recordings/7?sig=abc|recording>",
        `Call SID CA${"a".repeat(32)}`,
        "Tue Nov 24, 7:00 PM UTC · :memo: Asked about 12 Elm St — api:webform",
        "Page 1 of 1",
      ].join("\n"),
    );
    expect(view.private_metadata).toBe('{"leadId":12}');
    expect(blockKitProblems(view.blocks, "modal")).toEqual([]);
  });

  it("says so when there is nothing yet; a call without a recording has no link", () => {
    expect(shownText(historyModal({ id: 12, name: "Jane Doe" }, [], 0, options))).toContain(
      "No notes, calls or texts yet.",
    );
    const view = historyModal(
      { id: 12, name: "Jane Doe" },
      historyItems([], [callRow({ status: "busy" })]),
      0,
      options,
    );
    expect(shownText(view)).toContain(`· busy\nCall SID CA${"a".repeat(32)}`);
    expect(shownText(view)).not.toContain("recording");
  });

  it("escapes what people typed: the lead's name, a note's body, an author that is not a Slack user", () => {
    const items = historyItems([noteRow({ body: HOSTILE_NAME, author: "<!here>" })], []);
    const shown = shownText(historyModal({ id: 12, name: HOSTILE_NAME }, items, 0, options));
    for (const raw of ["<!channel>", "<https://evil", "<@U0ADMIN01>", "<!here>"]) expect(shown).not.toContain(raw);
    expect(shown).toContain("&lt;!channel&gt;");
    expect(shown).toContain("— &lt;!here&gt;");
  });

  it("pages of 40 inside a modal's limits: Older on the first, Newer and Older between, Newer on the last", () => {
    const notes = Array.from({ length: HISTORY_PAGE_SIZE * 2 + 5 }, (_, i) =>
      noteRow({ id: i + 1, body: `${"long note ".repeat(300)}${i}`, createdAt: later(i) }),
    );
    const items = historyItems(notes, []);
    const buttons = (page: number) =>
      historyModal({ id: 12, name: "Jane Doe" }, items, page, options)
        .blocks.flatMap((b) => (b.type === "actions" ? (b as ActionsBlock).elements : []))
        .map((e) => [(e as { action_id: string }).action_id, (e as { value: string }).value]);
    expect(buttons(0)).toEqual([["lead_history_older", "1"]]);
    expect(buttons(1)).toEqual([
      ["lead_history_newer", "0"],
      ["lead_history_older", "2"],
    ]);
    expect(buttons(2)).toEqual([["lead_history_newer", "1"]]);
    // A page out of range shows the nearest one.
    expect(buttons(99)).toEqual(buttons(2));
    for (const page of [0, 1, 2]) {
      const view = historyModal({ id: 12, name: "Jane Doe" }, items, page, options);
      expect(view.blocks.length).toBeLessThanOrEqual(100);
      expect(blockKitProblems(view.blocks, "modal")).toEqual([]);
      expect(shownText(view)).toContain(`Page ${page + 1} of 3`);
    }
    // The newest note is first; a long note is cut, not the page.
    const first = shownText(historyModal({ id: 12, name: "Jane Doe" }, items, 0, options).blocks[1]);
    expect(first).toMatch(/long note .*…/);
  });
});

describe("texts in History", () => {
  const textRow = (over: Partial<Text>) =>
    ({
      id: 1,
      workspaceId: 1,
      leadId: 12,
      direction: "outbound",
      kind: "agent",
      agentId: "U0MARIA01",
      phone: "+12125550182",
      body: "Are you free at 5?",
      status: "delivered",
      errorCode: null,
      errorMessage: null,
      optOutType: null,
      createdAt: AT,
      updatedAt: AT,
      ...over,
    }) as Text;

  it("shows each text's way and where it got in words, never a stored code; its words escaped", () => {
    const items = historyItems(
      [],
      [],
      [
        textRow({ id: 3, status: "not_sent", createdAt: later(2) }),
        textRow({ id: 2, status: "undelivered", errorCode: 30006, createdAt: later(1) }),
        textRow({ id: 1, direction: "inbound", agentId: null, body: `STOP ${HOSTILE_NAME}`, optOutType: "STOP" }),
      ],
    );
    const shown = shownText(historyModal({ id: 12, name: "Jane Doe" }, items, 0, options));
    expect(shown).toContain("*Text* by <@U0MARIA01> to +1 212 555 0182 · not sent · “Are you free at 5?”");
    expect(shown).toContain("· undelivered (30006) ·");
    expect(shown).toContain("*Text* from +1 212 555 0182 (STOP) · received");
    expect(shown).not.toMatch(/not_sent|not\u200b_/);
    expect(shown).not.toContain("<!channel>");
  });
});
