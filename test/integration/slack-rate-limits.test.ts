import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { CHANNEL, eventually, freshStart, startTestApp, type TestApp, withConsent } from "../helpers/app.js";
import { sequence } from "../helpers/callbacks.js";
import { type FakeSlack, startFakeSlack } from "../helpers/fake-slack.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";

// A busy team under Slack's real rate limits, with Slack's clock sped up: 40 agents place message
// calls for three minutes of Slack time, each call's line moving initiated → ringing → in progress →
// completed. chat.update (Tier 3, 50 a minute) cannot show every move; Leadline folds a line's edits,
// waits out each 429's Retry-After, and every line still ends showing its call's final state.

/** Slack's clock runs this many times faster: a Slack minute lasts three real seconds. */
const TIME_SCALE = 20;
const SLACK_MINUTES = 3;
const AGENTS = 40;
/** Real milliseconds between two status callbacks of a call (3 Slack seconds), and between two calls of an agent. */
const STATUS_GAP_MS = 150;
const THINK_MS = 2_000;
const FROM = "+15005550006";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("40 agents in one workspace, Slack's rate limits on", () => {
  let slack: FakeSlack;
  let t: TestApp;
  let account: FakeAccount;

  beforeAll(async () => {
    // A request within 500 ms of its 429 was already on its way (the test process is busy); Retry-After is at least 1 s.
    slack = await startFakeSlack({ rateLimits: { timeScale: TIME_SCALE, inFlightMs: 500 } });
    t = await startTestApp({ slack, env: { PUBLIC_BASE_URL: "https://leadline.example.com" } });
    account = await freshStart(t, {
      tables: ["call", "note", "consent", "lead"],
      from: FROM,
      agentPhone: "+12125550199",
      admin: "U0ADMIN01",
    });
  });
  afterAll(async () => {
    await t.stop();
    await slack.close();
  });

  /** One agent's call: a lead of their own, the Message call button, Twilio's four status callbacks. */
  async function placeCall(agent: string, a: number, n: number) {
    const phone = `+1212555${String(a * 100 + n).padStart(4, "0")}`;
    const lead = await withConsent(
      t.app,
      t.ws,
      await t.app.deps.leads.create(t.ws, { name: `Lead ${a}-${n}`, phone, author: "seed" }),
    );
    const clicked = await t.interact(
      buttonClick({
        userId: agent,
        actionId: ids.call.messageAction,
        value: String(lead.id),
        channel: CHANNEL,
        messageTs: "1760000000.000100",
        responseUrl: slack.responseUrl(),
      }),
    );
    expect(clicked.status).toBe(200);
    // Twilio is asked first (in memory, cheap to watch); the call's row has its SID a moment later.
    await eventually(
      () => [...t.twilio.sim.calls.values()].some((created) => created.to === phone),
      `the call to ${lead.name}`,
      20_000,
    );
    const call = await eventually(async () => {
      const row = await t.app.deps.db.call.findFirst({ where: { leadId: lead.id } });
      return row?.twilioSid ? row : undefined;
    }, `the call to ${lead.name} stored`);
    const ref = { sid: call.twilioSid!, accountSid: account.sid, to: phone, from: FROM };
    for (const params of sequence(ref, "completed")) {
      await sleep(STATUS_GAP_MS);
      const res = await t.signedTwilio("/twilio/status", params, account.token);
      expect(res.status).toBe(204);
    }
    return call.id;
  }

  it("for three minutes of Slack time: every line ends showing its call's final state, none sent before its Retry-After", async () => {
    // One call first, before the clock starts: the first call in a process loads what calling law reads.
    await placeCall("U0WARMUP1", 99, 0);
    const started = Date.now();
    const slackMinutes = () => ((Date.now() - started) * TIME_SCALE) / 60_000;
    const placed: number[] = [];
    await Promise.all(
      Array.from({ length: AGENTS }, async (_, a) => {
        const agent = `U0AGENT${String(a).padStart(2, "0")}`;
        // The team starts together (a shift begins): the first Slack minute asks for far more than 50 edits.
        await sleep(a * 10);
        // At least two calls each, and calls for as long as three Slack minutes last.
        for (let n = 0; n < 2 || slackMinutes() < SLACK_MINUTES; n += 1) {
          placed.push(await placeCall(agent, a, n));
          await sleep(THINK_MS);
        }
      }),
    );
    expect(slackMinutes()).toBeGreaterThanOrEqual(SLACK_MINUTES);
    expect(placed.length).toBeGreaterThanOrEqual(AGENTS * 2);

    // Every call's line in the channel ends showing the call as it ended.
    const lines = await eventually(
      async () => {
        const rows = await t.app.deps.db.call.findMany({ where: { id: { in: placed } } });
        const shown = rows.map((row) => ({
          row,
          text: String(slack.messages.get(`${CHANNEL}:${row.slackTs}`)?.text ?? ""),
        }));
        // Shown in Slack, and known to be: the line's newest version is the one Slack shows.
        const final = ({ row, text }: (typeof shown)[number]) =>
          / called \*Lead \d+-\d+\* .* · completed \(/.test(text) && row.postShown >= row.postVersion;
        return shown.every(final) ? shown : undefined;
      },
      "every line to show its call completed",
      60_000,
    );
    expect(lines).toHaveLength(placed.length);
    expect(lines.filter(({ row }) => row.status !== "completed")).toEqual([]);

    // Slack did say no, and Leadline never asked again before it was told it could.
    const updates = slack.callsTo("chat.update");
    expect(updates.filter((call) => call.retryAfter !== undefined).length).toBeGreaterThan(0);
    expect(slack.calls.filter((call) => call.early)).toEqual([]);
    // The lines' edits were folded: fewer chat.update accepted than status changes shown.
    const accepted = updates.filter((call) => call.retryAfter === undefined).length;
    expect(accepted).toBeLessThan(placed.length * 4);
  }, 180_000);
});
