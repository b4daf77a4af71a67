import type { Lead, ScheduledCall } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import type { HomeData } from "../../src/services/stats/home.js";
import { homeView } from "../../src/views/home.js";
import { AT, HOSTILE_NAME, shownText, statsOf, totals } from "./fixtures.js";

// App Home: the viewer's numbers, their scheduled calls, the leads waiting on them; for admins, the team.

const lead = (over: Partial<Lead> = {}): Lead => ({
  id: 12,
  workspaceId: 1,
  name: "Jane Doe",
  nameSearch: "jane doe",
  searchText: "",
  phone: "+12125550182",
  phoneExt: null,
  phoneLast4: "0182",
  email: null,
  source: null,
  ownerSlackId: null,
  state: "NY",
  zip: null,
  phoneWrongAt: null,
  lastContactedAt: null,
  createdAt: AT,
  updatedAt: AT,
  ...over,
});

const scheduled = (over: Partial<ScheduledCall> = {}, withLead: Lead | undefined = lead()) => ({
  id: 3,
  workspaceId: 1,
  leadId: 12,
  agentId: "U0MARIA01",
  channel: "C0LEADS001",
  threadTs: null,
  dueAt: new Date(AT.getTime() + 3 * 3600_000),
  status: "scheduled",
  reason: null,
  attempt: 0,
  claimedBy: null,
  leaseUntil: null,
  callId: null,
  bookedBy: "U0MARIA01",
  textBody: null,
  bookKey: null,
  textId: null,
  createdAt: AT,
  updatedAt: AT,
  ...over,
  lead: withLead,
});

const data = (over: Partial<HomeData> = {}): HomeData => ({
  userId: "U0MARIA01",
  admin: false,
  zone: "America/Chicago",
  now: AT,
  mine: { today: statsOf({ totals: totals(2, 1, 95) }), week: statsOf() },
  scheduled: [],
  waiting: [],
  ...over,
});

describe("App Home", () => {
  it("an agent with nothing booked or waiting: their numbers and what to do next", () => {
    const view = homeView(data());
    expect(shownText(view)).toBe(
      [
        "Leadline",
        "*Your calls*",
        "*Today*\n2 calls · 1 connected (50%) · 1m 35s talk",
        "*This week*\n12 calls · 5 connected (42%) · 12m 34s talk",
        "*Your scheduled calls* (0)",
        "None. Book one with `/call-lead Jane tomorrow 10am` or *Schedule* on a card.",
        "*Leads waiting for a callback* (0)",
        "Nobody is waiting on you.",
      ].join("\n"),
    );
    expect(JSON.stringify(view)).not.toContain("$");
    expect(blockKitProblems(view.blocks, "home")).toEqual([]);
  });

  it("a scheduled call in the agent's time and the lead's, with Move / Cancel; a claimed one without them", () => {
    const view = homeView(data({ scheduled: [scheduled(), scheduled({ id: 4, status: "claimed" })] }));
    const sections = view.blocks.filter((b) => shownText(b).startsWith(":alarm_clock:"));
    expect(sections.map((b) => shownText(b))).toEqual([
      ":alarm_clock: *Jane Doe* · Tue Nov 24, 4:00 PM CT your time · 5:00 PM ET their time (in 3 h)\nMove\nCancel",
      ":alarm_clock: *Jane Doe* · Tue Nov 24, 4:00 PM CT your time · 5:00 PM ET their time (in 3 h)",
    ]);
    expect(JSON.stringify(sections[0])).toContain('"value":"move:3"');
    expect(blockKitProblems(view.blocks, "home")).toEqual([]);
  });

  it("a lead waiting on the agent, its name escaped, with a Schedule button", () => {
    const view = homeView(
      data({
        waiting: [
          { lead: lead({ name: HOSTILE_NAME }), lastCallAt: new Date(AT.getTime() - 2 * 3600_000), why: "callback" },
        ],
      }),
    );
    const shown = shownText(view);
    expect(shown).toContain("&lt;!channel&gt;");
    expect(shown).toContain("· +1 212 555 0182 · asked to be called back 2 h ago\nSchedule");
    for (const raw of ["<!channel>", "<https://", "<@U0ADMIN01>"]) expect(shown).not.toContain(raw);
  });

  it("an admin also sees the team: cost, per agent, calls calling law blocked, the registry's age", () => {
    const view = homeView(
      data({
        admin: true,
        chartUrl: "https://leadline.example.com/charts/home.png?sig=abc",
        team: {
          today: statsOf(),
          week: statsOf(),
          blocked: [{ at: AT, actor: "U0SAM0001", detail: JSON.stringify({ reasons: ["quiet_hours", "<!here>"] }) }],
        },
        registry: { latestAt: AT, days: 40, stale: true },
      }),
    );
    const shown = shownText(view);
    expect(shown).toContain("*This week*\n12 calls · 5 connected (42%) · 12m 34s talk · $1.23");
    expect(shown).toContain(
      "This week · <@U0MARIA01> 8 · 4 connected · 10m 00s · <@U0SAM0001> 4 · 1 connected · 2m 34s",
    );
    expect(shown).toContain(
      "*Calls blocked by calling law today* (1)\n<@U0SAM0001> · a lead · 0 s ago · quiet hours, &lt;!here&gt;",
    );
    expect(shown).toContain(
      ":warning: The do-not-call registry copy is 40 days old: import a fresh one (older than 31 days is not allowed).",
    );
    expect(view.blocks.find((b) => b.type === "image")).toMatchObject({
      alt_text: "Calls and connects per day, last 14 days (team)",
    });
    expect(blockKitProblems(view.blocks, "home")).toEqual([]);
  });

  it("the registry's other states", () => {
    const registry = (r: HomeData["registry"]) =>
      shownText(homeView(data({ admin: true, team: { today: statsOf(), week: statsOf(), blocked: [] }, registry: r })));
    expect(registry(undefined)).toContain("No national do-not-call registry import yet (`npm run dnc:import`).");
    expect(registry({ latestAt: AT, days: 3, stale: false })).toContain("Do-not-call registry copy is 3 days old.");
  });

  it("at most 10 scheduled and 10 waiting: a full tab stays inside Home's 100 blocks", () => {
    const many = homeView(
      data({
        admin: true,
        team: { today: statsOf(), week: statsOf(), blocked: [] },
        scheduled: Array.from({ length: 30 }, (_, i) => scheduled({ id: i + 1 })),
        waiting: Array.from({ length: 30 }, (_, i) => ({
          lead: lead({ id: i + 1 }),
          lastCallAt: AT,
          why: "busy" as const,
        })),
      }),
    );
    expect(many.blocks.filter((b) => shownText(b).startsWith(":alarm_clock:"))).toHaveLength(10);
    expect(many.blocks.filter((b) => shownText(b).includes("· busy"))).toHaveLength(10);
    expect(blockKitProblems(many.blocks, "home")).toEqual([]);
  });
});

describe("App Home's texts", () => {
  const counts = { sent: 4, delivered: 3, failed: 1, replies: 2, optOuts: 1 };
  const withTexts = data({
    mine: {
      today: statsOf({ texts: { ...counts, perAgent: [] } }),
      week: statsOf({ texts: { ...counts, sent: 9, delivered: 8, perAgent: [] } }),
    },
    texts: {
      waiting: [
        {
          textId: 5,
          leadId: 12,
          leadName: HOSTILE_NAME,
          phone: "+12125550182",
          body: "<!channel> can we talk\nat 5?",
          at: new Date(AT.getTime() - 10 * 60_000),
        },
        {
          textId: 6,
          leadId: null,
          leadName: null,
          phone: "+13055550142",
          body: "who is this",
          at: new Date(AT.getTime() - 5 * 60_000),
        },
      ],
      recent: [
        {
          id: 9,
          leadName: "Jane Doe",
          phone: "+12125550182",
          body: "See you at 5",
          status: "undelivered",
          errorCode: 30006,
          at: AT,
        },
      ],
    },
  });

  it("shows the agent's text numbers, the replies waiting (Reply by text when the number is a lead's) and the latest texts", () => {
    const view = homeView(withTexts);
    const shown = shownText(view);
    expect(shown).toContain(
      "*Your texts* · today 4 texts sent · 3 delivered (75%) · 1 failed · 2 replies · 1 opt-out · this week 9 texts sent · 8 delivered (89%)",
    );
    expect(shown).toContain("*Texts waiting for your reply* (2)");
    expect(shown).toContain("&lt;!channel&gt; can we talk at 5?");
    expect(shown).not.toContain("<!channel>");
    expect(shown).toContain("Jane Doe · See you at 5 · :warning: undelivered (30006) · 0 s ago");
    const buttons = view.blocks.flatMap((b) =>
      "accessory" in b && b.accessory?.type === "button" ? [b.accessory] : [],
    );
    const replies = buttons.filter((b) => b.action_id === "text_reply");
    expect(replies.map((b) => b.value)).toEqual(["12"]);
    expect(blockKitProblems(view.blocks, "home")).toEqual([]);
  });

  it("an agent who never texted sees no text numbers, and no reply waiting says so", () => {
    const view = homeView(data({ texts: { waiting: [], recent: [] } }));
    expect(shownText(view)).not.toContain("Your texts");
    expect(shownText(view)).toContain("No lead's text is waiting on you.");
  });
});
