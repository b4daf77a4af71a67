import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { localDay } from "../../src/services/callerid/pick.js";
import {
  CALLING_TIME,
  CHANNEL,
  eventually,
  freshStart,
  settled,
  startTestApp,
  type TestApp,
  withConsent,
} from "../helpers/app.js";
import { sequence } from "../helpers/callbacks.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";

// Local caller ID: the pool of the account's numbers, driven through /twilio-setup numbers and card clicks.

const PUBLIC = "https://leadline.example.com";
const ADMIN = "U0ADMIN01";
const AGENT = "U0MARIA01";
const TEAM = "+15005550006";
const AGENT_PHONE = "+12125550199";
const MIAMI_305 = "+13055550100";
const MIAMI_786 = "+17865550100";
const NYC_212 = "+12125550100";
const CARD_TS = "1760000000.000100";
const WEEK_MS = 7 * 86_400_000;

let t: TestApp;
let account: FakeAccount;
let callingTime = CALLING_TIME;

const voiceUrl = () => `${PUBLIC}/twilio/voice/inbound?ws=${t.ws}`;
const simAccount = () => t.twilio.sim.accounts.get(account.sid)!;
const told = () => t.slack.responses.map((r) => String(r.body.text ?? ""));

async function miamiLead(name: string, phone: string, extra: { ownerSlackId?: string } = {}) {
  const lead = await t.app.deps.leads.create(t.ws, { name, phone, author: "seed", ...extra });
  return withConsent(t.app, t.ws, lead);
}

async function admin(text: string) {
  const before = t.slack.responses.length;
  const res = await t.command("/twilio-setup", text, ADMIN);
  expect(res.status).toBe(200);
  // The answer itself, not the "Working on it…" a slow (loaded) machine sends first.
  const body = await eventually(
    () =>
      t.slack.responses
        .slice(before)
        .map((r) => r.body)
        .find((b) => !String((b as { text?: string }).text).startsWith(":hourglass_flowing_sand: Working on it")),
    `answer to ${text}`,
  );
  return body;
}

/** Places a message call from the lead's card (Twilio asked `creates` times) and ends it busy; the call row as stored. */
async function callOnce(leadId: number, creates = 1) {
  const before = t.twilio.creates().length;
  await t.interact(
    buttonClick({
      userId: AGENT,
      actionId: ids.call.messageAction,
      value: String(leadId),
      channel: CHANNEL,
      messageTs: CARD_TS,
      responseUrl: t.slack.responseUrl(),
    }),
  );
  const call = await eventually(
    async () =>
      (await t.app.deps.db.call.findFirst({ where: { leadId, twilioSid: { not: null }, activeLeadId: leadId } })) ??
      undefined,
    "call placed",
  );
  expect(t.twilio.creates()).toHaveLength(before + creates);
  expect(t.twilio.creates().at(-1)!.params.get("From")).toBe(call.fromNumber);
  for (const params of sequence(
    { sid: call.twilioSid!, accountSid: account.sid, to: call.toNumber, from: call.fromNumber },
    "busy",
  ))
    await t.signedTwilio("/twilio/status", params, account.token);
  await eventually(
    async () => (await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).activeLeadId === null,
    "call over",
  );
  return call;
}

beforeAll(async () => {
  t = await startTestApp({
    env: { PUBLIC_BASE_URL: PUBLIC, ADMIN_SLACK_USER_IDS: ADMIN },
    callingClock: () => callingTime,
  });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  callingTime = CALLING_TIME;
  const db = t.app.deps.db;
  await db.numberDayCount.deleteMany();
  await db.poolNumber.deleteMany();
  await db.callerIdSetting.deleteMany();
  account = await freshStart(t, {
    tables: ["inboundCall", "call", "note", "consent", "lead", "dncEntry", "auditLog"],
    from: TEAM,
    agentPhone: AGENT_PHONE,
    admin: ADMIN,
  });
  await t.app.deps.agentPhones.set(t.ws, AGENT, "+12125550142");
  for (const number of [MIAMI_305, NYC_212]) t.twilio.sim.addNumber(account.sid, number);
});

describe("the caller-ID pool", () => {
  it("an admin adds a number: its Voice URL points at Leadline, and /twilio-setup numbers lists it", async () => {
    const added = await admin(`numbers add (305) 555-0100`);
    expect(added.text).toContain("+1 305 555 0100 is in the caller-ID pool");
    expect(simAccount().voiceUrls?.get(MIAMI_305)).toBe(voiceUrl());
    const listed = await admin("numbers");
    expect(listed.text).toBe("3 numbers on the Twilio account, 1 in the caller-ID pool (cap 75 calls a day each).");
    const blocks = JSON.stringify(listed.blocks);
    expect(blocks).toContain("*+1 305 555 0100* (305, FL) · *in the pool*");
    expect(blocks).toContain("Today 0/75 · this week 0 (no calls) · call-backs reach Leadline");
    expect(blocks).toContain("SHAKEN/STIR: missing: calls go out unverified");
    expect(await t.app.deps.db.auditLog.findFirst({ where: { action: "callerid.number_added" } })).not.toBeNull();
  });

  it("refuses a number that is not the account's, and a non-admin", async () => {
    const refused = await admin("numbers add +13055550199");
    expect(refused.text).toContain("+13055550199 is not a voice number of this Twilio account");
    expect(await t.app.deps.db.poolNumber.count({ where: { inPool: true } })).toBe(0);
    const before = t.slack.responses.length;
    await t.command("/twilio-setup", `numbers add ${MIAMI_305}`, AGENT);
    const answer = await eventually(() => t.slack.responses.slice(before).at(-1)?.body, "refusal");
    expect(String(answer.text)).toMatch(/Only Leadline admins/);
    expect(simAccount().voiceUrls?.get(MIAMI_305)).toBeUndefined();
    const usage = await t.command("/twilio-setup", "numbers cap lots", ADMIN);
    expect(((await usage.json()) as { text: string }).text).toMatch(/^The cap is a whole number of calls\. Usage:/);
  });

  it("reads SHAKEN/STIR and CNAM from Trust Hub", async () => {
    t.twilio.sim.addTrustProduct(account.sid, {
      policy: "shakenStir",
      status: "twilio-approved",
      phoneNumbers: [MIAMI_305],
    });
    t.twilio.sim.addTrustProduct(account.sid, { policy: "cnam", status: "in-review", phoneNumbers: [MIAMI_305] });
    await admin(`numbers add ${MIAMI_305}`);
    const blocks = JSON.stringify((await admin("numbers")).blocks);
    expect(blocks).toContain("SHAKEN/STIR: approved (calls signed A: verified caller)\\nCNAM: in Twilio's review");
    expect(blocks).toMatch(/\+1 212 555 0100.*SHAKEN\/STIR: missing.*CNAM: missing: leads see a bare number/);
  });
});

describe("picking the caller ID on a call", () => {
  it("a Miami lead is called from the 305 number, and from it again next week after a 786 number joins", async () => {
    await admin(`numbers add ${MIAMI_305}`);
    const jane = await miamiLead("Jane Doe", "+13055551234");
    const first = await callOnce(jane.id);
    expect(first).toMatchObject({ fromNumber: MIAMI_305, callerIdRule: "local" });
    const line = await eventually(
      () => t.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes("Jane Doe")),
      "call line",
    );
    expect(String(line.args.text)).toContain("from +1 305 555 0100, local ·");

    t.twilio.sim.addNumber(account.sid, MIAMI_786);
    await admin(`numbers add ${MIAMI_786}`);
    callingTime = new Date(CALLING_TIME.getTime() + WEEK_MS);
    const again = await callOnce(jane.id);
    expect(again).toMatchObject({ fromNumber: MIAMI_305, callerIdRule: "sticky" });
    // A new Miami lead with a 786 number gets the 786 number: its own area code.
    const joe = await miamiLead("Joe Roe", "+17865554321");
    expect(await callOnce(joe.id)).toMatchObject({ fromNumber: MIAMI_786, callerIdRule: "local" });
  });

  it("the 76th call of the day on a number moves to the next best; the next day it is back", async () => {
    await admin(`numbers add ${MIAMI_305}`);
    t.twilio.sim.addNumber(account.sid, MIAMI_786);
    await admin(`numbers add ${MIAMI_786}`);
    const day = localDay("America/New_York", CALLING_TIME);
    await t.app.deps.db.numberDayCount.create({ data: { workspaceId: t.ws, number: MIAMI_305, day, count: 74 } });
    const a = await miamiLead("Lead A", "+13055551001");
    expect(await callOnce(a.id)).toMatchObject({ fromNumber: MIAMI_305, callerIdRule: "local" });
    const b = await miamiLead("Lead B", "+13055551002");
    expect(await callOnce(b.id)).toMatchObject({ fromNumber: MIAMI_786, callerIdRule: "state" });
    // Lead A's sticky number is full too: the same next best.
    expect(await callOnce(a.id)).toMatchObject({ fromNumber: MIAMI_786 });
    const counts = await t.app.deps.db.numberDayCount.findMany({ where: { day }, orderBy: { number: "asc" } });
    expect(counts.map((c) => [c.number, c.count])).toEqual([
      [MIAMI_305, 75],
      [MIAMI_786, 2],
    ]);
    const listed = JSON.stringify((await admin("numbers")).blocks);
    expect(listed).toContain("Today 75/75 · this week 1 (0% answered)");
    // The next day in Miami: the 305 number is back.
    callingTime = new Date(CALLING_TIME.getTime() + 86_400_000);
    const c = await miamiLead("Lead C", "+13055551003");
    expect(await callOnce(c.id)).toMatchObject({ fromNumber: MIAMI_305, callerIdRule: "local" });
  });

  it("a lead with no local or in-state number is called from the team number, and the line says so", async () => {
    await admin(`numbers add ${MIAMI_305}`);
    const sam = await miamiLead("Sam Chicago", "+13125557777");
    expect(await callOnce(sam.id)).toMatchObject({ fromNumber: TEAM, callerIdRule: "team" });
  });
});

describe("faults", () => {
  it("a pool number released in Twilio: the call falls back, the number leaves the pool, the admins are told", async () => {
    await admin(`numbers add ${MIAMI_305}`);
    t.twilio.sim.releaseNumber(account.sid, MIAMI_305);
    const jane = await miamiLead("Jane Doe", "+13055551234");
    const call = await callOnce(jane.id, 2);
    expect(call).toMatchObject({ fromNumber: TEAM, callerIdRule: "team" });
    const froms = t.twilio.creates().map((c) => c.params.get("From"));
    expect(froms).toEqual([MIAMI_305, TEAM]);
    expect(await t.app.deps.db.poolNumber.findFirst({ where: { number: MIAMI_305 } })).toMatchObject({
      inPool: false,
      releasedAt: expect.any(Date),
    });
    const notice = await eventually(
      () => t.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes("was released in Twilio")),
      "admins told",
    );
    expect(notice.args.channel).toBe(CHANNEL);
    expect(String(notice.args.text)).toContain("+1 305 555 0100 was released in Twilio");
  });

  it("a number whose Voice URL no longer reaches Leadline is dropped until it is added again", async () => {
    await admin(`numbers add ${MIAMI_305}`);
    const sid = (await t.app.deps.db.poolNumber.findFirstOrThrow({ where: { number: MIAMI_305 } })).twilioSid;
    // Someone points the number elsewhere in Twilio's Console.
    simAccount().voiceUrls!.set(MIAMI_305, "https://elsewhere.example.com/voice");
    expect(JSON.stringify((await admin("numbers")).blocks)).toContain(":warning: call-backs do not reach Leadline");
    await eventually(
      () => t.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes("no longer reach Leadline")),
      "admins told",
    );
    const jane = await miamiLead("Jane Doe", "+13055551234");
    expect(await callOnce(jane.id)).toMatchObject({ fromNumber: TEAM, callerIdRule: "team" });
    await admin(`numbers add ${MIAMI_305}`);
    expect(simAccount().voiceUrls?.get(MIAMI_305)).toBe(voiceUrl());
    expect((await t.app.deps.db.poolNumber.findFirstOrThrow({ where: { twilioSid: sid } })).routesInbound).toBe(true);
    const joe = await miamiLead("Joe Doe", "+13055554321");
    expect(await callOnce(joe.id)).toMatchObject({ fromNumber: MIAMI_305, callerIdRule: "local" });
  });

  it("the background refresh finds a number released in Twilio's Console and tells the admins once", async () => {
    await admin(`numbers add ${MIAMI_305}`);
    await admin(`numbers add ${NYC_212}`);
    t.twilio.sim.releaseNumber(account.sid, MIAMI_305);
    simAccount().voiceUrls!.set(NYC_212, "https://elsewhere.example.com/voice");
    expect(await t.app.deps.callerIdPool.refreshAll(callingTime)).toEqual({ failed: 0 });
    expect(await t.app.deps.callerIdPool.refreshAll(callingTime)).toEqual({ failed: 0 });
    await settled(t);
    const notices = t.slack
      .callsTo("chat.postMessage")
      .map((c) => String(c.args.text))
      .filter((text) => text.startsWith(":warning: Admins:"));
    expect(notices).toHaveLength(2);
    expect(notices.join("\n")).toContain("+1 305 555 0100 was released in Twilio");
    expect(notices.join("\n")).toContain("calls to +1 212 555 0100 no longer reach Leadline");
    const rows = await t.app.deps.db.poolNumber.findMany({ orderBy: { number: "asc" } });
    expect(rows.map((r) => [r.number, r.inPool, r.routesInbound, r.releasedAt !== null])).toEqual([
      [NYC_212, true, false, false],
      [MIAMI_305, false, true, true],
      [TEAM, false, false, false],
    ]);
  });

  it("a pool of one: every lead it suits gets it, the rest the team number", async () => {
    await admin(`numbers add ${MIAMI_305}`);
    await admin("numbers cap 1");
    const a = await miamiLead("Lead A", "+13055551001");
    const b = await miamiLead("Lead B", "+13055551002");
    expect(await callOnce(a.id)).toMatchObject({ fromNumber: MIAMI_305 });
    expect(await callOnce(b.id)).toMatchObject({ fromNumber: TEAM, callerIdRule: "team" });
  });
});

describe("calling back a pool number", () => {
  it("every pool number's inbound calls reach the lead's owner", async () => {
    await admin(`numbers add ${MIAMI_305}`);
    await admin(`numbers add ${NYC_212}`);
    const owner = "U0OWNER01";
    const ownerPhone = "+12125550177";
    await t.app.deps.agentPhones.set(t.ws, owner, ownerPhone);
    const jane = await miamiLead("Jane Doe", "+13055551234", { ownerSlackId: owner });
    let n = 0;
    for (const number of [MIAMI_305, NYC_212]) {
      // Twilio posts the number's Voice URL, signed, with To = the number that was called.
      const url = new URL(simAccount().voiceUrls!.get(number)!);
      expect(url.origin).toBe(PUBLIC);
      const sid = `CA${String(++n).padStart(32, "c")}`;
      const res = await t.signedTwilio(
        `${url.pathname}${url.search}`,
        { AccountSid: account.sid, CallSid: sid, From: jane.phone!, To: number, Direction: "inbound" },
        account.token,
      );
      expect(await res.text()).toContain(`>${ownerPhone}</Number></Dial>`);
      expect(await t.app.deps.db.inboundCall.findUniqueOrThrow({ where: { twilioSid: sid } })).toMatchObject({
        toNumber: number,
        ringAgentId: owner,
        leadId: jane.id,
      });
    }
    expect(told()).toEqual(expect.arrayContaining([expect.stringContaining("is in the caller-ID pool")]));
  });
});
