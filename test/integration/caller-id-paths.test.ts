import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queueSettingsSchema } from "../../src/services/queues/queue-filter.js";
import { CALLING_TIME, CHANNEL, eventually, freshStart, settled, startTestApp, type TestApp } from "../helpers/app.js";
import { type FakeAccount, fakeSid } from "../helpers/fake-twilio.js";

// Every path that reaches a lead takes its caller ID from the same pool choice and stores it: the
// call queue, a scheduled call, a browser call, a text (a click and /call-lead are in caller-id.test.ts);
// and a lead who texts a pool number back reaches the team.

const PUBLIC = "https://leadline.example.com";
const ADMIN = "U0ADMIN01";
const AGENT = "U0MARIA01";
const TEAM = "+15005550006";
const AGENT_PHONE = "+12125550199";
const MIAMI_305 = "+13055550100";
const MIAMI_786 = "+17865550100";
const JANE = "+13055551234";

let t: TestApp;
let account: FakeAccount;
let callingTime = CALLING_TIME;

const participantCreates = () =>
  t.twilio.requests.filter((r) => r.method === "POST" && /\/Conferences\/[^/]+\/Participants\.json$/.test(r.path));

async function admin(text: string) {
  const before = t.slack.responses.length;
  expect((await t.command("/twilio-setup", text, ADMIN)).status).toBe(200);
  return eventually(() => t.slack.responses.slice(before).at(-1)?.body, `answer to ${text}`);
}

async function lead(name: string, phone: string, extra: { source?: string } = {}) {
  return t.app.deps.leads.create(t.ws, { name, phone, author: "seed", ...extra });
}

beforeAll(async () => {
  t = await startTestApp({
    env: { PUBLIC_BASE_URL: PUBLIC, ADMIN_SLACK_USER_IDS: ADMIN },
    callingClock: () => callingTime,
    scheduleEvery: "0 0 0 1 1 *",
  });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  callingTime = CALLING_TIME;
  await settled(t);
  const db = t.app.deps.db;
  for (const table of [db.queueSkip, db.queueClaim, db.queueLead, db.queueRun, db.callQueue] as {
    deleteMany(): Promise<unknown>;
  }[])
    await table.deleteMany();
  await db.numberDayCount.deleteMany();
  await db.leadCallerId.deleteMany();
  await db.poolNumber.deleteMany();
  account = await freshStart(t, {
    tables: ["inboundCall", "text", "scheduledCall", "call", "note", "consent", "lead", "dncEntry", "auditLog"],
    from: TEAM,
    agentPhone: AGENT_PHONE,
    admin: ADMIN,
  });
  await t.app.deps.agentPhones.set(t.ws, AGENT, "+12125550142");
  for (const number of [MIAMI_305, MIAMI_786]) t.twilio.sim.addNumber(account.sid, number);
  await admin(`numbers add ${MIAMI_305}`);
});

/** Starts a queue run over every lead, the agent's phone answered with a key; the claim offered first. */
async function queueRunOffering() {
  await t.app.deps.queueStore.create(t.ws, queueSettingsSchema.parse({ name: "Zillow" }), ADMIN);
  const run = await t.app.deps.queueRuns.start({ ws: t.ws, queue: "Zillow", agentId: AGENT });
  expect((await t.app.deps.queueRuns.agentJoined(run.id, true)).join).toBe(true);
  const claim = await eventually(() => t.app.deps.queueClaimStore.liveOfRun(run.id), "a lead offered");
  return { run, claim };
}

describe("the call queue", () => {
  it("calls a queue's lead from the pool's local number and keeps it for the lead", async () => {
    const jane = await lead("Jane Doe", JANE);
    const { run, claim } = await queueRunOffering();
    await t.app.deps.queueRuns.dial({ ws: t.ws, runId: run.id, agentId: AGENT, claimId: claim.id });
    const [participant] = participantCreates();
    expect(participant!.params.get("From")).toBe(MIAMI_305);
    expect(participant!.params.get("To")).toBe(JANE);
    expect(await t.app.deps.db.call.findFirstOrThrow({ where: { leadId: jane.id } })).toMatchObject({
      mode: "queue",
      fromNumber: MIAMI_305,
      callerIdRule: "local",
    });
    expect(await t.app.deps.db.leadCallerId.findUnique({ where: { leadId: jane.id } })).toMatchObject({
      number: MIAMI_305,
    });
    expect(await t.app.deps.db.numberDayCount.findFirst({ where: { number: MIAMI_305 } })).toMatchObject({ count: 1 });
  });

  it("a pool number released in Twilio: the lead is added once more from the next best, the number leaves the pool", async () => {
    await admin(`numbers add ${MIAMI_786}`);
    const jane = await lead("Jane Doe", JANE);
    t.twilio.sim.releaseNumber(account.sid, MIAMI_305);
    const { run, claim } = await queueRunOffering();
    await t.app.deps.queueRuns.dial({ ws: t.ws, runId: run.id, agentId: AGENT, claimId: claim.id });
    expect(participantCreates().map((r) => r.params.get("From"))).toEqual([MIAMI_305, MIAMI_786]);
    const call = await t.app.deps.db.call.findFirstOrThrow({ where: { leadId: jane.id } });
    expect(call).toMatchObject({ fromNumber: MIAMI_786, callerIdRule: "state", status: "queued" });
    expect(call.twilioSid).toMatch(/^CA/);
    expect(await t.app.deps.db.poolNumber.findFirst({ where: { number: MIAMI_305 } })).toMatchObject({
      inPool: false,
      releasedAt: expect.any(Date),
    });
    await eventually(
      () => t.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes("was released in Twilio")),
      "admins told",
    );
  });

  it("a lead already on a call is not dialled, and its caller ID's count is given back", async () => {
    const jane = await lead("Jane Doe", JANE);
    const { run, claim } = await queueRunOffering();
    // Another agent reached Jane between the offer and the click: her live call holds the guard.
    await t.app.deps.db.call.create({
      data: {
        workspaceId: t.ws,
        leadId: jane.id,
        activeLeadId: jane.id,
        mode: "live",
        fromNumber: TEAM,
        toNumber: JANE,
        status: "in-progress",
        placedBy: "U0OTHER01",
      },
    });
    await expect(
      t.app.deps.queueRuns.dial({ ws: t.ws, runId: run.id, agentId: AGENT, claimId: claim.id }),
    ).rejects.toThrow(/already/i);
    expect(participantCreates()).toHaveLength(0);
    expect(await t.app.deps.db.call.count({ where: { leadId: jane.id } })).toBe(1);
    expect(await t.app.deps.db.numberDayCount.findFirst({ where: { number: MIAMI_305 } })).toMatchObject({ count: 0 });
    expect(await t.app.deps.db.leadCallerId.count()).toBe(0);
  });
});

describe("a scheduled call", () => {
  it("goes out from the number the lead saw last", async () => {
    const jane = await lead("Jane Doe", JANE);
    await t.app.deps.db.leadCallerId.create({ data: { leadId: jane.id, workspaceId: t.ws, number: MIAMI_305 } });
    // A 786 number joins: Jane's area code is 305, and she saw the 305 number last anyway.
    await admin(`numbers add ${MIAMI_786}`);
    const at = new Date(CALLING_TIME.getTime() + 3_600_000);
    await t.app.deps.scheduler.book({
      ws: t.ws,
      leadId: jane.id,
      agentId: AGENT,
      channel: CHANNEL,
      at,
      bookedBy: AGENT,
    });
    expect(await t.app.deps.scheduler.tick(at)).toMatchObject({ placed: 1 });
    const call = await t.app.deps.db.call.findFirstOrThrow({ where: { leadId: jane.id } });
    expect(call).toMatchObject({ fromNumber: MIAMI_305, callerIdRule: "sticky" });
    expect(t.twilio.creates().at(-1)!.params.get("From")).toBe(MIAMI_305);
  });
});

describe("a browser call", () => {
  it("dials the lead with the pool's number as caller ID and stores it", async () => {
    await t.app.deps.settings.save(
      t.ws,
      { apiKeySid: fakeSid("SK"), apiKeySecret: "s".repeat(32), twimlAppSid: fakeSid("AP") },
      ADMIN,
    );
    const jane = await lead("Jane Doe", JANE);
    const url = await t.app.deps.browserPhone.createLink({
      ws: t.ws,
      userId: AGENT,
      leadId: jane.id,
      channel: CHANNEL,
    });
    const { link } = await t.app.deps.browserPhone.openLink(new URL(url).searchParams.get("t")!);
    const params = {
      CallSid: fakeSid("CA"),
      AccountSid: account.sid,
      From: `client:${AGENT}`,
      To: "",
      link: link.id,
    };
    const res = await t.signedTwilio("/twilio/voice/browser", params, account.token);
    expect(await res.text()).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="${MIAMI_305}"><Number>${JANE}</Number></Dial></Response>`,
    );
    expect(await t.app.deps.db.call.findFirstOrThrow({ where: { leadId: jane.id } })).toMatchObject({
      mode: "browser",
      fromNumber: MIAMI_305,
      callerIdRule: "local",
    });
  });
});

describe("texts", () => {
  const messageCreates = () =>
    t.twilio.requests.filter((r) => r.method === "POST" && r.path.endsWith("/Messages.json"));
  const smsUrlOf = (number: string) =>
    t.twilio.sim.accounts.get(account.sid)!.numberSettings?.get(number)?.fields.SmsUrl;

  /** Texting set up: a Messaging Service with the team number as its sender and an approved A2P campaign. */
  async function texting() {
    const service = t.twilio.sim.addMessagingService(account.sid, { senders: [TEAM] });
    t.twilio.sim.setCampaign(service.sid, "VERIFIED");
    await t.app.deps.settings.save(t.ws, { messagingServiceSid: service.sid, textTeamName: "Acme Realty" }, ADMIN);
    return service;
  }

  async function textLead(leadId: number, body: string) {
    const before = t.slack.responses.length;
    const acked = (await (await t.command("/text", `#${leadId} ${body}`, AGENT)).json()) as { text: string };
    if (!acked.text.startsWith(":hourglass_flowing_sand:")) return acked.text;
    return String((await eventually(() => t.slack.responses.slice(before).at(-1)?.body, "late answer")).text);
  }

  async function consentedLead(name: string, phone: string) {
    const one = await lead(name, phone);
    for (const scope of ["texts", "prerecorded"])
      await t.app.deps.consents.record(
        t.ws,
        one,
        { scope, method: "web form", text: "I agree to texts and calls from Acme Realty." },
        "seed",
      );
    return one;
  }

  it("a pool number joins the Messaging Service's senders; a text goes out from the lead's caller ID and keeps it", async () => {
    const service = await texting();
    const added = await admin(`numbers add ${MIAMI_786}`);
    expect(added.text).toContain("It joined the texting Messaging Service's senders");
    expect(service.senders).toEqual([TEAM, MIAMI_786]);
    // The 305 number was added before texting was set up: it is no sender, so it never sends a text.
    const listed = JSON.stringify((await admin("numbers")).blocks);
    expect(listed).toContain("*+1 786 555 0100* (786, FL) · *in the pool* · sends texts");
    expect(listed).toContain("*+1 305 555 0100* (305, FL) · *in the pool* · not a texting sender");
    const jane = await consentedLead("Jane Doe", JANE);
    expect(await textLead(jane.id, "Are you free at 5?")).toContain("Texted *Jane Doe*");
    const params = messageCreates().at(-1)!.params;
    expect(params.get("From")).toBe(MIAMI_786);
    expect(params.get("MessagingServiceSid")).toBe(service.sid);
    const sent = await t.app.deps.db.text.findFirstOrThrow({ where: { leadId: jane.id } });
    expect(sent.teamNumber).toBe(MIAMI_786);
    expect(await t.app.deps.db.leadCallerId.findUnique({ where: { leadId: jane.id } })).toMatchObject({
      number: MIAMI_786,
    });
    // Texts do not count against the calls' daily cap.
    expect(await t.app.deps.db.numberDayCount.count({ where: { number: MIAMI_786 } })).toBe(0);
    // Her next call comes from the number she was texted from.
    const call = await t.app.deps.calls.placeCall({
      workspaceId: t.ws,
      leadId: jane.id,
      mode: "message",
      agent: { id: AGENT },
      target: { channel: CHANNEL },
    });
    expect(call.call).toMatchObject({ fromNumber: MIAMI_786, callerIdRule: "sticky" });
  });

  it("no pool number fits the lead: the text goes from the team number, and nothing sticks", async () => {
    await texting();
    await admin(`numbers add ${MIAMI_786}`);
    const sam = await consentedLead("Sam Chicago", "+13125557777");
    expect(await textLead(sam.id, "Hello")).toContain("Texted *Sam Chicago*");
    expect(messageCreates().at(-1)!.params.get("From")).toBe(TEAM);
    expect(await t.app.deps.db.leadCallerId.count()).toBe(0);
  });

  it("a number in another Messaging Service stays out of texts, and the admin is told how to fix it", async () => {
    await texting();
    t.twilio.sim.addMessagingService(account.sid, { friendlyName: "Other", senders: [MIAMI_786] });
    const added = await admin(`numbers add ${MIAMI_786}`);
    expect(added.text).toContain("is in the caller-ID pool");
    expect(added.text).toContain("It belongs to another Messaging Service, so texts do not come from it");
  });

  it("a lead who texts a pool number back reaches the lead's thread flow", async () => {
    expect(smsUrlOf(MIAMI_305)).toBe(`${PUBLIC}/twilio/sms/inbound?ws=${t.ws}`);
    const jane = await lead("Jane Doe", JANE);
    const url = new URL(smsUrlOf(MIAMI_305)!);
    const sid = `SM${"a".repeat(32)}`;
    const res = await t.signedTwilio(
      `${url.pathname}${url.search}`,
      { AccountSid: account.sid, MessageSid: sid, From: JANE, To: MIAMI_305, Body: "Call me at 5?" },
      account.token,
    );
    expect(res.status).toBe(200);
    expect(await t.app.deps.db.text.findUniqueOrThrow({ where: { twilioSid: sid } })).toMatchObject({
      direction: "inbound",
      leadId: jane.id,
      teamNumber: MIAMI_305,
    });
    await eventually(
      () => t.slack.callsTo("chat.postMessage").find((c) => JSON.stringify(c.args).includes("Call me at 5?")),
      "the text posted",
    );
  });
});

describe("calling back the number that called", () => {
  it("a lead without an owner who calls back the pool number reaches the agent who called them last", async () => {
    const jane = await lead("Jane Doe", JANE);
    const placed = await t.app.deps.calls.placeCall({
      workspaceId: t.ws,
      leadId: jane.id,
      mode: "live",
      agent: { id: AGENT },
      target: { channel: CHANNEL },
    });
    expect(placed.call).toMatchObject({ fromNumber: MIAMI_305, callerIdRule: "local" });
    await t.app.deps.db.call.update({
      where: { id: placed.call.id },
      data: { activeLeadId: null, status: "completed" },
    });
    const voiceUrl = new URL(t.twilio.sim.accounts.get(account.sid)!.voiceUrls!.get(MIAMI_305)!);
    const sid = `CA${"b".repeat(32)}`;
    const res = await t.signedTwilio(
      `${voiceUrl.pathname}${voiceUrl.search}`,
      { AccountSid: account.sid, CallSid: sid, From: JANE, To: MIAMI_305, Direction: "inbound" },
      account.token,
    );
    // The agent's own phone (set for them), not the team's default agent phone.
    expect(await res.text()).toContain(">+12125550142</Number></Dial>");
    expect(await t.app.deps.db.inboundCall.findUniqueOrThrow({ where: { twilioSid: sid } })).toMatchObject({
      toNumber: MIAMI_305,
      ringAgentId: AGENT,
      leadId: jane.id,
    });
  });
});
