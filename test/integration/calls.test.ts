import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { CHANNEL, eventually, startTestApp, type TestApp, withConsent } from "../helpers/app.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";

const AGENT = "U0MARIA01";
const OTHER = "U0SAM0001";
const FROM = "+15005550006";
const CARD_TS = "1760000000.000100";

let t: TestApp;
let account: FakeAccount;

async function configureTwilio(extra: Record<string, string> = {}) {
  await t.app.deps.settings.save(
    t.ws,
    {
      accountSid: account.sid,
      authToken: account.token,
      phoneNumber: FROM,
      agentPhone: "+12125550199",
      callMessage: "Hello, this is a call from your real estate agent. They will be with you shortly.",
      ...extra,
    },
    "U0ADMIN01",
  );
}

async function lead(name: string, phone: string | undefined, extra: { doNotCall?: boolean; state?: string } = {}) {
  const created = await t.app.deps.leads.create(t.ws, { name, phone, state: extra.state, author: "seed" });
  if (phone) await withConsent(t.app, t.ws, created);
  if (extra.doNotCall && created.phone) await t.app.deps.dnc.add(t.ws, created.phone, "command", "seed");
  return created;
}

function click(
  leadId: number,
  action: string = ids.call.messageAction,
  user = AGENT,
  opts: { channel?: string; ephemeral?: boolean } = {},
) {
  return t.interact(
    buttonClick({
      userId: user,
      actionId: action,
      value: String(leadId),
      channel: opts.channel ?? CHANNEL,
      messageTs: CARD_TS,
      responseUrl: t.slack.responseUrl(),
      ephemeral: opts.ephemeral,
    }),
  );
}

/** What the clicker was told (through the click's response_url). */
const toldTexts = () => t.slack.responses.map((r) => String(r.body.text ?? ""));
const twiml = (i = -1) => t.twilio.creates().at(i)!.params.get("Twiml")!;

beforeAll(async () => {
  t = await startTestApp({ twilioTimeoutMs: 15_000 });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  t.twilio.requests.length = 0;
  t.slack.responses.length = 0;
  t.slack.calls.length = 0;
  t.twilio.delays.clear();
  t.twilio.holds.clear();
  await t.app.deps.db.call.deleteMany();
  await t.app.deps.db.note.deleteMany();
  await t.app.deps.db.lead.deleteMany();
  await t.app.deps.db.agentSetting.deleteMany();
  await t.app.deps.db.dncEntry.deleteMany();
  await t.app.deps.settings.clear(t.ws, "test");
  account = t.twilio.addAccount({ numbers: [FROM] });
});

describe("placing a call from a lead card", () => {
  it("outbound (simple): exact parameters and TwiML, the channel line in the card's thread, and the note", async () => {
    await configureTwilio();
    const jane = await lead("Jane Doe", "(212) 555-0182");
    const res = await click(jane.id);
    expect(res.status).toBe(200);
    const post = await eventually(() => t.slack.callsTo("chat.postMessage").at(-1), "channel line");
    const create = t.twilio.creates();
    expect(create).toHaveLength(1);
    expect(create[0]!.path).toBe(`/2010-04-01/Accounts/${account.sid}/Calls.json`);
    expect(Object.fromEntries(create[0]!.params)).toEqual({
      To: "+12125550182",
      From: FROM,
      Twiml:
        '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello, this is a call from your real estate agent. They will be with you shortly.</Say><Pause length="2"/><Say>Please hold.</Say></Response>',
    });

    const call = await t.app.deps.db.call.findFirstOrThrow();
    expect(call.twilioSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call.status).toBe("queued");
    expect(call.activeLeadId).toBe(jane.id);
    expect(post.args.channel).toBe(CHANNEL);
    expect(post.args.thread_ts).toBe(CARD_TS);
    expect(String(post.args.text)).toBe(
      `:telephone_receiver: <@${AGENT}> is calling *Jane Doe* (+1 ••• ••• 0182) from +1 500 555 0006, the team number · Message call · queued`,
    );
    expect(JSON.stringify(post.args.blocks)).toContain(`Call SID ${call.twilioSid} · lead #${jane.id}`);
    const note = await t.app.deps.db.note.findFirstOrThrow({ where: { leadId: jane.id } });
    expect(note.body).toMatch(
      new RegExp(
        `^\\[Outbound Call\\] Initiated from \\+15005550006 to \\+12125550182 - Call SID: ${call.twilioSid} - \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`,
      ),
    );
    const slackTs = await eventually(async () => (await t.app.deps.db.call.findFirst())?.slackTs, "slack ts");
    expect(t.slack.messages.get(`${CHANNEL}:${slackTs}`)?.text).toBe(post.args.text);
    expect((await t.app.deps.db.lead.findUniqueOrThrow({ where: { id: jane.id } })).lastContactedAt).not.toBeNull();
  });

  it("voice bridge: the message, then Dial to the agent's own phone with the Twilio number as caller ID", async () => {
    await configureTwilio();
    await t.app.deps.agentPhones.set(t.ws, AGENT, "646 555 0111");
    const jane = await lead("Jane Doe", "+12125550182");
    await click(jane.id, ids.call.bridgeAction);
    await eventually(() => t.slack.callsTo("chat.postMessage").at(-1), "channel line");
    expect(twiml()).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello, this is a call from your real estate agent. They will be with you shortly.</Say><Dial callerId="${FROM}" timeout="30"><Number>+16465550111</Number></Dial></Response>`,
    );
    expect(String(t.slack.callsTo("chat.postMessage").at(-1)!.args.text)).toContain("· Voice bridge ·");
  });

  it("voice bridge falls back to the admin's agent phone", async () => {
    await configureTwilio();
    const jane = await lead("Jane Doe", "+12125550182");
    await click(jane.id, ids.call.bridgeAction, OTHER);
    await eventually(() => t.twilio.creates().length === 1, "create");
    expect(twiml()).toContain("<Number>+12125550199</Number>");
  });

  it("with PUBLIC_BASE_URL, asks Twilio for status callbacks on every event", async () => {
    const withUrl = await startTestApp({ env: { PUBLIC_BASE_URL: "https://leadline.example.com" }, twilio: t.twilio });
    try {
      await withUrl.app.deps.settings.save(
        withUrl.ws,
        { accountSid: account.sid, authToken: account.token, phoneNumber: FROM },
        "U0ADMIN01",
      );
      const jane = await withConsent(
        withUrl.app,
        withUrl.ws,
        await withUrl.app.deps.leads.create(withUrl.ws, { name: "Jane Doe", phone: "+12125550182", author: "seed" }),
      );
      await withUrl.interact(
        buttonClick({
          userId: AGENT,
          actionId: ids.call.messageAction,
          value: String(jane.id),
          channel: CHANNEL,
          messageTs: CARD_TS,
          responseUrl: withUrl.slack.responseUrl(),
        }),
      );
      await eventually(() => withUrl.slack.callsTo("chat.postMessage").at(-1), "channel line");
      const params = t.twilio.creates().at(-1)!.params;
      // The callback URL names the call and its workspace (signed with them): an early callback verifies.
      expect(params.get("StatusCallback")).toMatch(
        /^https:\/\/leadline\.example\.com\/twilio\/status\?call=\d+&ws=\d+$/,
      );
      expect(params.getAll("StatusCallbackEvent")).toEqual(["initiated", "ringing", "answered", "completed"]);
      expect(params.get("StatusCallbackMethod")).toBe("POST");
    } finally {
      await withUrl.stop();
    }
  });

  it("answers through response_url (in_channel) when the bot is not in the channel", async () => {
    await configureTwilio();
    const jane = await lead("Jane Doe", "+12125550182");
    await click(jane.id, ids.call.messageAction, AGENT, { channel: "C0NOTMEMBER" });
    const answer = await eventually(
      () => t.slack.responses.find((r) => r.body.response_type === "in_channel"),
      "in_channel answer",
    );
    expect(String(answer.body.text)).toContain("is calling *Jane Doe*");
    expect(t.twilio.creates()).toHaveLength(1);
  });

  it("lead data in the message never breaks the TwiML", async () => {
    await configureTwilio({ callMessage: "Hi {{firstName}}, this is Acme & Sons <Realty>." });
    const evil = await lead("<Say>&\"Bob'</Say> Smith", "+12125550183");
    await click(evil.id);
    await eventually(() => t.twilio.creates().length === 1, "create");
    expect(twiml()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hi &lt;Say&gt;&amp;"Bob\'&lt;/Say&gt;, this is Acme &amp; Sons &lt;Realty&gt;.</Say><Pause length="2"/><Say>Please hold.</Say></Response>',
    );
  });
});

describe("refusals: a clear answer and no Twilio request", () => {
  it("names exactly the missing Twilio settings", async () => {
    const jane = await lead("Jane Doe", "+12125550182");
    await click(jane.id);
    await eventually(() => toldTexts().some((x) => x.includes("Missing Twilio settings")), "refusal");
    expect(toldTexts().join()).toContain(
      "Missing Twilio settings: Account SID, Auth Token, Twilio phone number. An admin can run `/twilio-setup`",
    );
    await t.app.deps.settings.save(t.ws, { accountSid: account.sid }, "U0ADMIN01");
    await click(jane.id);
    await eventually(
      () => toldTexts().some((x) => x.includes("Missing Twilio settings: Auth Token, Twilio phone number.")),
      "narrower refusal",
    );
    expect(t.twilio.creates()).toHaveLength(0);
    expect(await t.app.deps.db.call.count()).toBe(0);
  });

  it.each([
    ["no phone", undefined, {}, "*Jane Doe* has no phone number. Add one to call them."],
    [
      "outside the allowed countries",
      "+44 20 7946 0958",
      {},
      "Calls to the United Kingdom are not enabled for this team.",
    ],
    ["premium-rate", "+1 900 555 0100", {}, "is a premium-rate number; Leadline never calls those"],
    ["do-not-call", "+12125550182", { doNotCall: true }, "+1 212 555 0182 is on the team's do-not-call list."],
  ])("%s", async (_name, phone, extra, expected) => {
    await configureTwilio();
    const jane = await lead("Jane Doe", phone, extra);
    await click(jane.id);
    await eventually(() => toldTexts().some((x) => x.includes(expected)), `refusal: ${expected}`);
    expect(toldTexts().join("\n")).not.toMatch(/ALLOWED_COUNTRIES/);
    expect(t.twilio.creates()).toHaveLength(0);
    expect(await t.app.deps.db.call.count()).toBe(0);
    expect(
      await t.app.deps.db.auditLog.count({ where: { action: { in: ["call.refused", "call.blocked"] } } }),
    ).toBeGreaterThan(0);
  });

  it.each([
    ["+15005550001", 21217],
    ["+15005550002", 21214],
    ["+15005550003", 21215],
    ["+15005550004", 21216],
  ])("Twilio's test number %s gives its documented error %i, recorded as failed", async (phone, code) => {
    await configureTwilio();
    // Twilio's 500 test numbers belong to no time zone: the lead's state says where it is.
    const victim = await lead("Test Number", phone, { state: "NY" });
    await click(victim.id);
    const told = await eventually(
      () => toldTexts().find((x) => x.includes("Twilio refused the call")),
      "Twilio refusal",
    );
    expect(told).toContain(`Twilio refused the call (${code}): `);
    expect(told).toContain(`https://www.twilio.com/docs/errors/${code}`);
    expect(t.twilio.creates()).toHaveLength(1);
    const call = await t.app.deps.db.call.findFirstOrThrow();
    expect(call).toMatchObject({ status: "failed", errorCode: code, activeLeadId: null, twilioSid: null });
    expect(t.slack.callsTo("chat.postMessage")).toHaveLength(0);
  });
});

describe("a live call Twilio refuses", () => {
  it("a refused create (the agent's leg) gets the message call's answer: Twilio's code, words and docs link", async () => {
    await configureTwilio();
    const jane = await lead("Jane Doe", "+12125550182");
    const refusal = { status: 400, code: 21215, message: "Account not authorized to call +12125550199", count: 2 };
    t.twilio.sim.faults.failNext.set("createCall", refusal);
    await click(jane.id, ids.call.liveAction);
    const live = await eventually(() => toldTexts().find((x) => x.includes("Twilio refused")), "live refusal");
    const john = await lead("John Roe", "+12125550183");
    await click(john.id, ids.call.messageAction);
    const message = await eventually(
      () => toldTexts().filter((x) => x.includes("Twilio refused"))[1],
      "message call refusal",
    );
    expect(live).toBe(
      ":x: Twilio refused the call (21215): Account not authorized to call +12125550199 https://www.twilio.com/docs/errors/21215",
    );
    expect(message).toBe(live);
    const calls = await t.app.deps.db.call.findMany({ orderBy: { id: "asc" } });
    expect(calls.map((c) => [c.mode, c.status, c.errorCode])).toEqual([
      ["live", "failed", 21215],
      ["message", "failed", 21215],
    ]);
  });
});

describe("exactly once", () => {
  it("20 concurrent clicks by two agents make one Twilio request; the others hear who is calling", async () => {
    await configureTwilio();
    const jane = await lead("Jane Doe", "+12125550182");
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => click(jane.id, ids.call.messageAction, i % 2 === 0 ? AGENT : OTHER)),
    );
    await eventually(
      () => toldTexts().filter((x) => x.includes("Already calling *Jane Doe*")).length === 19,
      "19 refusals",
      10_000,
    );
    expect(t.twilio.creates()).toHaveLength(1);
    expect(await t.app.deps.db.call.count()).toBe(1);
    const call = await t.app.deps.db.call.findFirstOrThrow();
    expect(toldTexts().find((x) => x.includes("Already calling"))).toMatch(
      new RegExp(`Already calling \\*Jane Doe\\* \\(started \\d+ s ago by <@${call.placedBy}>\\)`),
    );
  });

  it("a Twilio answer held back past Slack's 3 s: every Slack request still acks within 3 s and the result reaches the channel", async () => {
    await configureTwilio();
    const jane = await lead("Jane Doe", "+12125550182");
    // Twilio answers the create only when the test lets it (no wall-clock wait).
    let answer!: () => void;
    t.twilio.holds.set("createCall", new Promise<void>((resolve) => (answer = resolve)));
    const started = Date.now();
    const res = await click(jane.id);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    const search = Date.now();
    expect((await t.command("/lead", "jane", OTHER)).status).toBe(200);
    expect((await click(jane.id, ids.call.messageAction, OTHER)).status).toBe(200);
    expect(Date.now() - search).toBeLessThan(3_000);
    await eventually(
      () => toldTexts().some((x) => x.includes("Already calling *Jane Doe*")),
      "second click refused while dialing",
    );
    // Twilio has the request and has not answered: nothing reached the channel yet.
    await eventually(() => t.twilio.creates().length === 1, "the create at Twilio");
    expect(t.slack.callsTo("chat.postMessage")).toHaveLength(0);
    answer();
    const post = await eventually(() => t.slack.callsTo("chat.postMessage").at(-1), "channel line after the answer");
    expect(JSON.stringify(post.args.blocks)).toContain("Call SID CA");
    expect(t.twilio.creates()).toHaveLength(1);
  });

  it("a lost answer is reconciled with Twilio, never re-dialed", async () => {
    await configureTwilio();
    const jane = await lead("Jane Doe", "+12125550182");
    t.twilio.dropNextCreates = 1;
    await click(jane.id);
    const post = await eventually(() => t.slack.callsTo("chat.postMessage").at(-1), "reconciled line", 10_000);
    expect(t.twilio.creates()).toHaveLength(1);
    const listed = t.twilio.requests.filter((r) => r.method === "GET" && r.path.endsWith("/Calls.json"));
    expect(listed).toHaveLength(1);
    expect(listed[0]!.query.get("To")).toBe("+12125550182");
    expect(listed[0]!.query.get("From")).toBe(FROM);
    const call = await t.app.deps.db.call.findFirstOrThrow();
    expect([...t.twilio.calls.keys()]).toContain(call.twilioSid);
    expect(JSON.stringify(post.args.blocks)).toContain(`Call SID ${call.twilioSid}`);
  });

  it("a lost request that Twilio never placed is reported, not re-dialed", async () => {
    await configureTwilio();
    const jane = await lead("Jane Doe", "+12125550182");
    t.twilio.dropNextCreates = 1;
    t.twilio.dropPlacesCall = false;
    try {
      await click(jane.id);
      await eventually(
        () => toldTexts().some((x) => x.includes("has no record of a call to Jane Doe, so nothing was dialed")),
        "report",
        10_000,
      );
      expect(t.twilio.creates()).toHaveLength(1);
      expect(await t.app.deps.db.call.findFirstOrThrow()).toMatchObject({ status: "failed", activeLeadId: null });
    } finally {
      t.twilio.dropPlacesCall = true;
    }
  });
});

describe("/call-lead", () => {
  it("answers with a call card, the requested mode first", async () => {
    await configureTwilio();
    await lead("Jane Doe", "+12125550182");
    const body = (await (await t.command("/call-lead", "jane bridge", AGENT)).json()) as {
      response_type: string;
      blocks: { type: string; elements?: { action_id: string }[] }[];
    };
    expect(body.response_type).toBe("ephemeral");
    const actions = body.blocks.find((b) => b.type === "actions")!;
    expect(actions.elements!.map((e) => e.action_id)).toEqual([
      ids.call.bridgeAction,
      ids.call.liveAction,
      ids.call.messageAction,
      ids.schedule.openAction,
      ids.texts.openAction,
      ids.lead.noteAction,
      ids.lead.historyAction,
      ids.lead.editAction,
      ids.lead.dncAction,
    ]);
  });

  it("without text shows help and the five most recently touched leads", async () => {
    for (let i = 0; i < 7; i += 1) await lead(`Lead ${i}`, `+1212555${1000 + i}`);
    const body = (await (await t.command("/call-lead", "", AGENT)).json()) as { blocks: unknown[] };
    const text = JSON.stringify(body.blocks);
    expect(text).toContain("/call-lead");
    expect(text).toContain("Lead 6");
    expect(text).toContain("Lead 2");
    expect(text).not.toContain("Lead 1*");
  });

  it("offers Add lead for a phone that matches no lead", async () => {
    const body = (await (await t.command("/call-lead", "(212) 555-0177", AGENT)).json()) as {
      text: string;
      blocks: unknown[];
    };
    expect(body.text).toBe("No lead has +1 212 555 0177. Add it as a lead to call it.");
    expect(JSON.stringify(body.blocks)).toContain(ids.lead.addAction);
  });

  it("says what browser calls are missing", async () => {
    await configureTwilio();
    await lead("Jane Doe", "+12125550182");
    const body = (await (await t.command("/call-lead", "jane browser", AGENT)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(body.blocks)).toContain(
      "Missing Twilio settings: API Key SID, API Key Secret, TwiML App SID, PUBLIC_BASE_URL",
    );
    expect(JSON.stringify(body.blocks)).not.toContain(ids.call.browserAction);
  });
});
