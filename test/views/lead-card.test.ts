import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import type { LeadWithLastNote } from "../../src/services/leads/lead-service.js";
import { cardOptions, leadCard, leadCardText } from "../../src/views/lead-card.js";
import { searchResults } from "../../src/views/lead-modals.js";

const now = new Date("2026-11-24T12:00:00Z");

function lead(overrides: Partial<LeadWithLastNote> = {}): LeadWithLastNote {
  return {
    id: 12,
    workspaceId: 1,
    name: "Jane Doe",
    nameSearch: "jane doe",
    searchText: "jane doe jane@example.com zillow",
    phone: "+12125550182",
    phoneExt: null,
    phoneLast4: "0182",
    email: "jane@example.com",
    source: "Zillow",
    ownerSlackId: "U0MARIA",
    state: null,
    zip: null,
    phoneWrongAt: null,
    lastContactedAt: null,
    createdAt: new Date("2026-11-24T11:55:00Z"),
    updatedAt: new Date("2026-11-24T11:55:00Z"),
    ...overrides,
  };
}

const options = { now, browserEnabled: false };

describe("leadCard", () => {
  it("offers a live call first, Add note and Do not call; recorded-voice modes need consent", () => {
    const blocks = leadCard(lead(), options);
    const text = JSON.stringify(blocks);
    expect(text).toContain("*Jane Doe*");
    expect(text).toContain("+1 212 555 0182");
    expect(text).toContain("Arrived 5 min ago");
    const actions = blocks.at(-1) as { elements: { action_id: string; value: string; style?: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual([
      "call_live",
      "schedule_open",
      "text_open",
      "lead_note_open",
      "lead_history_open",
      "lead_edit_open",
      "lead_dnc",
    ]);
    expect(actions.elements[0]!.style).toBe("primary");
    expect(actions.elements.every((e) => e.value === "12")).toBe(true);
    expect(blockKitProblems(blocks, "message")).toEqual([]);
  });

  it("offers message calls and voice bridges only for a number with consent", () => {
    const blocks = leadCard(lead(), { ...options, consented: new Set(["+12125550182"]) });
    const actions = blocks.at(-1) as { elements: { action_id: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual([
      "call_live",
      "call_message",
      "call_bridge",
      "schedule_open",
      "text_open",
      "lead_note_open",
      "lead_history_open",
      "lead_edit_open",
      "lead_dnc",
    ]);
  });

  it("a number on the do-not-call list gets no call buttons and says so", () => {
    const blocks = leadCard(lead(), {
      ...options,
      listed: new Set(["+12125550182"]),
      consented: new Set(["+12125550182"]),
    });
    const actions = blocks.at(-1) as { elements: { action_id: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual([
      "text_open",
      "lead_note_open",
      "lead_history_open",
      "lead_edit_open",
    ]);
    expect(JSON.stringify(blocks)).toContain("on the do-not-call list");
  });

  it("shows the calling-law verdict when given one", () => {
    const blocks = leadCard(lead(), { ...options, verdicts: new Map([[12, ["It is 7:40 AM in New York."]]]) });
    expect(JSON.stringify(blocks)).toContain("Not now:* It is 7:40 AM in New York.");
    expect(blockKitProblems(blocks, "message")).toEqual([]);
  });

  it("a refusal no time lifts (consent, do-not-call) says Cannot call, not Not now; hours say Not now", () => {
    const facts = (reasons: unknown[]) => ({
      now,
      callingNow: now,
      browserEnabled: false,
      verdicts: new Map([[12, { verdict: { allowed: false, reasons, zones: [], states: [] }, phone: "+12125550182" }]]),
    });
    const consent = JSON.stringify(
      leadCard(lead(), cardOptions(facts([{ kind: "consent", mode: "message" }]) as never)),
    );
    expect(consent).toContain(":no_entry_sign: *Cannot call:*");
    expect(consent).not.toContain("Not now");
    const dnc = JSON.stringify(leadCard(lead(), cardOptions(facts([{ kind: "dnc" }]) as never)));
    expect(dnc).toContain("*Cannot call:*");
    const hours = JSON.stringify(
      leadCard(
        lead(),
        cardOptions(
          facts([
            { kind: "team_window", zone: "America/New_York", local: "7:40 AM", window: "9:00 AM until 6:00 PM" },
          ]) as never,
        ),
      ),
    );
    expect(hours).toContain("*Not now:*");
  });

  it("shows Browser call only when browser calls are configured, and puts the asked mode first", () => {
    const blocks = leadCard(lead(), {
      now,
      browserEnabled: true,
      firstMode: "bridge",
      consented: new Set(["+12125550182"]),
    });
    const actions = blocks.at(-1) as { elements: { action_id: string; style?: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual([
      "call_bridge",
      "call_live",
      "call_message",
      "call_browser",
      "schedule_open",
      "text_open",
      "lead_note_open",
      "lead_history_open",
      "lead_edit_open",
      "lead_dnc",
    ]);
    expect(actions.elements[0]!.style).toBe("primary");
  });

  it("offers Add phone instead of call buttons when the lead has no phone", () => {
    const actions = leadCard(lead({ phone: null }), options).at(-1) as { elements: { action_id: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual([
      "lead_phone_open",
      "lead_note_open",
      "lead_history_open",
      "lead_edit_open",
    ]);
  });

  it("stays within Block Kit limits for a 5,000-character name and note", () => {
    const long = "Ä".repeat(5000);
    const blocks = leadCard(
      lead({
        name: long,
        email: `${"e".repeat(240)}@x.io`,
        source: "s".repeat(5000),
        lastNote: { id: 1, leadId: 12, author: "a".repeat(500), body: long, createdAt: now },
      }),
      { now, browserEnabled: true, banner: "b".repeat(5000) },
    );
    expect(blockKitProblems(blocks, "message")).toEqual([]);
    const results = searchResults(
      "q".repeat(5000),
      Array.from({ length: 10 }, (_, i) => lead({ id: i + 1, name: long })),
      25,
      { now, browserEnabled: true },
    );
    expect(blockKitProblems(results.blocks, "message")).toEqual([]);
    expect(results.text).toContain("25 leads found — showing the 10 most recent, 15 more");
  });

  it("escapes lead text so it cannot mention @channel or inject markup", () => {
    const evil = lead({
      name: "<!channel> *boss* <https://evil.example|click> @here & co",
      lastNote: { id: 1, leadId: 12, author: "<@U123>", body: "<!here> _x_", createdAt: now },
    });
    const text = JSON.stringify(leadCard(evil, options)) + leadCardText(evil);
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<!here>");
    expect(text).not.toContain("<https://");
    expect(text).not.toContain("<@U123>");
    expect(text).not.toMatch(/@here\b/);
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).toContain("&amp; co");
  });
});

describe("searchResults", () => {
  it("shows only whole cards: ten leads calling law blocks fit nine cards under 50 blocks, and says how many more", () => {
    const leads = Array.from({ length: 10 }, (_, i) =>
      lead({
        id: i + 1,
        name: `Blocked ${i + 1}`,
        lastNote: { id: i + 1, leadId: i + 1, author: "U0MARIA", body: "Asked for a call after 9", createdAt: now },
      }),
    );
    const verdicts = new Map(leads.map((one) => [one.id, ["It is 7:40 AM in New York."]]));
    const results = searchResults("blocked", leads, 12, { now, browserEnabled: false, verdicts }, "Pick one to call.");
    expect(results.blocks.length).toBeLessThanOrEqual(50);
    expect(blockKitProblems(results.blocks, "message")).toEqual([]);
    const cards = results.blocks.filter((block) => (block as { block_id?: string }).block_id?.startsWith("lead_"));
    const titles = cards.filter((block) => /^lead_\d+$/.test((block as { block_id: string }).block_id));
    const buttons = cards.filter((block) => /^lead_actions_\d+$/.test((block as { block_id: string }).block_id));
    // Every card shown ends with its buttons.
    expect(titles.length).toBe(buttons.length);
    expect(results.blocks.at(-1)).toMatchObject({ type: "actions", block_id: `lead_actions_${titles.length}` });
    expect(titles.length).toBe(9);
    expect(results.text).toBe("12 leads found — showing the 9 most recent, 3 more");
  });
});

describe("a card for a channel that masks numbers", () => {
  it("shows the last 4 digits in the card, its text and the Do not call confirmation", () => {
    const card = lead({ phone: "+12125550182" });
    const blocks = JSON.stringify(leadCard(card, { ...options, maskPhone: true }));
    expect(blocks).toContain("+1 ••• ••• 0182");
    expect(blocks).not.toContain("555 0182");
    expect(leadCardText(card, true)).toContain("+1 ••• ••• 0182");
    expect(JSON.stringify(leadCard(card, options))).toContain("+1 212 555 0182");
  });
});
