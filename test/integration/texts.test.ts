import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CALLING_TIME, CHANNEL, eventually, freshStart, startTestApp, type TestApp } from "../helpers/app.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";

// Texts end to end: /text through the law (texts' hours, caps counting calls and texts, consent), the A2P
// gate, Twilio's refusals (21610 → do-not-call), STOP by text (calls and texts refused, scheduled calls
// cancelled), forged webhooks, exactly one text per command under Twilio faults, and a burst of inbound
// texts posted in order.

const PUBLIC = "https://leadline.example.com";
const AGENT = "U0MARIA01";
const ADMIN = "U0ADMIN01";
const FROM = "+15005550006";
const NY = "+12125550182";

let t: TestApp;
let account: FakeAccount;
let serviceSid: string;
let callingTime = CALLING_TIME;

const sim = () => t.twilio.sim;
const creates = () => t.twilio.requests.filter((r) => r.method === "POST" && r.path.endsWith("/Messages.json"));
const lead = (name: string, phone: string) => t.app.deps.leads.create(t.ws, { name, phone, author: "seed" });
const withTextConsent = async <T extends { id: number; phone: string | null }>(one: T) => {
  await t.app.deps.consents.record(
    t.ws,
    one,
    { scope: "texts", method: "web form", text: "I agree to receive marketing texts from Acme Realty." },
    "seed",
  );
  return one;
};
type Answer = { text: string; blocks?: unknown[] };
/** The command's answer: in the ack, or (when Leadline was slow under load) through the response URL after it. */
const text = async (who: string, message: string): Promise<Answer> => {
  const before = t.slack.responses.length;
  const acked = (await (await t.command("/text", `${who} ${message}`, AGENT)).json()) as Answer;
  if (!acked.text.startsWith(":hourglass_flowing_sand: Working on it")) return acked;
  return (await eventually(() => t.slack.responses.slice(before).at(-1)?.body, "the late answer", 15_000)) as Answer;
};
const inbound = (params: Record<string, string>, token = account.token) =>
  t.signedTwilio(`/twilio/sms/inbound?ws=${t.ws}`, { AccountSid: account.sid, To: FROM, ...params }, token);
const sid = () => `SM${Math.random().toString(16).slice(2).padEnd(32, "0").slice(0, 32)}`;

beforeAll(async () => {
  t = await startTestApp({
    env: { PUBLIC_BASE_URL: PUBLIC, ADMIN_SLACK_USER_IDS: ADMIN },
    callingClock: () => callingTime,
    twilioTimeoutMs: 1_500,
    textPaceMs: 5,
  });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  callingTime = CALLING_TIME;
  account = await freshStart(t, {
    tables: ["text", "textOptOut", "scheduledCall", "call", "consent", "lead", "dncEntry", "auditLog"],
    from: FROM,
    agentPhone: "+12125550199",
    admin: ADMIN,
  });
  sim().holdTexts(true);
  sim().messages.clear();
  sim().faults.failNext.clear();
  sim().faults.dropNext?.clear();
  serviceSid = sim().addMessagingService(account.sid, { senders: [FROM] }).sid;
  sim().setCampaign(serviceSid, "VERIFIED");
  await t.app.deps.settings.save(t.ws, { messagingServiceSid: serviceSid, textTeamName: "Acme Realty" }, ADMIN);
});

describe("sending a text", () => {
  it("/text sends through the Messaging Service, the first text names the team and STOP, and the thread follows its status", async () => {
    const jane = await withTextConsent(await lead("Jane Doe", NY));
    const answer = await text(`#${jane.id}`, "Are you free at 5?");
    expect(answer.text).toContain("Texted *Jane Doe*");
    expect(creates()).toHaveLength(1);
    const params = creates()[0]!.params;
    expect(params.get("MessagingServiceSid")).toBe(serviceSid);
    expect(params.get("To")).toBe(NY);
    expect(params.get("Body")).toBe("Acme Realty: Are you free at 5?\nReply STOP to opt out.");
    expect(params.get("StatusCallback")).toMatch(new RegExp(`^${PUBLIC}/twilio/sms/status\\?ws=${t.ws}&text=\\d+$`));
    const row = await t.app.deps.db.text.findFirstOrThrow();
    expect(row.twilioSid).toMatch(/^SM/);
    const post = await eventually(
      () => t.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes("texted Jane Doe")),
      "the text's line",
    );
    expect(post.args.channel).toBe(CHANNEL);
    const callback = await t.signedTwilio(
      `/twilio/sms/status?ws=${t.ws}&text=${row.id}`,
      { MessageSid: row.twilioSid!, MessageStatus: "delivered", AccountSid: account.sid },
      account.token,
    );
    expect(callback.status).toBe(204);
    await eventually(
      () => t.slack.callsTo("chat.update").find((c) => JSON.stringify(c.args.blocks).includes("delivered")),
      "the line shows delivered",
    );
    await text(`#${jane.id}`, "See you then");
    expect(creates()[1]!.params.get("Body")).toBe("See you then");
  });

  it("a Florida text at 20:05 local is refused with the next allowed time and Send at …, and nothing reaches Twilio", async () => {
    callingTime = new Date("2026-11-25T01:05:00Z");
    const jane = await withTextConsent(await lead("Jane Doe", "+13055550142"));
    const answer = await text(`#${jane.id}`, "Still interested in the condo?");
    expect(answer.text).toMatch(/Not texting Jane Doe now/);
    expect(answer.text).toMatch(/8:05 PM.*texts are allowed 8:00 AM until 8:00 PM there under Florida law/);
    expect(JSON.stringify(answer.blocks)).toContain("Send at");
    expect(creates()).toHaveLength(0);
  });

  it("a 4th touch to a Maryland lead in 24 hours (2 calls + 1 text + this text) is refused", async () => {
    const md = await withTextConsent(await lead("Mary Land", "+14105550142"));
    for (const hours of [3, 2]) {
      await t.app.deps.db.call.create({
        data: {
          workspaceId: t.ws,
          leadId: md.id,
          mode: "live",
          fromNumber: FROM,
          toNumber: md.phone!,
          placedBy: AGENT,
          status: "completed",
          twilioSid: `CA${String(hours).padStart(32, "0")}`,
          createdAt: new Date(Date.now() - hours * 3600_000),
        },
      });
    }
    expect((await text(`#${md.id}`, "Hi Mary")).text).toContain("Texted");
    const fourth = await text(`#${md.id}`, "Hi again");
    expect(fourth.text).toMatch(/3 calls and texts in the last 24 hours; Maryland law \(.*\) allows 3 per 24 hours/);
    expect(creates()).toHaveLength(1);
  });

  it("a marketing text without consent to texts is refused; an answer to the lead's own text needs none", async () => {
    const jane = await lead("Jane Doe", NY);
    expect((await text(`#${jane.id}`, "New listings this week!")).text).toMatch(/prior express written consent/);
    expect(creates()).toHaveLength(0);
    expect((await inbound({ MessageSid: sid(), From: NY, Body: "Can we talk at 5?" })).status).toBe(200);
    expect((await text(`#${jane.id}`, "Sure, 5 works")).text).toContain("Texted");
  });

  it("until the A2P campaign is approved, nothing is sent and the reason is shown", async () => {
    sim().setCampaign(serviceSid, "FAILED", [{ code: 30908, description: "Campaign message samples are missing" }]);
    const jane = await withTextConsent(await lead("Jane Doe", NY));
    // The approval seen a minute ago is not trusted for a new workspace state: ask Twilio afresh.
    await t.app.deps.a2p.status(t.ws, await t.app.deps.settings.get(t.ws), true);
    const answer = await text(`#${jane.id}`, "Hello");
    expect(answer.text).toContain("Texting is off until your A2P campaign is approved");
    expect(answer.text).toContain("FAILED: Campaign message samples are missing");
    expect(creates()).toHaveLength(0);
    expect(await t.app.deps.db.text.count()).toBe(0);
  });

  it("21610 from Twilio puts the number on the do-not-call list and the next call is refused", async () => {
    const jane = await withTextConsent(await lead("Jane Doe", NY));
    sim().optOuts(account.sid).add(NY);
    const answer = await text(`#${jane.id}`, "Hello");
    expect(answer.text).toMatch(/opted out of texts.*21610/);
    expect(await t.app.deps.db.dncEntry.findFirst({ where: { phone: NY } })).not.toBeNull();
    const call = (await (await t.command("/call-lead", `#${jane.id}`, AGENT)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(call.blocks)).toContain("do-not-call list");
  });
});

describe("texts from leads", () => {
  it("STOP puts the number on the do-not-call list for calls and texts, cancels its scheduled call, and says so in the thread; START re-enables texts only", async () => {
    const jane = await withTextConsent(await lead("Jane Doe", NY));
    const booked = await t.app.deps.scheduler.book({
      ws: t.ws,
      leadId: jane.id,
      agentId: AGENT,
      channel: CHANNEL,
      at: new Date(CALLING_TIME.getTime() + 3600_000),
      bookedBy: AGENT,
    });
    const stop = await inbound({ MessageSid: sid(), From: NY, Body: "Stop", OptOutType: "STOP" });
    expect(stop.status).toBe(200);
    expect(await t.app.deps.db.dncEntry.findFirst({ where: { phone: NY } })).not.toBeNull();
    const row = await t.app.deps.db.scheduledCall.findUniqueOrThrow({ where: { id: booked.row.id } });
    expect(row.status).toBe("cancelled");
    expect(await t.app.deps.db.consent.count({ where: { phone: NY, revokedAt: null } })).toBe(0);
    await eventually(
      () =>
        t.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes("opted out: they texted STOP")),
      "the opt-out notice",
    );
    expect((await text(`#${jane.id}`, "Are you sure?")).text).toMatch(/do-not-call list/);
    const call = (await (await t.command("/call-lead", `#${jane.id}`, AGENT)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(call.blocks)).toContain("do-not-call list");
    expect(creates()).toHaveLength(0);
    // START: the lead asks for texts again (an answer is no marketing); calls stay on the do-not-call list.
    await inbound({ MessageSid: sid(), From: NY, Body: "START", OptOutType: "START" });
    expect((await text(`#${jane.id}`, "Welcome back")).text).toContain("Texted");
    const again = (await (await t.command("/call-lead", `#${jane.id}`, AGENT)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(again.blocks)).toContain("do-not-call list");
  });

  it("a forged inbound text is refused with 403 and nothing is stored or posted", async () => {
    await lead("Jane Doe", NY);
    const before = t.slack.callsTo("chat.postMessage").length;
    const forged = await inbound({ MessageSid: sid(), From: NY, Body: "<!channel> hi" }, "f".repeat(32));
    expect(forged.status).toBe(403);
    const unsigned = await t.post(
      `/twilio/sms/inbound?ws=${t.ws}`,
      new URLSearchParams({ From: NY, Body: "x" }).toString(),
      {
        "content-type": "application/x-www-form-urlencoded",
      },
    );
    expect(unsigned.status).toBe(403);
    await t.app.deps.tasks.drain(2_000);
    expect(await t.app.deps.db.text.count()).toBe(0);
    expect(t.slack.callsTo("chat.postMessage").length).toBe(before);
  });

  it("an inbound text is posted as plain text; an unknown number gets Add as lead; a body over 1,600 characters is refused", async () => {
    const hostile = "<!channel> *urgent* <https://evil.example|click>";
    expect((await inbound({ MessageSid: sid(), From: "+12125550111", Body: hostile })).status).toBe(200);
    const post = await eventually(
      () => t.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).startsWith("Text from")),
      "the text's post",
    );
    const blocks = JSON.stringify(post.args.blocks);
    expect(blocks).not.toContain("<!channel>");
    expect(blocks).toContain("&lt;!channel&gt;");
    expect(blocks).toContain("Add as lead");
    const long = await inbound({ MessageSid: sid(), From: NY, Body: "x".repeat(1601) });
    expect(long.status).toBe(400);
    expect(await t.app.deps.db.text.count()).toBe(1);
  });

  it("a burst of 50 texts is posted in order, each once, across a restart", async () => {
    const jane = await lead("Jane Doe", NY);
    for (let i = 1; i <= 50; i += 1)
      expect((await inbound({ MessageSid: sid(), From: NY, Body: `message ${i}` })).status).toBe(200);
    await t.restart();
    const posted = () =>
      t.slack
        .callsTo("chat.postMessage")
        .map((c) => JSON.stringify(c.args.blocks))
        .map((blocks) => /message (\d+)/.exec(blocks)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number);
    await eventually(() => posted().length >= 50, "all 50 posted", 20_000);
    expect(posted()).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // Slack has the last one a moment before its row is marked posted.
    await eventually(
      async () => (await t.app.deps.db.text.count({ where: { leadId: jane.id, postedAt: null } })) === 0,
      "every row marked posted",
    );
  });
});

describe("exactly one text per command under Twilio faults", () => {
  it("a 5xx after Twilio accepted the text: reconciled from Twilio's list, nothing sent twice", async () => {
    const jane = await withTextConsent(await lead("Jane Doe", NY));
    t.twilio.sim.faults.failNext.set("createMessage", { status: 500, code: 20500, count: 1, performs: true });
    const answer = await text(`#${jane.id}`, "Hello");
    expect(answer.text).toContain("Texted");
    expect([...sim().messages.values()].filter((m) => m.to === NY)).toHaveLength(1);
    const row = await t.app.deps.db.text.findFirstOrThrow();
    expect(row.twilioSid).toBe([...sim().messages.values()][0]!.sid);
    expect(creates()).toHaveLength(1);
  });

  it("a timeout before Twilio had it: nothing sent, said plainly, and never re-sent", async () => {
    const jane = await withTextConsent(await lead("Jane Doe", NY));
    t.twilio.sim.faults.dropNext = new Map([["createMessage", { count: 1, performs: false }]]);
    const answer = await text(`#${jane.id}`, "Hello");
    expect(answer.text).toMatch(/no record of a text to Jane Doe, so nothing was sent/);
    expect(sim().messages.size).toBe(0);
    expect(creates()).toHaveLength(1);
    expect((await t.app.deps.db.text.findFirstOrThrow()).status).toBe("not_sent");
  });

  it("a dropped answer after Twilio sent it: adopted, one text", async () => {
    const jane = await withTextConsent(await lead("Jane Doe", NY));
    t.twilio.sim.faults.dropNext = new Map([["createMessage", { count: 1, performs: true }]]);
    expect((await text(`#${jane.id}`, "Hello")).text).toContain("Texted");
    expect(sim().messages.size).toBe(1);
    expect(creates()).toHaveLength(1);
  });
});
