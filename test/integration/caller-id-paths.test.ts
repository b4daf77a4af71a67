import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queueSettingsSchema } from "../../src/services/queues/queue-filter.js";
import { CALLING_TIME, CHANNEL, eventually, freshStart, settled, startTestApp, type TestApp } from "../helpers/app.js";
import { type FakeAccount, fakeSid } from "../helpers/fake-twilio.js";

// Every path that reaches a lead takes its caller ID from the same pool choice and stores it: the
// call queue, a scheduled call, a browser call (a click and /call-lead are in caller-id.test.ts).

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
    tables: ["scheduledCall", "call", "note", "consent", "lead", "dncEntry", "auditLog"],
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
