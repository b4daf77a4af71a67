import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ids, setupFields } from "../../src/lib/ids.js";
import { CHANNEL, eventually, startTestApp, type TestApp } from "../helpers/app.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick, viewSubmission } from "../helpers/payloads.js";
import {
  addLead,
  agentPhoneOf,
  backgroundWorkDone,
  clearTwilioSettings,
  saveTwilioSettings,
  twilioSettings,
  writeAgentPhoneRow,
} from "./seams.js";

// Issue item 5: toll fraud through the agent's phone. Every number Leadline dials for an agent passes
// the same guard as a lead's: an allowed country, never premium rate; when saved and again when dialled.

const PUBLIC = "https://leadline.example.com";
const ADMIN = "U0ADMIN01";
const AGENT = "U0MARIA01";
const FROM = "+15005550006";
const CARD_TS = "1760000000.000100";

/** Typed as a person would, what it is, and the words the refusal must use. */
const DANGEROUS: [string, string, RegExp][] = [
  ["+1 900 555 0100", "+19005550100", /\+1 900 555 0100 is a premium-rate number; Leadline never calls those/],
  ["(900) 555-0100", "+19005550100", /premium-rate/],
  ["1-900-FLOWERS", "+19003569377", /premium-rate/],
  ["+44 909 879 0000", "+449098790000", /premium-rate/],
  ["+33 1 23 45 67 89", "+33123456789", /Calls to France are not enabled for this team/],
  ["+1 876 555 0100", "+18765550100", /Calls to Jamaica are not enabled for this team/],
];

let t: TestApp;
let account: FakeAccount;

beforeAll(async () => {
  // GB is allowed, so +44 909 is refused for being premium rate, not for its country.
  t = await startTestApp({
    env: { PUBLIC_BASE_URL: PUBLIC, ALLOWED_COUNTRIES: "US,CA,GB", ADMIN_SLACK_USER_IDS: ADMIN },
  });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  await backgroundWorkDone(t);
  t.twilio.requests.length = 0;
  t.slack.calls.length = 0;
  t.slack.responses.length = 0;
  await t.app.deps.db.call.deleteMany();
  await t.app.deps.db.lead.deleteMany();
  await t.app.deps.db.agentSetting.deleteMany();
  await t.app.deps.db.auditLog.deleteMany();
  await clearTwilioSettings(t);
  account = t.twilio.addAccount({ numbers: [FROM] });
});

const configure = (agentPhone = "+12125550199") =>
  saveTwilioSettings(t, { accountSid: account.sid, authToken: account.token, phoneNumber: FROM, agentPhone });

async function openView(command: string, text: string, user: string, title: RegExp) {
  const before = t.slack.callsTo("views.open").length;
  await t.command(command, text, user);
  const opened = await eventually(
    () =>
      t.slack
        .callsTo("views.open")
        .slice(before)
        .find((c) => title.test(JSON.stringify(c.args.view))),
    `${command} ${text} modal`,
  );
  return opened.args.view as Record<string, unknown>;
}

async function submit(view: Record<string, unknown>, user: string, values: Record<string, string>) {
  const res = await t.interact(viewSubmission(view, user, values));
  return (await res.json()) as { response_action: string; errors?: Record<string, string> };
}

describe("/call-lead settings", () => {
  it.each(DANGEROUS)("refuses %s inline and stores nothing", async (typed, _e164, refusal) => {
    const view = await openView("/call-lead", "settings", AGENT, /Your call settings/);
    const answer = await submit(view, AGENT, { agent_phone: typed });
    expect(answer.response_action).toBe("errors");
    expect(answer.errors?.agent_phone).toMatch(refusal);
    expect(await t.app.deps.db.agentSetting.count()).toBe(0);
    expect(await agentPhoneOf(t, AGENT)).toBeUndefined();
    expect(await t.app.deps.db.auditLog.count({ where: { action: "agent.phone_refused", actor: AGENT } })).toBe(1);
  });

  it("a refused number never replaces the phone already saved", async () => {
    const view = await openView("/call-lead", "settings", AGENT, /Your call settings/);
    expect((await submit(view, AGENT, { agent_phone: "(646) 555-0111" })).response_action).toBe("update");
    for (const [typed] of DANGEROUS) {
      const again = await openView("/call-lead", "settings", AGENT, /Your call settings/);
      expect((await submit(again, AGENT, { agent_phone: typed })).response_action).toBe("errors");
    }
    expect(await agentPhoneOf(t, AGENT)).toBe("+16465550111");
  });
});

describe("/twilio-setup", () => {
  it.each(DANGEROUS)(
    "refuses %s as the agent phone inline, before asking Twilio, and stores nothing",
    async (typed, _e164, refusal) => {
      const view = await openView("/twilio-setup", "", ADMIN, /setup_account_sid/);
      const answer = await submit(view, ADMIN, {
        [setupFields.accountSid]: account.sid,
        [setupFields.authToken]: account.token,
        [setupFields.phoneNumber]: FROM,
        [setupFields.agentPhone]: typed,
      });
      expect(answer.response_action).toBe("errors");
      expect(answer.errors?.[setupFields.agentPhone]).toMatch(refusal);
      expect(Object.keys(answer.errors ?? {})).toEqual([setupFields.agentPhone]);
      // No setting is stored; only the typed Auth Token is held (encrypted, expiring) for the next try.
      expect(await twilioSettings(t)).toEqual({});
      expect(await t.app.deps.db.secret.count({ where: { expiresAt: null } })).toBe(0);
      expect(t.twilio.requests).toHaveLength(0);
    },
  );

  it("a refused agent phone leaves the stored one as it was", async () => {
    await configure();
    const view = await openView("/twilio-setup", "", ADMIN, /setup_account_sid/);
    const answer = await submit(view, ADMIN, { [setupFields.agentPhone]: "+1 900 555 0100" });
    expect(answer.errors?.[setupFields.agentPhone]).toMatch(/premium-rate/);
    expect((await twilioSettings(t)).agentPhone).toBe("+12125550199");
  });
});

describe("a voice-bridge click", () => {
  const clickBridge = (leadId: number) =>
    t.interact(
      buttonClick({
        userId: AGENT,
        actionId: ids.call.bridgeAction,
        value: String(leadId),
        channel: CHANNEL,
        messageTs: CARD_TS,
        responseUrl: t.slack.responseUrl(),
      }),
    );

  it.each(DANGEROUS.filter(([typed]) => typed.startsWith("+")))(
    "never dials %s written straight into the agent's settings row",
    async (_typed, e164, refusal) => {
      await configure();
      await writeAgentPhoneRow(t, AGENT, e164);
      const jane = await addLead(t, "Jane Doe", "+12125550182");
      await clickBridge(jane.id);
      const told = await eventually(
        () => t.slack.responses.map((r) => String(r.body.text)).find((x) => x.includes("cannot be dialed")),
        "the clicker told why",
      );
      expect(told).toMatch(/The agent phone for this call cannot be dialed: /);
      expect(told).toMatch(refusal);
      expect(t.twilio.creates()).toHaveLength(0);
      expect(await t.app.deps.db.call.count()).toBe(0);
      expect(await t.app.deps.db.auditLog.count({ where: { action: "call.refused", actor: AGENT } })).toBe(1);
    },
  );

  it("never dials a premium team agent phone written straight into the settings", async () => {
    // settings.save stores what it is given: this is the stored value, not the modal's checked one.
    await configure("+19005550100");
    const jane = await addLead(t, "Jane Doe", "+12125550182");
    await clickBridge(jane.id);
    const told = await eventually(
      () => t.slack.responses.map((r) => String(r.body.text)).find((x) => x.includes("cannot be dialed")),
      "the clicker told why",
    );
    expect(told).toMatch(/premium-rate/);
    expect(t.twilio.creates()).toHaveLength(0);
    expect(await t.app.deps.db.call.count()).toBe(0);
  });

  it("the same row with a good number is dialled (the refusals above are about the number only)", async () => {
    await configure();
    await writeAgentPhoneRow(t, AGENT, "+16465550111");
    const jane = await addLead(t, "Jane Doe", "+12125550182");
    await clickBridge(jane.id);
    const create = await eventually(() => t.twilio.creates()[0], "the create");
    expect(create.params.get("Twiml")).toContain("<Number>+16465550111</Number>");
  });

  it("pressing 1 in a simple call never connects to a premium agent phone from the database", async () => {
    await configure();
    const jane = await addLead(t, "Jane Doe", "+12125550182");
    await t.interact(
      buttonClick({
        userId: AGENT,
        actionId: ids.call.messageAction,
        value: String(jane.id),
        channel: CHANNEL,
        messageTs: CARD_TS,
        responseUrl: t.slack.responseUrl(),
      }),
    );
    const call = await eventually(async () => {
      const row = await t.app.deps.db.call.findFirst({ where: { leadId: jane.id } });
      return row?.twilioSid ? row : undefined;
    }, "the call");
    await writeAgentPhoneRow(t, AGENT, "+19005550100");
    const res = await t.signedTwilio(
      `/twilio/voice/menu?call=${call.id}`,
      { CallSid: call.twilioSid!, AccountSid: account.sid, Digits: "1" },
      account.token,
    );
    const twiml = await res.text();
    expect(twiml).not.toContain("<Dial");
    expect(twiml).not.toContain("9005550100");
    expect(twiml).toContain("cannot be reached");
  });
});
