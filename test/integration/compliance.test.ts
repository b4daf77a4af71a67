import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import {
  CALLING_TIME,
  CHANNEL,
  eventually,
  freshStart,
  startTestApp,
  type TestApp,
  withConsent,
} from "../helpers/app.js";
import { sequence } from "../helpers/callbacks.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";

// Calling law end to end: the verdict runs before every dial, a block reaches the agent with its
// reasons and sends nothing to Twilio, a live call rings the agent first, recorded-voice modes need
// consent, and the do-not-call list (key-press 9, /dnc, the registry import) blocks by number.

const PUBLIC = "https://leadline.example.com";
const AGENT = "U0MARIA01";
const ADMIN = "U0ADMIN01";
const FROM = "+15005550006";
const AGENT_PHONE = "+12125550199";
const CARD_TS = "1760000000.000100";

let t: TestApp;
let account: FakeAccount;
let callingTime = CALLING_TIME;

const click = (leadId: number, action: string = ids.call.liveAction) =>
  t.interact(
    buttonClick({
      userId: AGENT,
      actionId: action,
      value: String(leadId),
      channel: CHANNEL,
      messageTs: CARD_TS,
      responseUrl: t.slack.responseUrl(),
    }),
  );
const told = () => t.slack.responses.map((r) => r.body as { text?: string; blocks?: unknown[] });
/** The call row once Twilio accepted it. */
const placedCall = () =>
  eventually(
    async () =>
      (await t.app.deps.db.call.findFirst({ where: { twilioSid: { not: null } }, orderBy: { id: "desc" } })) ??
      undefined,
    "the placed call",
  );
const lead = (name: string, phone: string, extra: { state?: string; zip?: string } = {}) =>
  t.app.deps.leads.create(t.ws, { name, phone, author: "seed", ...extra });

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
  account = await freshStart(t, {
    tables: ["text", "call", "consent", "lead", "dncEntry", "registryImport", "auditLog"],
    from: FROM,
    agentPhone: AGENT_PHONE,
    admin: ADMIN,
  });
});

describe("a block reaches the agent with its reasons, and nothing reaches Twilio", () => {
  it.each([
    // 07:59 in New York: the federal window opens at 8:00.
    ["before 8 am in New York", "2026-11-24T12:59:00Z", "+12125550182", {}, /It is 7:59 AM in New York \(Eastern\)/],
    // 20:30 in Miami: Florida's own window ends at 8 pm.
    ["after 8 pm in Florida", "2026-11-25T01:30:00Z", "+13055550142", {}, /Florida/],
    // 05:00 in Honolulu when it is 10:00 in New York.
    ["5 am in Honolulu", "2026-11-24T15:00:00Z", "+18085550123", {}, /Honolulu/],
    // A Sunday morning in Texas: Texas allows Sunday calls only from noon.
    ["Sunday 11:59 in Texas", "2026-11-29T17:59:00Z", "+12145550123", {}, /Sunday/],
  ])("%s", async (_name, at, phone, extra, reason) => {
    callingTime = new Date(at);
    const jane = await lead("Jane Doe", phone, extra);
    await click(jane.id);
    const answer = await eventually(() => told().find((r) => /Not calling/.test(r.text ?? "")), "compliance card");
    expect(answer.text).toMatch(reason);
    expect(JSON.stringify(answer.blocks)).toMatch(/Next allowed|Try again after/);
    expect(t.twilio.creates()).toHaveLength(0);
    expect(await t.app.deps.db.call.count()).toBe(0);
    const audit = await t.app.deps.db.auditLog.findFirstOrThrow({ where: { action: "call.blocked" } });
    expect(audit.actor).toBe(AGENT);
    expect(audit.detail).toContain(`"leadId":${jane.id}`);
    expect(audit.detail).not.toContain(phone.slice(2));
    await t.app.deps.db.auditLog.deleteMany({ where: { action: "call.blocked" } });
  });

  it("a number whose zone cannot be told blocks until a ZIP is added, and then calls", async () => {
    // 500 numbers are non-geographic: no zone at all.
    const jane = await lead("Jane Doe", "+15005550142");
    await click(jane.id);
    const answer = await eventually(() => told().find((r) => /Not calling/.test(r.text ?? "")), "compliance card");
    expect(answer.text).toContain("add the lead's ZIP code or state");
    expect(JSON.stringify(answer.blocks)).toContain(ids.lead.addressAction);
    expect(t.twilio.creates()).toHaveLength(0);
    await t.app.deps.leads.setAddress(t.ws, jane.id, { zip: "10001" }, AGENT);
    await click(jane.id);
    await eventually(() => t.twilio.creates()[0], "the call placed once the ZIP is known");
  });

  it("/call-lead shows the verdict on the card before anyone clicks", async () => {
    callingTime = new Date("2026-11-24T12:30:00Z");
    await lead("Jane Doe", "+12125550182");
    const body = (await (await t.command("/call-lead", "jane", AGENT)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(body.blocks)).toContain("Not now:* It is 7:30 AM in New York (Eastern)");
    callingTime = CALLING_TIME;
    const later = (await (await t.command("/call-lead", "jane", AGENT)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(later.blocks)).not.toContain("Not now");
  });

  it("/call-lead with 12 matches calling law blocks shows whole cards, each with its buttons, and says how many more", async () => {
    callingTime = new Date("2026-11-24T12:30:00Z");
    for (let i = 0; i < 12; i += 1) {
      const one = await lead(`Jane Smith ${i}`, `+1212555${String(1100 + i)}`);
      await t.app.deps.leads.addNote(t.ws, one.id, AGENT, "Asked to be called after 9");
    }
    const body = (await (await t.command("/call-lead", "smith", AGENT)).json()) as {
      text: string;
      blocks: { type: string; block_id?: string }[];
    };
    expect(body.blocks.length).toBeLessThanOrEqual(50);
    const cards = body.blocks.filter((block) => /^lead_\d+$/.test(block.block_id ?? "")).length;
    const buttons = body.blocks.filter((block) => /^lead_actions_\d+$/.test(block.block_id ?? "")).length;
    expect(cards).toBeGreaterThan(0);
    expect(buttons).toBe(cards);
    expect(body.blocks.at(-1)).toMatchObject({ type: "actions" });
    expect(JSON.stringify(body.blocks)).toContain("Not now:*");
    expect(body.text).toContain(`12 leads found — showing the ${cards} most recent, ${12 - cards} more`);
  });

  it("a fourth call in 24 hours to a Florida number is refused", async () => {
    const jane = await lead("Jane Doe", "+13055550142");
    for (let i = 0; i < 3; i += 1) {
      await click(jane.id);
      const call = await eventually(
        async () =>
          (await t.app.deps.db.call.findFirst({ where: { twilioSid: { not: null }, activeLeadId: jane.id } })) ??
          undefined,
        "call",
      );
      // The agent's leg ends busy: the call is over and the next click may dial again.
      for (const params of sequence(
        { sid: call.twilioSid!, accountSid: account.sid, to: AGENT_PHONE, from: FROM },
        "busy",
      ))
        await t.signedTwilio("/twilio/status", params, account.token);
      await eventually(
        async () => (await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).activeLeadId === null,
        "call over",
      );
    }
    expect(t.twilio.creates()).toHaveLength(3);
    await click(jane.id);
    const answer = await eventually(() => told().find((r) => /Not calling/.test(r.text ?? "")), "cap block");
    expect(answer.text).toMatch(/3 call attempts in the last 24 hours/);
    expect(t.twilio.creates()).toHaveLength(3);
    // The card says so too, before anyone clicks: the cards' facts are read in one go.
    const res = await t.command("/call-lead", "Jane Doe", AGENT);
    expect(JSON.stringify(await res.json())).toMatch(/3 call attempts in the last 24 hours/);
  });

  it("a call to a Maryland lead after 1 call and 2 texts in 24 hours is refused: texts count toward the cap", async () => {
    const mary = await lead("Mary Land", "+14105550143");
    const db = t.app.deps.db;
    await db.call.create({
      data: {
        workspaceId: t.ws,
        leadId: mary.id,
        mode: "live",
        fromNumber: FROM,
        toNumber: mary.phone!,
        placedBy: AGENT,
        status: "completed",
        twilioSid: "CA0000000000000000000000000000md01",
        createdAt: new Date(callingTime.getTime() - 3 * 3_600_000),
      },
    });
    for (const hours of [2, 1])
      await db.text.create({
        data: {
          workspaceId: t.ws,
          leadId: mary.id,
          direction: "outbound",
          phone: mary.phone!,
          body: "Hi Mary",
          status: "delivered",
          createdAt: new Date(callingTime.getTime() - hours * 3_600_000),
        },
      });
    await click(mary.id);
    const answer = await eventually(() => told().find((r) => /Not calling/.test(r.text ?? "")), "cap block");
    expect(answer.text).toMatch(/3 calls and texts in the last 24 hours; Maryland law/);
    expect(t.twilio.creates()).toHaveLength(0);
  });

  it("the cards' facts, read for many leads at once, equal each lead's own (list, consent, attempts)", async () => {
    const listed = await lead("Listed", "+12125550170");
    const consented = await lead("Consented", "+12125550171");
    const called = await lead("Called", "+12125550172");
    const plain = await lead("Plain", "+12125550173");
    const db = t.app.deps.db;
    await db.dncEntry.create({ data: { workspaceId: t.ws, phone: listed.phone!, source: "command", addedBy: ADMIN } });
    await db.consent.create({
      data: {
        workspaceId: t.ws,
        leadId: consented.id,
        phone: consented.phone!,
        scope: "prerecorded",
        method: "web form",
        text: "I agree.",
        at: new Date(callingTime.getTime() - 86_400_000),
        recordedBy: ADMIN,
      },
    });
    const base = { workspaceId: t.ws, mode: "live", fromNumber: FROM, placedBy: AGENT, status: "completed" };
    for (const [hoursAgo, sid] of [
      [2, "CA00000000000000000000000000000a01"],
      [5, "CA00000000000000000000000000000a02"],
      [30, "CA00000000000000000000000000000a03"],
    ] as const)
      await db.call.create({
        data: {
          ...base,
          leadId: called.id,
          toNumber: called.phone!,
          twilioSid: sid,
          createdAt: new Date(callingTime.getTime() - hoursAgo * 3_600_000),
        },
      });
    // A call refused before Twilio is not an attempt.
    await db.call.create({
      data: { ...base, leadId: called.id, toNumber: called.phone!, status: "failed", createdAt: callingTime },
    });
    const leads = [listed, consented, called, plain].map((l) => ({ id: l.id, phone: l.phone! }));
    const since = new Date(callingTime.getTime() - 24 * 3_600_000);
    const store = t.app.deps.compliance;
    const together = await store.factsAmong(t.ws, leads, since);
    for (const one of leads) expect(together.get(one.id)).toEqual(await store.facts(db, t.ws, one, since));
    expect(together.get(listed.id)?.onDoNotCallList).toBe(true);
    expect(together.get(consented.id)?.consent).toEqual({ scope: "prerecorded" });
    expect(
      together
        .get(called.id)
        ?.attempts.map((d) => d.getTime())
        .sort(),
    ).toEqual([5, 2].map((h) => callingTime.getTime() - h * 3_600_000));
    expect(together.get(plain.id)).toEqual({
      onDoNotCallList: false,
      consent: null,
      attempts: [],
      textAttempts: [],
      textConsent: false,
      textsResumed: false,
    });
  });
});

describe("live call (agent first)", () => {
  it("rings the agent, who hears the lead's name and presses a key; then the lead is dialled with the team number as caller ID", async () => {
    const jane = await lead("Jane Doe", "+12125550182");
    await click(jane.id);
    const create = await eventually(() => t.twilio.creates()[0], "Calls create");
    const params = Object.fromEntries(create.params);
    expect(params.To).toBe(AGENT_PHONE);
    expect(params.From).toBe(FROM);
    const call = await t.app.deps.db.call.findFirstOrThrow();
    const query = `call=${call.id}&amp;ws=${t.ws}`;
    expect(params.Twiml).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" timeout="8" action="${PUBLIC}/twilio/voice/live-accept?${query}" method="POST" actionOnEmptyResult="true"><Say>Leadline call to Jane Doe. Press any key to connect.</Say></Gather></Response>`,
    );
    expect(params.StatusCallback).toBe(`${PUBLIC}/twilio/status?call=${call.id}&ws=${t.ws}`);
    // A live call plays no recorded voice: no answering-machine detection on the agent's phone.
    expect(params.MachineDetection).toBeUndefined();
    expect(call).toMatchObject({ mode: "live", toNumber: "+12125550182", agentNumber: AGENT_PHONE });
    const placed = await placedCall();
    const pressed = await t.signedTwilio(
      `/twilio/voice/live-accept?call=${call.id}&ws=${t.ws}`,
      { CallSid: placed.twilioSid!, AccountSid: account.sid, Digits: "1" },
      account.token,
    );
    expect(await pressed.text()).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say>Connecting you to Jane Doe.</Say><Dial callerId="${FROM}" timeout="30" action="${PUBLIC}/twilio/voice/dial-done?${query}" method="POST"><Number statusCallback="${PUBLIC}/twilio/status/lead?${query}" statusCallbackEvent="initiated ringing answered completed" statusCallbackMethod="POST">+12125550182</Number></Dial></Response>`,
    );
  });

  it("no key within the time (a voicemail answered the agent's phone): the agent's leg hangs up, the lead is never dialled, the post says so with Retry", async () => {
    const jane = await lead("Jane Doe", "+12125550182");
    await click(jane.id);
    await eventually(() => t.twilio.creates()[0], "Calls create");
    const call = await placedCall();
    const agentLeg = { sid: call.twilioSid!, accountSid: account.sid, to: AGENT_PHONE, from: FROM };
    const [initiated, ringing, answered] = sequence(agentLeg, "completed");
    for (const params of [initiated!, ringing!, answered!])
      expect((await t.signedTwilio("/twilio/status", params, account.token)).status).toBe(204);
    // Twilio asks the action without Digits when the Gather's time runs out (actionOnEmptyResult).
    const silent = await t.signedTwilio(
      `/twilio/voice/live-accept?call=${call.id}&ws=${t.ws}`,
      { CallSid: call.twilioSid!, AccountSid: account.sid },
      account.token,
    );
    expect(await silent.text()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>No key was pressed, so the lead was not called. Goodbye.</Say><Hangup/></Response>',
    );
    const completed = sequence(agentLeg, "completed").at(-1)!;
    expect((await t.signedTwilio("/twilio/status", completed, account.token)).status).toBe(204);
    const ended = await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } });
    expect(ended).toMatchObject({ status: "canceled", leadLegSid: null, activeLeadId: null });
    const facts = await t.app.deps.db.callFact.findMany({ where: { callId: call.id } });
    expect(facts.map((f) => f.kind)).toEqual(["agent_no_key"]);
    const notes = await t.app.deps.db.note.findMany({ where: { leadId: jane.id }, orderBy: { id: "asc" } });
    expect(notes.at(-1)?.body).toMatch(/^\[Call Not Connected\] The agent did not take the call \(no key pressed/);
    const post = await eventually(
      () =>
        t.slack
          .callsTo("chat.update")
          .map((c) => JSON.stringify(c.args.blocks))
          .find((blocks) => blocks.includes("did not take the call")),
      "the post to say the agent did not take the call",
    );
    expect(post).toContain(ids.call.liveAction);
    expect(post).toContain(ids.schedule.retryAction);
    // A key press for another call's SID, or a forged one, connects nothing.
    const stray = await t.signedTwilio(
      `/twilio/voice/live-accept?call=${call.id}&ws=${t.ws}`,
      { CallSid: `CA${"3".repeat(32)}`, AccountSid: account.sid, Digits: "1" },
      account.token,
    );
    const strayTwiml = await stray.text();
    expect(strayTwiml).toContain("<Hangup/>");
    expect(strayTwiml).not.toContain("<Dial");
  });

  it("follows the lead's leg: status, talk time and the outcome note come from the lead, not the agent", async () => {
    const jane = await lead("Jane Doe", "+12125550182");
    await click(jane.id);
    await eventually(() => t.twilio.creates()[0], "Calls create");
    const call = await placedCall();
    const agentLeg = { sid: call.twilioSid!, accountSid: account.sid, to: AGENT_PHONE, from: FROM };
    const [initiated, ringing, answered] = sequence(agentLeg, "completed");
    for (const params of [initiated!, ringing!, answered!]) {
      expect((await t.signedTwilio("/twilio/status", params, account.token)).status).toBe(204);
    }
    // The agent answering is not the lead answering.
    expect((await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).status).not.toBe("in-progress");
    const leadSid = `CA${"1".repeat(32)}`;
    const leadLeg = { sid: leadSid, accountSid: account.sid, to: "+12125550182", from: FROM };
    for (const params of sequence(leadLeg, "completed")) {
      const res = await t.signedTwilio(
        `/twilio/status/lead?call=${call.id}`,
        {
          ...params,
          ParentCallSid: call.twilioSid!,
          ...(params.CallStatus === "completed" ? { CallDuration: "47" } : {}),
        },
        account.token,
      );
      expect(res.status).toBe(204);
    }
    const done = await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } });
    expect(done).toMatchObject({ status: "completed", durationSec: 47, leadLegSid: leadSid, activeLeadId: null });
    // The Dial's end: the agent hears nothing more for a completed call, and the lead leg is not counted twice.
    const dialDone = await t.signedTwilio(
      `/twilio/voice/dial-done?call=${call.id}`,
      {
        CallSid: call.twilioSid!,
        AccountSid: account.sid,
        DialCallSid: leadSid,
        DialCallStatus: "completed",
        DialCallDuration: "47",
      },
      account.token,
    );
    expect(await dialDone.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    const notes = await t.app.deps.db.note.findMany({ where: { leadId: jane.id } });
    expect(notes.filter((n) => n.body.startsWith("[Call Completed]"))).toHaveLength(1);
    // A forged lead-leg callback (wrong parent) is refused.
    const forged = await t.signedTwilio(
      `/twilio/status/lead?call=${call.id}`,
      { ...sequence(leadLeg, "completed")[0]!, ParentCallSid: `CA${"2".repeat(32)}` },
      account.token,
    );
    expect(forged.status).toBe(404);
  });

  it("the agent not answering dials nothing to the lead, and the line says so", async () => {
    const jane = await lead("Jane Doe", "+12125550182");
    await click(jane.id);
    await eventually(() => t.twilio.creates()[0], "Calls create");
    const call = await placedCall();
    for (const params of sequence(
      { sid: call.twilioSid!, accountSid: account.sid, to: AGENT_PHONE, from: FROM },
      "no-answer",
    )) {
      await t.signedTwilio("/twilio/status", params, account.token);
    }
    const ended = await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } });
    expect(ended).toMatchObject({ status: "canceled", activeLeadId: null, leadLegSid: null });
    await eventually(
      () =>
        t.slack
          .callsTo("chat.update")
          .some((c) => String(c.args.text).includes("the agent's phone did not answer: the lead was not dialed")),
      "line says the agent did not answer",
    );
    // Not an attempt on the lead: the 24-hour cap does not count it.
    const facts = await t.app.deps.law.verdict(t.ws, jane, "live", callingTime);
    expect(facts.allowed).toBe(true);
  });
});

describe("recorded-voice modes need consent", () => {
  it("a lead without consent gets no Message call button, and a stale one is refused before Twilio", async () => {
    const jane = await lead("Jane Doe", "+12125550182");
    const card = (await (await t.command("/call-lead", "jane", AGENT)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(card.blocks)).not.toContain(ids.call.messageAction);
    expect(JSON.stringify(card.blocks)).not.toContain(ids.call.bridgeAction);
    await click(jane.id, ids.call.messageAction);
    const answer = await eventually(() => told().find((r) => /Not calling/.test(r.text ?? "")), "consent block");
    expect(answer.text).toContain("prior express consent to prerecorded calls");
    expect(JSON.stringify(answer.blocks)).toContain("Call live instead");
    expect(t.twilio.creates()).toHaveLength(0);

    await withConsent(t.app, t.ws, jane);
    const withIt = (await (await t.command("/call-lead", "jane", AGENT)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(withIt.blocks)).toContain(ids.call.messageAction);
  });

  it("the lead API records consent with its evidence; bad consent is refused with nothing saved", async () => {
    const post = (body: unknown) =>
      t.post("/api/leads", JSON.stringify(body), {
        "content-type": "application/json",
        authorization: "Bearer test-leads-api-token-0123456789",
      });
    const bad = await post({
      name: "Jane Doe",
      phone: "+12125550182",
      consent: { scope: "robocalls", method: "web form", text: "I agree to calls." },
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { fields: Record<string, string> }).fields.consent).toMatch(/consent.scope must be/);
    expect(await t.app.deps.db.lead.count()).toBe(0);
    const good = await post({
      name: "Jane Doe",
      phone: "+12125550182",
      state: "ny",
      zip: "10001-1234",
      consent: {
        scope: "prerecorded",
        method: "web form",
        text: "I agree to receive prerecorded calls from Acme Realty at this number.",
        at: "2026-11-20T15:04:05Z",
        sourceUrl: "https://acme.example/form",
      },
    });
    expect(good.status).toBe(201);
    const { lead: created } = (await good.json()) as {
      lead: { id: number; state: string; zip: string; doNotCall: boolean; consents: { scope: string; at: string }[] };
    };
    expect(created).toMatchObject({ state: "NY", zip: "10001", doNotCall: false });
    expect(created.consents).toEqual([
      expect.objectContaining({ scope: "prerecorded", at: "2026-11-20T15:04:05.000Z", revokedAt: null }),
    ]);
    const audit = await t.app.deps.db.auditLog.findFirstOrThrow({ where: { action: "consent.recorded" } });
    expect(audit.detail).toContain("***0182");
    expect(audit.detail).not.toContain("2125550182");
    // The same form posted again keeps one record.
    await post({
      name: "Jane Doe",
      phone: "+12125550182",
      consent: {
        scope: "prerecorded",
        method: "web form",
        text: "I agree to receive prerecorded calls from Acme Realty at this number.",
        at: "2026-11-20T15:04:05Z",
      },
    });
    expect(await t.app.deps.db.consent.count()).toBe(1);
    // doNotCall through the API lists the number, ends the consent, and reads back.
    const listed = await post({ name: "Jane Doe", phone: "(212) 555-0182", doNotCall: true });
    expect(((await listed.json()) as { lead: { doNotCall: boolean } }).lead.doNotCall).toBe(true);
    expect((await t.app.deps.db.consent.findFirstOrThrow()).revokedAt).not.toBeNull();
  });
});

describe("the do-not-call list, by number", () => {
  it("9 on a message call lists the number; the next call to any lead with that number is refused", async () => {
    const olga = await withConsent(t.app, t.ws, await lead("Olga Optout", "+12125550105"));
    await click(olga.id, ids.call.messageAction);
    const call = await placedCall();
    const res = await t.signedTwilio(
      `/twilio/voice/menu?call=${call.id}`,
      { CallSid: call.twilioSid!, AccountSid: account.sid, Digits: "9" },
      account.token,
    );
    expect(res.status).toBe(200);
    await t.app.deps.db.call.updateMany({ data: { status: "completed", activeLeadId: null } });
    // The number moves to another lead (a re-import, a typo fixed): it is still listed.
    await t.app.deps.leads.setPhone(t.ws, olga.id, "+12125550177", "U0SAM0001", "+12125550105");
    const again = await lead("Olga Again", "+12125550105");
    await click(again.id);
    const answer = await eventually(() => told().find((r) => /Not calling/.test(r.text ?? "")), "dnc block");
    expect(answer.text).toContain("+1 212 555 0105 is on the team's do-not-call list.");
    expect(t.twilio.creates()).toHaveLength(1);
  });

  it("/dnc add, check and remove (admins only, with a reason), each audited", async () => {
    const answer = async (text: string, user = AGENT) =>
      ((await (await t.command("/dnc", text, user)).json()) as { text: string }).text;
    expect(await answer("add (212) 555-0182 asked us to stop")).toContain(
      "+1 212 555 0182 is on the do-not-call list now",
    );
    expect(await answer("check 212-555-0182")).toContain("is on the do-not-call list (added");
    expect(await answer("remove (212) 555-0182 mistake")).toContain("Only Leadline admins");
    expect(await answer("remove (212) 555-0182", ADMIN)).toContain("Say why");
    expect(await answer("remove (212) 555-0182 added by mistake", ADMIN)).toContain("is off the do-not-call list");
    expect(await answer("check 2125550182")).toContain("is not on the do-not-call list");
    expect(await answer("add banana")).toContain('"banana" is not a phone number');
    expect(await answer("frobnicate 2125550182")).toContain("is not a /dnc command");
    const actions = (await t.app.deps.db.auditLog.findMany({ where: { action: { startsWith: "dnc." } } })).map(
      (row) => row.action,
    );
    expect(actions).toEqual(["dnc.added", "dnc.removed"]);
  });

  it("the Do not call button lists the lead's number and redraws the card without call buttons", async () => {
    const jane = await lead("Jane Doe", "+12125550182");
    await t.interact(
      buttonClick({
        userId: AGENT,
        actionId: ids.lead.dncAction,
        value: String(jane.id),
        channel: CHANNEL,
        messageTs: CARD_TS,
        responseUrl: t.slack.responseUrl(),
      }),
    );
    await eventually(async () => (await t.app.deps.dnc.check(t.ws, "+12125550182")).entry, "listed");
    const entry = (await t.app.deps.dnc.check(t.ws, "+12125550182")).entry!;
    expect(entry).toMatchObject({ source: "card", addedBy: AGENT });
  });

  it("a registry file of 1,000,000 numbers imports with progress and blocks a listed number", async () => {
    const dir = mkdtempSync(join(tmpdir(), "leadline-registry-"));
    try {
      const file = join(dir, "212.txt");
      // 212-200-0000 … 212-299-9999 is 1,000,000 numbers; 212-555-01xx is not among them.
      const lines: string[] = [];
      for (let n = 0; n < 1_000_000; n += 1) lines.push(`212${2_000_000 + n}`);
      writeFileSync(file, `${lines.join("\n")}\n`);
      // Asynchronously: the app under test runs in this process and must keep answering meanwhile.
      const { stdout: out, stderr } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", "src/scripts/dnc-import.ts", file, "--fetched", "2026-11-20"],
        { env: { ...process.env, ...t.env, LOG_LEVEL: "error" }, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
      );
      expect(stderr).toMatch(/Imported [\d,]+ numbers \([\d,]+ new\)/);
      expect(out).toContain("Imported 1,000,000 numbers");
      expect(out).toContain("1,000,000 new on the do-not-call list");
      // How fast it imports is the bench's to say (bench/database.ts), not a timed test's.
      expect(await t.app.deps.db.dncEntry.count({ where: { workspaceId: t.ws, source: "registry" } })).toBe(1_000_000);
      const listed = await lead("Listed Lead", "+12122345678");
      await click(listed.id);
      const answer = await eventually(() => told().find((r) => /Not calling/.test(r.text ?? "")), "registry block");
      expect(answer.text).toContain("+1 212 234 5678 is on the team's do-not-call list.");
      expect(t.twilio.creates()).toHaveLength(0);
      const status = (await (await t.command("/twilio-setup", "status", AGENT)).json()) as { text: string };
      expect(status.text).toContain("Do-not-call registry copy from 2026-11-20");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await t.app.deps.db.dncEntry.deleteMany();
    }
  }, 120_000);
});
