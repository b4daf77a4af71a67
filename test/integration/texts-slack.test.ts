import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { CALLING_TIME, CHANNEL, eventually, freshStart, startTestApp, type TestApp } from "../helpers/app.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick, viewSubmission } from "../helpers/payloads.js";

// Texts from Slack's own surfaces: Text on a card opens the Text form (templates with {{firstName}} and
// the agent's name), one text per form; Send at … on a refused text books it and the scheduler sends it
// once; Reply by text; HELP answered with the team's help text; a number Twilio says cannot take texts
// is marked and refused before Twilio next time; a failed delivery shows Twilio's code and words.

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
const click = (actionId: string, value: string) =>
  t.interact(
    buttonClick({
      userId: AGENT,
      actionId,
      value,
      channel: CHANNEL,
      messageTs: "1760000000.000100",
      responseUrl: t.slack.responseUrl(),
    }),
  );
/** Clicks and returns the form Leadline opened (with an id, as Slack gives every view). */
const openForm = async (actionId: string, leadId: number) => {
  const before = t.slack.callsTo("views.open").length;
  await click(actionId, String(leadId));
  const opened = await eventually(() => t.slack.callsTo("views.open")[before], "the Text form");
  return { ...(opened.args.view as Record<string, unknown>), id: `V${Math.random().toString(36).slice(2, 10)}` };
};
const submit = async (view: Record<string, unknown>, values: Record<string, string | undefined>) =>
  t.interact(viewSubmission(view, AGENT, values));
const said = (pattern: RegExp) =>
  eventually(
    () =>
      [...t.slack.callsTo("chat.postEphemeral"), ...t.slack.responses.map((r) => ({ args: r.body }))].find((c) =>
        pattern.test(JSON.stringify(c.args)),
      ),
    `an answer matching ${pattern}`,
  );

beforeAll(async () => {
  t = await startTestApp({
    env: { PUBLIC_BASE_URL: PUBLIC, ADMIN_SLACK_USER_IDS: ADMIN },
    callingClock: () => callingTime,
    twilioTimeoutMs: 1_500,
    textPaceMs: 5,
    scheduleEvery: "0 0 0 1 1 *",
  });
  t.slack.users.set(AGENT, { id: AGENT, name: "maria", tz: "America/New_York" });
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
  serviceSid = sim().addMessagingService(account.sid, { senders: [FROM] }).sid;
  sim().setCampaign(serviceSid, "VERIFIED");
  await t.app.deps.settings.save(
    t.ws,
    {
      messagingServiceSid: serviceSid,
      textTeamName: "Acme Realty",
      textTemplates: "Intro: Hi {{firstName}}, this is {{agentName}}. Still looking?\nFollow-up: Any questions?",
      textHelp: "Acme Realty: call us at +1 212 555 0100. Reply STOP to opt out.",
    },
    ADMIN,
  );
});

describe("the Text form", () => {
  it("Text on a card → a template with the lead's first name and the agent's name, sent once per form", async () => {
    const jane = await withTextConsent(await lead("Jane Doe", NY));
    const form = await openForm(ids.texts.openAction, jane.id);
    expect(JSON.stringify(form)).toContain("Intro");
    const first = await submit(form, { [ids.texts.templateBlock]: "0" });
    expect(first.status).toBe(200);
    await eventually(() => creates().length === 1, "the text sent");
    expect(creates()[0]!.params.get("Body")).toBe(
      "Acme Realty: Hi Jane, this is maria. Still looking?\nReply STOP to opt out.",
    );
    await said(/Texted \*Jane Doe\*/);
    // The same form sent again (a double submit): no second text.
    await submit(form, { [ids.texts.templateBlock]: "0" });
    await t.app.deps.tasks.drain(5_000);
    expect(creates()).toHaveLength(1);
    await said(/already sent a text to Jane Doe/);
  });

  it("an empty message, or one over 10 segments, is refused in the form with the count; nothing is sent", async () => {
    const jane = await withTextConsent(await lead("Jane Doe", NY));
    const form = await openForm(ids.texts.openAction, jane.id);
    const empty = (await (await submit(form, { [ids.texts.bodyBlock]: "   " })).json()) as {
      errors: Record<string, string>;
    };
    expect(empty.errors[ids.texts.bodyBlock]).toMatch(/empty/);
    const long = (await (await submit(form, { [ids.texts.bodyBlock]: "x".repeat(1600) })).json()) as {
      errors: Record<string, string>;
    };
    expect(long.errors[ids.texts.bodyBlock]).toMatch(/11 segments \(1600 characters\); at most 10/);
    await t.app.deps.tasks.drain(2_000);
    expect(creates()).toHaveLength(0);
    expect(await t.app.deps.db.text.count()).toBe(0);
  });

  it("without an approved A2P campaign the form says texting is off and why, with no Send", async () => {
    sim().setCampaign(serviceSid, "IN_PROGRESS");
    await t.app.deps.a2p.status(t.ws, await t.app.deps.settings.get(t.ws), true);
    const jane = await withTextConsent(await lead("Jane Doe", NY));
    const form = await openForm(ids.texts.openAction, jane.id);
    expect(JSON.stringify(form)).toContain("Texting is off until your A2P campaign is approved");
    expect(JSON.stringify(form)).toMatch(/reports the campaign as IN\u200b?_\u200b?PROGRESS/);
    expect((form as { submit?: unknown }).submit).toBeUndefined();
  });

  it("Reply by text on an inbound text opens the form as a reply, and the reply needs no marketing consent", async () => {
    const jane = await lead("Jane Doe", NY);
    await t.signedTwilio(
      `/twilio/sms/inbound?ws=${t.ws}`,
      { AccountSid: account.sid, To: FROM, MessageSid: `SM${"a".repeat(32)}`, From: NY, Body: "Can we talk at 5?" },
      account.token,
    );
    const post = await eventually(
      () => t.slack.callsTo("chat.postMessage").find((c) => JSON.stringify(c.args.blocks).includes("Reply by text")),
      "the inbound text's post",
    );
    expect(post).toBeDefined();
    const form = await openForm(ids.texts.replyAction, jane.id);
    expect(JSON.stringify((form as { title?: unknown }).title)).toContain("Reply by text");
    await submit(form, { [ids.texts.bodyBlock]: "Sure, 5 works" });
    await eventually(() => creates().length === 1, "the reply sent");
    // Both texts are in the lead's History, the lead's words escaped.
    const before = t.slack.callsTo("views.open").length;
    await click(ids.lead.historyAction, String(jane.id));
    const history = JSON.stringify(
      (await eventually(() => t.slack.callsTo("views.open")[before], "the History modal")).args.view,
    );
    expect(history).toMatch(/Text\*? from \+1 212 555 0182 · received · “Can we talk at 5\?”/);
    expect(history).toMatch(
      /Text\*? by <@U0MARIA01> to \+1 212 555 0182 · (queued|accepted|sent|sending)[^“]*“Acme Realty: Sure, 5 works/,
    );
  });
});

describe("/twilio-setup status", () => {
  it("shows the A2P campaign as Twilio reports it: approved, or off with Twilio's reasons", async () => {
    const status = async () =>
      ((await (await t.command("/twilio-setup", "status", ADMIN)).json()) as { text: string }).text;
    expect(await status()).toContain("Texting is ready: the US A2P 10DLC campaign is approved");
    sim().setCampaign(serviceSid, "FAILED", [{ code: 30908, description: "Campaign message samples are missing" }]);
    const off = await status();
    expect(off).toContain("Texting is off until your A2P campaign is approved: the campaign is FAILED");
    expect(off).toContain("Twilio says: Campaign message samples are missing");
  });
});

describe("Send at …", () => {
  it("a Florida text refused at 20:05 is booked with Send at … and sent once by the scheduler at 8:00", async () => {
    callingTime = new Date("2026-11-25T01:05:00Z");
    const jane = await withTextConsent(await lead("Jane Doe", "+13055550142"));
    const answer = (await (await t.command("/text", `#${jane.id} Still interested in the condo?`, AGENT)).json()) as {
      blocks: { type: string; elements?: { action_id: string; value: string }[] }[];
    };
    const button = answer.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === ids.texts.sendAtAction);
    expect(button).toBeDefined();
    await click(ids.texts.sendAtAction, button!.value);
    await click(ids.texts.sendAtAction, button!.value); // a double click: still one text
    await said(/will be sent/);
    const rows = await eventually(async () => {
      const found = await t.app.deps.db.scheduledCall.findMany({ where: { leadId: jane.id } });
      return found.length === 2 ? found : undefined;
    }, "the scheduled texts");
    expect(rows[0]!.textBody).toBe("Still interested in the condo?");
    const at = new Date(JSON.parse(button!.value).at);
    expect(at.toISOString()).toBe("2026-11-25T13:00:00.000Z");
    callingTime = at;
    await t.app.deps.scheduler.tick(new Date(at.getTime() + 1_000));
    await t.app.deps.scheduler.tick(new Date(at.getTime() + 2_000));
    expect(creates()).toHaveLength(1);
    expect(creates()[0]!.params.get("Body")).toBe(
      "Acme Realty: Still interested in the condo?\nReply STOP to opt out.",
    );
    const after = await t.app.deps.db.scheduledCall.findMany({ where: { leadId: jane.id } });
    expect(after.map((row) => row.status)).toEqual(["placed", "placed"]);
  });
});

describe("STOP and a booked text", () => {
  it("a STOP cancels a text booked with Send at …: nothing goes at 8:00", async () => {
    callingTime = new Date("2026-11-25T01:05:00Z");
    const jane = await withTextConsent(await lead("Jane Doe", "+13055550142"));
    const answer = (await (await t.command("/text", `#${jane.id} Still interested?`, AGENT)).json()) as {
      blocks: { type: string; elements?: { action_id: string; value: string }[] }[];
    };
    const button = answer.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === ids.texts.sendAtAction);
    await click(ids.texts.sendAtAction, button!.value);
    await said(/will be sent/);
    const stop = { AccountSid: account.sid, To: FROM, MessageSid: `SM${"c".repeat(32)}`, From: "+13055550142" };
    await t.signedTwilio(`/twilio/sms/inbound?ws=${t.ws}`, { ...stop, Body: "STOP" }, account.token);
    const rows = await t.app.deps.db.scheduledCall.findMany({ where: { leadId: jane.id } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((row) => row.status)).toEqual(rows.map(() => "cancelled"));
    const at = new Date(JSON.parse(button!.value).at);
    callingTime = at;
    await t.app.deps.scheduler.tick(new Date(at.getTime() + 1_000));
    expect(creates()).toHaveLength(0);
  });
});

describe("HELP and numbers that cannot take texts", () => {
  it("HELP is answered once with the team's help text", async () => {
    await lead("Jane Doe", NY);
    const help = { AccountSid: account.sid, To: FROM, MessageSid: `SM${"b".repeat(32)}`, From: NY, Body: "help" };
    await t.signedTwilio(`/twilio/sms/inbound?ws=${t.ws}`, help, account.token);
    await t.signedTwilio(`/twilio/sms/inbound?ws=${t.ws}`, help, account.token); // Twilio's retry
    await eventually(() => creates().length === 1, "the help text");
    await t.app.deps.tasks.drain(2_000);
    expect(creates()).toHaveLength(1);
    expect(creates()[0]!.params.get("Body")).toBe("Acme Realty: call us at +1 212 555 0100. Reply STOP to opt out.");
  });

  it("21614 (not a mobile) is said plainly and marked: the next text is refused before Twilio", async () => {
    const land = await withTextConsent(
      await t.app.deps.leads.create(t.ws, { name: "Land Line", phone: "+15005550009", state: "NY", author: "seed" }),
    );
    const first = (await (await t.command("/text", `#${land.id} Hello`, AGENT)).json()) as { text: string };
    expect(first.text).toMatch(/cannot receive texts.*21614/);
    expect(creates()).toHaveLength(1);
    const second = (await (await t.command("/text", `#${land.id} Hello again`, AGENT)).json()) as { text: string };
    expect(second.text).toMatch(
      /Texts cannot reach \*?Land Line\*?: the number cannot receive texts.*Twilio 21614, seen [A-Z][a-z]{2} \d{1,2}, \d{4}/,
    );
    expect(creates()).toHaveLength(1);
  });

  it("a delivery that fails with 30006 shows Twilio's code and words on the line, and marks the number", async () => {
    const jane = await withTextConsent(await lead("Jane Doe", NY));
    await t.command("/text", `#${jane.id} Hello`, AGENT);
    const row = await t.app.deps.db.text.findFirstOrThrow();
    await eventually(() => t.app.deps.db.text.findFirst({ where: { slackTs: { not: null } } }), "the line posted");
    const callback = await t.signedTwilio(
      `/twilio/sms/status?ws=${t.ws}&text=${row.id}`,
      {
        MessageSid: row.twilioSid!,
        MessageStatus: "undelivered",
        ErrorCode: "30006",
        ErrorMessage: "Landline or unreachable carrier",
        AccountSid: account.sid,
      },
      account.token,
    );
    expect(callback.status).toBe(204);
    await eventually(
      () =>
        t.slack
          .callsTo("chat.update")
          .find((c) => /undelivered \(30006: the number cannot receive texts/.test(JSON.stringify(c.args.blocks))),
      "the line shows undelivered with 30006",
    );
    const again = (await (await t.command("/text", `#${jane.id} Hello?`, AGENT)).json()) as { text: string };
    expect(again.text).toMatch(/cannot receive texts.*Twilio 30006/);
    expect(creates()).toHaveLength(1);
  });
});

describe("Reply by text to a lead who opted out", () => {
  it("the form says they texted STOP and has no Send", async () => {
    const jane = await lead("Jane Doe", NY);
    const from = { AccountSid: account.sid, To: FROM, From: NY };
    await t.signedTwilio(
      `/twilio/sms/inbound?ws=${t.ws}`,
      { ...from, MessageSid: `SM${"d".repeat(32)}`, Body: "STOP" },
      account.token,
    );
    await t.signedTwilio(
      `/twilio/sms/inbound?ws=${t.ws}`,
      { ...from, MessageSid: `SM${"e".repeat(32)}`, Body: "HELP" },
      account.token,
    );
    const form = await openForm(ids.texts.replyAction, jane.id);
    expect(JSON.stringify(form)).toContain(
      "opted out of texts (they texted STOP): nothing can be sent to them until they text START",
    );
    expect((form as { submit?: unknown }).submit).toBeUndefined();
    expect(creates()).toHaveLength(0);
  });
});

describe("30034 on a delivery", () => {
  it("is said as the A2P gate says it: texting is off until the campaign is approved", async () => {
    const jane = await withTextConsent(await lead("Jane Doe", NY));
    await t.command("/text", `#${jane.id} Hello`, AGENT);
    const row = await t.app.deps.db.text.findFirstOrThrow();
    await eventually(() => t.app.deps.db.text.findFirst({ where: { slackTs: { not: null } } }), "the line posted");
    const callback = await t.signedTwilio(
      `/twilio/sms/status?ws=${t.ws}&text=${row.id}`,
      {
        MessageSid: row.twilioSid!,
        MessageStatus: "undelivered",
        ErrorCode: "30034",
        ErrorMessage: "Message from an Unregistered Number",
        AccountSid: account.sid,
      },
      account.token,
    );
    expect(callback.status).toBe(204);
    await eventually(
      () =>
        t.slack
          .callsTo("chat.update")
          .find((c) =>
            /undelivered \(30034: .*Texting is off until your A2P campaign is approved/.test(
              JSON.stringify(c.args.blocks),
            ),
          ),
      "the line explains 30034",
    );
  });
});

describe("missed-call text-back", () => {
  const ring = async (sid: string, from = NY) => {
    await t.app.deps.inbound.answer(t.ws, { callSid: sid, from, to: FROM });
    const call = await t.app.deps.db.inboundCall.findFirstOrThrow({ where: { twilioSid: sid } });
    return call.id;
  };
  const callSid = (n: number) => `CA${String(n).padStart(32, "0")}`;
  const textBacks = () => creates().filter((r) => r.params.get("Body")?.includes("Sorry we missed your call"));

  beforeEach(async () => {
    await t.app.deps.db.inboundCall.deleteMany();
    await t.app.deps.settings.save(
      t.ws,
      { textBack: "Sorry we missed your call, we will call you back shortly." },
      ADMIN,
    );
  });

  it("a missed call gets one text, never twice (Twilio's repeated callback, a second missed call the same day)", async () => {
    await lead("Jane Doe", NY);
    const id = await ring(callSid(1));
    await t.app.deps.inbound.dialDone(t.ws, id, { dialStatus: "no-answer" });
    await t.app.deps.inbound.dialDone(t.ws, id, { dialStatus: "no-answer" }); // Twilio retries the callback
    await eventually(() => textBacks().length === 1, "the text-back");
    expect(textBacks()[0]!.params.get("Body")).toBe(
      "Acme Realty: Sorry we missed your call, we will call you back shortly.\nReply STOP to opt out.",
    );
    const again = await ring(callSid(2));
    await t.app.deps.inbound.dialDone(t.ws, again, { dialStatus: "busy" });
    await t.app.deps.tasks.drain(5_000);
    expect(textBacks()).toHaveLength(1);
    expect((await t.app.deps.db.text.findFirstOrThrow({ where: { kind: "textback" } })).originKey).toBe(
      `textback:${id}`,
    );
  });

  it("a call at night is texted back at 8:00 the lead's time; a do-not-call number never; off when blank", async () => {
    callingTime = new Date("2026-11-25T03:00:00Z"); // 22:00 in New York
    const jane = await lead("Jane Doe", NY);
    const id = await ring(callSid(3));
    await t.app.deps.inbound.dialDone(t.ws, id, { dialStatus: "no-answer" });
    const booked = (await eventually(
      () => t.app.deps.db.scheduledCall.findFirst({ where: { leadId: jane.id, bookedBy: "textback" } }),
      "the text-back booked for the morning",
    ))!;
    expect(booked.dueAt.toISOString()).toBe("2026-11-25T13:00:00.000Z");
    expect(textBacks()).toHaveLength(0);
    callingTime = booked.dueAt;
    await t.app.deps.scheduler.tick(new Date(booked.dueAt.getTime() + 1_000));
    expect(textBacks()).toHaveLength(1);
    const sent = await t.app.deps.db.text.findFirstOrThrow({ where: { kind: "textback" }, orderBy: { id: "desc" } });
    expect(sent.status).not.toBe("not_sent");

    callingTime = CALLING_TIME;
    const listed = await lead("Dee Ncee", "+12125550143");
    await t.app.deps.db.dncEntry.create({
      data: { workspaceId: t.ws, phone: listed.phone!, source: "manual", reason: "asked", addedBy: ADMIN },
    });
    const dncCall = await ring(callSid(4), listed.phone!);
    await t.app.deps.inbound.dialDone(t.ws, dncCall, { dialStatus: "no-answer" });
    await t.app.deps.settings.save(t.ws, {}, ADMIN, ["textBack"]);
    await lead("Off Turned", "+12125550144");
    const offCall = await ring(callSid(5), "+12125550144");
    await t.app.deps.inbound.dialDone(t.ws, offCall, { dialStatus: "no-answer" });
    await t.app.deps.tasks.drain(5_000);
    expect(textBacks()).toHaveLength(1);
    expect(await t.app.deps.db.scheduledCall.count({ where: { bookedBy: "textback" } })).toBe(1);
  });
});
