import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { CHANNEL, eventually, SIGNING_SECRET, settled, startTestApp, type TestApp } from "../helpers/app.js";
import { forCall, reference } from "../helpers/callbacks.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";
import { addLead, backgroundWorkDone, isDoNotCall, saveTwilioSettings, writeDoNotCall } from "./seams.js";

// Issue item 2 (a signed JSON `null`) and item 8 (timestamps, replays, the key-press menu, escaping,
// search input), through the real app on a free port, signed as Slack and Twilio sign.

const PUBLIC = "https://leadline.example.com";
const AGENT = "U0MARIA01";
const FROM = "+15005550006";
const CARD_TS = "1760000000.000100";

let t: TestApp;
let account: FakeAccount;

beforeAll(async () => {
  t = await startTestApp({ env: { PUBLIC_BASE_URL: PUBLIC } });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  await backgroundWorkDone(t);
  t.twilio.requests.length = 0;
  t.slack.calls.length = 0;
  t.slack.responses.length = 0;
  t.logs.length = 0;
  await t.app.deps.db.call.deleteMany();
  await t.app.deps.db.note.deleteMany();
  await t.app.deps.db.lead.deleteMany();
  await t.app.deps.db.auditLog.deleteMany();
  await t.app.deps.db.agentSetting.deleteMany();
  await t.app.deps.db.dncEntry.deleteMany();
  account = t.twilio.addAccount({ numbers: [FROM] });
  await saveTwilioSettings(t, {
    accountSid: account.sid,
    authToken: account.token,
    phoneNumber: FROM,
    agentPhone: "+12125550199",
  });
  t.slack.calls.length = 0;
});

/** Slack's v0 signature over any timestamp text, so a bad timestamp is the only thing wrong. */
const sign = (timestamp: string, body: string) =>
  `v0=${createHmac("sha256", SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
const now = () => Math.floor(Date.now() / 1000);

function signedPost(body: string, contentType: string, timestamp = String(now())) {
  return t.post("/slack/events", body, {
    "content-type": contentType,
    "x-slack-request-timestamp": timestamp,
    "x-slack-signature": sign(timestamp, body),
  });
}

const clickPayload = (leadId: number, action: string = ids.call.messageAction) =>
  buttonClick({
    userId: AGENT,
    actionId: action,
    value: String(leadId),
    channel: CHANNEL,
    messageTs: CARD_TS,
    responseUrl: t.slack.responseUrl(),
  });
const click = (leadId: number, action?: string) => t.interact(clickPayload(leadId, action));

/** What the clicker was told, through the click's response_url. */
const told = () => t.slack.responses.map((r) => JSON.stringify(r.body));
const slackCallsBesidesAuth = () => t.slack.calls.filter((c) => c.method !== "auth.test");
const lead = (name: string, phone?: string) => addLead(t, name, phone);
const settle = () => settled(t);

async function placed(leadId: number) {
  return eventually(async () => {
    const row = await t.app.deps.db.call.findFirst({ where: { leadId } });
    return row?.twilioSid ? row : undefined;
  }, "the call placed");
}

describe("signed bodies that are not objects", () => {
  it.each([
    ["form payload=null", "payload=null", "application/x-www-form-urlencoded"],
    ["JSON null", "null", "application/json"],
    ["form payload=[]", `payload=${encodeURIComponent("[]")}`, "application/x-www-form-urlencoded"],
    ["form payload=1", "payload=1", "application/x-www-form-urlencoded"],
    ['form payload="x"', `payload=${encodeURIComponent('"x"')}`, "application/x-www-form-urlencoded"],
    ["form payload={ (invalid)", `payload=${encodeURIComponent("{")}`, "application/x-www-form-urlencoded"],
    ["a JSON array", '[{"type":"block_actions"}]', "application/json"],
    ["a JSON string", '"block_actions"', "application/json"],
    ["JSON false", "false", "application/json"],
  ])("%s gets a 400 and changes nothing", async (_name, body, type) => {
    const res = await signedPost(body, type);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_body" });
    await settle();
    expect(slackCallsBesidesAuth()).toEqual([]);
    expect(await t.app.deps.db.auditLog.count({ where: { actor: { not: "U0ADMIN01" } } })).toBe(0);
    expect(t.logs.join("")).not.toMatch(/"level":50/);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});

describe("signed objects without the fields Slack always sends", () => {
  // Slack's interactive payloads always carry a user and a team, and an event_callback an event
  // object. Signed bodies without them are refused like a JSON null, not failed inside Bolt.
  it.each([
    ['{"type":"block_actions","actions":[{"action_id":"call_simple","value":"1"}]}'],
    ['{"type":"view_submission","view":{"callback_id":"lead_note"}}'],
    ['{"type":"shortcut"}'],
    ['{"type":"event_callback","event":0}'],
  ])("%s gets a 400, not a 500, and changes nothing", async (payload) => {
    const res = await signedPost(new URLSearchParams({ payload }).toString(), "application/x-www-form-urlencoded");
    expect(res.status).toBe(400);
    // Saying what is missing, so whoever sent it can tell.
    expect(await res.json()).toMatchObject({
      error: "invalid_body",
      message: expect.stringMatching(/^Not a payload Slack sends: a \w+ payload needs (user|view|event)/),
    });
    await settle();
    expect(slackCallsBesidesAuth()).toEqual([]);
    expect(await t.app.deps.db.call.count()).toBe(0);
    expect(t.logs.join("")).not.toMatch(/"level":50/);
  });
});

describe("Slack request timestamps", () => {
  it.each([
    ["ten minutes ahead", () => String(now() + 600)],
    ["a year ahead", () => String(now() + 365 * 86_400)],
    ["ten minutes old", () => String(now() - 600)],
    ["Infinity", () => "Infinity"],
    ["-Infinity", () => "-Infinity"],
    ["negative", () => String(-now())],
    ["-1", () => "-1"],
    ["zero", () => "0"],
    ["non-numeric", () => "abc"],
    ["now in exponent form", () => `${(now() / 1e9).toFixed(9)}e9`],
    ["now with a fraction", () => `${now()}.5`],
    ["now in hex", () => `0x${now().toString(16)}`],
    ["now with a leading space", () => ` ${now()}`],
    ["NaN", () => "NaN"],
    ["empty", () => ""],
  ])("%s is refused with 401 and nothing happens", async (_name, timestamp) => {
    const jane = await lead("Jane Doe", "+12125550182");
    const body = new URLSearchParams({ payload: JSON.stringify(clickPayload(jane.id)) }).toString();
    const res = await signedPost(body, "application/x-www-form-urlencoded", timestamp());
    expect(res.status).toBe(401);
    await settle();
    expect(t.twilio.creates()).toHaveLength(0);
    expect(await t.app.deps.db.call.count()).toBe(0);
    expect(slackCallsBesidesAuth()).toEqual([]);
    expect(t.slack.responses).toEqual([]);
  });

  it("the same click signed with now is taken (the refusals above are about the timestamp only)", async () => {
    const jane = await lead("Jane Doe", "+12125550182");
    const body = new URLSearchParams({ payload: JSON.stringify(clickPayload(jane.id)) }).toString();
    expect((await signedPost(body, "application/x-www-form-urlencoded")).status).toBe(200);
    await placed(jane.id);
    expect(t.twilio.creates()).toHaveLength(1);
  });
});

describe("a replayed Call click", () => {
  it("places at most one call, ever: at once, concurrently, and after the first call ended", async () => {
    const jane = await lead("Jane Doe", "+12125550182");
    const body = new URLSearchParams({ payload: JSON.stringify(clickPayload(jane.id)) }).toString();
    const timestamp = String(now());
    const headers = {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": sign(timestamp, body),
    };
    const replay = () => t.post("/slack/events", body, headers);
    // The click and four copies of it at once (a retry storm), then five more once the call is placed.
    const first = await Promise.all(Array.from({ length: 5 }, replay));
    expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const call = await placed(jane.id);
    await eventually(() => told().length === 4, "four copies refused");
    expect(
      told().every((x) => /This click already placed a call to Jane Doe|Already calling \*Jane Doe\*/.test(x)),
    ).toBe(true);
    const answers = await Promise.all(Array.from({ length: 5 }, replay));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await eventually(
      () => told().filter((x) => x.includes("This click already placed a call to Jane Doe")).length >= 5,
      "five replays refused",
    );
    await eventually(() => told().length === 9, "every copy answered");
    expect(t.twilio.creates()).toHaveLength(1);

    // The call ends: the lead is free for a new click, but never for this one again.
    const ref = { sid: call.twilioSid!, accountSid: account.sid, to: call.toNumber, from: call.fromNumber };
    expect((await t.signedTwilio("/twilio/status", forCall(reference.completedHuman, ref), account.token)).status).toBe(
      204,
    );
    await eventually(
      async () => (await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).activeLeadId === null,
      "the call to end",
    );
    expect((await replay()).status).toBe(200);
    await eventually(() => told().length === 10, "the replay after the end refused");
    expect(t.twilio.creates()).toHaveLength(1);
    expect(await t.app.deps.db.call.count()).toBe(1);
    expect(told().at(-1)).toContain("nothing was dialed again");
  });
});

describe("the key-press menu webhook", () => {
  const menu = (query: string, params: Record<string, string>) =>
    t.signedTwilio(
      query ? `/twilio/voice/menu?${query}` : "/twilio/voice/menu",
      { AccountSid: account.sid, ...params },
      account.token,
    );

  it("digit 9 on a voice-bridge call (which never played a menu) does not mark do-not-call", async () => {
    const jane = await lead("Jane Doe", "+12125550182");
    await click(jane.id, ids.call.bridgeAction);
    const call = await placed(jane.id);
    expect(call.mode).toBe("bridge");
    for (const digits of ["9", "1"]) {
      const res = await menu(`call=${call.id}`, { CallSid: call.twilioSid!, Digits: digits });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/xml/);
      const twiml = await res.text();
      expect(twiml).toContain("<Hangup/>");
      expect(twiml).not.toContain("You will not receive any more calls");
      expect(twiml).not.toContain("<Dial");
    }
    await settle();
    expect(await isDoNotCall(t, jane.id)).toBe(false);
    expect(await t.app.deps.db.callFact.count()).toBe(0);
    expect(await t.app.deps.db.auditLog.count({ where: { action: "lead.opted_out" } })).toBe(0);
    const notes = await t.app.deps.db.note.findMany({ where: { leadId: jane.id } });
    expect(notes.map((n) => n.body).filter((b) => b.startsWith("[Opt-out]") || b.startsWith("[Menu]"))).toEqual([]);
  });

  it("digit 9 with another call's SID does not mark do-not-call either", async () => {
    // Webhooks are verified with the token of the workspace of the call they name, so the other SID
    // is a real call's (one Leadline knows), just not the call in the URL.
    const jane = await lead("Jane Doe", "+12125550182");
    const bob = await lead("Bob Roe", "+12125550183");
    await click(jane.id);
    await click(bob.id);
    const call = await placed(jane.id);
    const other = await placed(bob.id);
    const res = await menu(`call=${call.id}`, { CallSid: other.twilioSid!, Digits: "9" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<Hangup/>");
    await settle();
    expect(await isDoNotCall(t, jane.id)).toBe(false);
    expect(await isDoNotCall(t, bob.id)).toBe(false);
    expect(await t.app.deps.db.dncEntry.count()).toBe(0);
  });

  it("a menu press naming a call Leadline does not know is refused like a forged one, not an error", async () => {
    const res = await menu(`call=1`, { CallSid: `CA${"0".repeat(32)}`, Digits: "9" });
    expect(res.status).toBe(403);
    expect(await t.app.deps.db.dncEntry.count()).toBe(0);
    expect(t.logs.join("")).not.toMatch(/"level":50/);
  });

  it.each(["call=abc", "call=", "call=-1", "call=1e3", "call=99999999999", "call=%zz", "", "call=1&call=2"])(
    "?%s (signed) gets a polite TwiML goodbye, not an error",
    async (query) => {
      // Signed for a real call (a voice bridge, whose calls take no key presses), so the webhook is
      // verified and only the query is wrong.
      const jane = await lead("Jane Doe", "+12125550182");
      await click(jane.id, ids.call.bridgeAction);
      const call = await placed(jane.id);
      const res = await menu(query, { CallSid: call.twilioSid!, Digits: "9" });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/xml/);
      const twiml = await res.text();
      expect(twiml).toMatch(/^<\?xml[^>]*><Response><Say>[^<]*Goodbye\.<\/Say><Hangup\/><\/Response>$/);
      expect(await isDoNotCall(t, jane.id)).toBe(false);
      expect(t.logs.join("")).not.toMatch(/"level":50/);
    },
  );
});

describe("lead names in private replies are text, never markup", () => {
  const NAMES = ["<https://evil.example|Click here>", "<!channel>", "<@U0VICTIM1> & <!here|here>"];
  const raw = /<https:\/\/evil|<!channel>|<!here|<@U0VICTIM1>/;

  it.each(NAMES)("%s in the Already calling, do-not-call and no-phone replies", async (name) => {
    const first = await lead(name, "+12125550182");
    await click(first.id);
    await placed(first.id);
    await click(first.id);
    await eventually(() => told().some((x) => x.includes("Already calling")), "Already calling");
    const dnc = await lead(name, "+12125550183");
    await writeDoNotCall(t, dnc.id);
    await click(dnc.id);
    await eventually(() => told().some((x) => x.includes("do-not-call")), "the do-not-call refusal");
    const nophone = await lead(name);
    await click(nophone.id);
    await eventually(() => told().some((x) => x.includes("has no phone number")), "the no-phone refusal");
    const replies = t.slack.responses.map((r) => r.body);
    expect(replies).toHaveLength(3);
    for (const reply of replies) {
      const shown = `${reply.text} ${JSON.stringify(reply.blocks ?? [])}`;
      expect(shown).not.toMatch(raw);
      expect(shown).toContain("&lt;");
    }
    expect(String(replies[0]!.text)).toContain(
      `Already calling *${name.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}*`,
    );
    // The search answer shows the same names as text too.
    const search = JSON.stringify(await (await t.command("/lead", name.slice(1, 6))).json());
    expect(search).not.toMatch(raw);
  });
});

describe("search input", () => {
  it("a NUL inside a search word does not error", async () => {
    await lead("Jane Doe", "+12125550182");
    for (const command of ["/lead", "/call-lead"]) {
      const res = await t.command(command, "ja\u0000ne");
      expect(res.status).toBe(200);
      const body = JSON.stringify(await res.json());
      expect(body).toContain("Jane Doe");
      expect(body).not.toContain("Something went wrong");
    }
    expect(t.logs.join("")).not.toContain("a command failed");
  });

  it("an emoji and one letter find the lead whose name starts with them", async () => {
    await lead("🏠a Anna", "+12125550182");
    await lead("Anna Smith", "+12125550183");
    for (const query of ["🏠a", "anna 🏠a", "🏠"]) {
      const body = JSON.stringify(await (await t.command("/lead", query)).json());
      expect(body, query).toContain("🏠a Anna");
      expect(body, query).not.toContain("Anna Smith");
    }
    expect(t.logs.join("")).not.toContain("a command failed");
  });
});
