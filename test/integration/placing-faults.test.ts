// What a soak and a red team found about placing calls (issue 22): a call Twilio accepted is never
// reported as failed when the database write after it fails; a status callback that arrives before
// Twilio's answer to the create was stored is applied, not refused as forged; a browser-call link is
// judged by calling law before it is handed out.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import {
  CHANNEL,
  eventually,
  freshStart,
  holdWriteLock,
  startTestApp,
  type TestApp,
  withConsent,
} from "../helpers/app.js";
import { forCall, reference } from "../helpers/callbacks.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";

const AGENT = "U0MARIA01";
const ADMIN = "U0ADMIN01";
const FROM = "+15005550006";
const AGENT_PHONE = "+12125550199";
const PUBLIC = "https://leadline.example.com";

let t: TestApp;
let account: FakeAccount;
/** How far the app's clock is ahead of real time (the sweep looks for calls quiet for 3 minutes). */
let ahead = 0;

const click = (leadId: number, action: string = ids.call.messageAction) =>
  t.interact(
    buttonClick({
      userId: AGENT,
      actionId: action,
      value: String(leadId),
      channel: CHANNEL,
      messageTs: "1760000000.000100",
      responseUrl: t.slack.responseUrl(),
    }),
  );
const told = () => t.slack.responses.map((r) => String(r.body.text ?? ""));

beforeAll(async () => {
  t = await startTestApp({
    env: { PUBLIC_BASE_URL: PUBLIC, ADMIN_SLACK_USER_IDS: ADMIN },
    clock: () => new Date(Date.now() + ahead),
    sweepIntervalMs: 3_600_000,
  });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  account = await freshStart(t, {
    tables: ["call", "note", "lead", "dncEntry", "consent", "auditLog"],
    from: FROM,
    agentPhone: AGENT_PHONE,
    admin: ADMIN,
  });
  t.twilio.delays.clear();
  t.twilio.holds.clear();
  ahead = 0;
});

async function consentedLead(name: string, phone: string) {
  return withConsent(t.app, t.ws, await t.app.deps.leads.create(t.ws, { name, phone, author: "seed" }));
}

describe("a call Twilio accepted", () => {
  it("is never reported as failed when saving it fails: the clicker is told it was placed, the lead stays guarded, and it is adopted from Twilio", async () => {
    const jane = await consentedLead("Jane Doe", "+12125550182");
    // Twilio takes its time answering; while it does, another writer takes the database and keeps it
    // (until the clicker has been told, at most 30 s: the app's background ticks wait on the same lock).
    let answer!: () => void;
    t.twilio.holds.set("createCall", new Promise<void>((resolve) => (answer = resolve)));
    await click(jane.id);
    await eventually(() => t.twilio.creates()[0], "Calls create");
    const lock = await holdWriteLock(t, 30_000);
    answer();
    const warning = await eventually(
      () => told().find((text) => text.includes("was placed") && text.includes("could not save it yet")),
      "the clicker told the call was placed",
      28_000,
    );
    expect(warning).toContain("Do not call again");
    expect(told().join("\n")).not.toMatch(/Something went wrong|nothing was dialed|try again/i);
    await lock.release();
    // The row kept the guard: a second click is "already calling", never a second dial.
    const creates = t.twilio.creates().length;
    await click(jane.id);
    await eventually(() => told().find((text) => text.includes("Already calling")), "already calling");
    expect(t.twilio.creates()).toHaveLength(creates);
    // The sweep's settle asks Twilio and adopts the call (never re-dials).
    const row = await t.app.deps.db.call.findFirstOrThrow({ where: { leadId: jane.id } });
    expect(row.twilioSid).toBeNull();
    expect(await t.app.deps.reconciler.settle(row)).toBe("placed");
    const adopted = await t.app.deps.db.call.findUniqueOrThrow({ where: { id: row.id } });
    expect(adopted.twilioSid).toBe([...t.twilio.calls.keys()].at(-1));
    expect(t.twilio.creates()).toHaveLength(creates);
  }, 60_000);
});

describe("a status callback before Twilio's answer is stored", () => {
  it("is verified by the call and workspace in its URL, applied, and never logged as forged", async () => {
    const jane = await consentedLead("Jane Doe", "+12125550182");
    // Twilio answers the create only after the test has sent the early callback.
    let answer!: () => void;
    t.twilio.holds.set("createCall", new Promise<void>((resolve) => (answer = resolve)));
    await click(jane.id);
    const create = await eventually(() => t.twilio.creates()[0], "Calls create");
    const sid = [...t.twilio.calls.keys()].at(-1)!;
    const callback = new URL(create.params.get("StatusCallback")!);
    // Twilio sends `initiated` while its answer to the create is still on its way.
    expect((await t.app.deps.db.call.findFirstOrThrow({ where: { leadId: jane.id } })).twilioSid).toBeNull();
    const ref = { sid, accountSid: account.sid, to: "+12125550182", from: FROM };
    const logs = t.logs.length;
    const res = await t.signedTwilio(
      `${callback.pathname}${callback.search}`,
      forCall(reference.initiated, ref),
      account.token,
    );
    expect(res.status).toBe(204);
    const row = await t.app.deps.db.call.findFirstOrThrow({ where: { leadId: jane.id } });
    expect(row.twilioSid).toBe(sid);
    expect(await t.app.deps.db.callEvent.count({ where: { callId: row.id, status: "initiated" } })).toBe(1);
    expect(t.logs.slice(logs).join("\n")).not.toMatch(/refused/);
    // The create's answer lands afterwards and moves nothing back.
    answer();
    await eventually(async () => (await t.app.deps.db.note.count({ where: { leadId: jane.id } })) > 0, "placed");
    expect((await t.app.deps.db.call.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("initiated");
    // The same early callback, but for another workspace's call id or a forged SID, is refused.
    const wrong = await t.signedTwilio(
      `/twilio/status?call=${row.id + 1000}&ws=${t.ws}`,
      forCall(reference.initiated, { ...ref, sid: `CA${"7".repeat(32)}` }),
      account.token,
    );
    expect(wrong.status).toBe(404);
  });
});

describe("Browser call", () => {
  it("hands out no phone link for a lead calling law blocks now: the compliance card instead, nothing stored", async () => {
    await t.app.deps.settings.save(
      t.ws,
      { apiKeySid: `SK${"1".repeat(32)}`, apiKeySecret: "secret-value-123", twimlAppSid: `AP${"2".repeat(32)}` },
      ADMIN,
    );
    // The team's own window (set by an admin) is 20:00-21:00: at 14:00 in New York, calls to Jane wait.
    await t.app.deps.settings.save(t.ws, { callingWindow: "20:00-21:00" }, ADMIN);
    const jane = await consentedLead("Jane Doe", "+12125550182");
    await click(jane.id, ids.call.browserAction);
    const card = await eventually(
      () => t.slack.responses.find((r) => JSON.stringify(r.body).includes("team's calling window")),
      "the compliance card",
    );
    expect(JSON.stringify(card.body)).not.toContain("/phone?t=");
    expect(await t.app.deps.db.browserLink.count()).toBe(0);
    const blocked = await t.app.deps.db.auditLog.findFirstOrThrow({ where: { action: "call.blocked" } });
    expect(JSON.parse(blocked.detail)).toMatchObject({ leadId: jane.id, mode: "browser" });
    await t.app.deps.settings.save(t.ws, {}, ADMIN, ["callingWindow"]);
  });
});

describe("the sweep of a live call whose callbacks were lost (M2)", () => {
  it("settles it from the lead's leg; a sweep that learns nothing leaves the call's age alone", async () => {
    const jane = await consentedLead("Jane Doe", "+12125550182");
    await click(jane.id, ids.call.liveAction);
    await eventually(() => t.twilio.creates()[0], "Calls create");
    const call = await eventually(
      async () =>
        (await t.app.deps.db.call.findFirst({ where: { leadId: jane.id, twilioSid: { not: null } } })) ?? undefined,
      "the call placed",
    );
    // The agent answered and pressed a key; the lead was dialled; every callback after that was lost.
    const agentLeg = { sid: call.twilioSid!, accountSid: account.sid, to: AGENT_PHONE, from: FROM };
    const answered = forCall(reference.initiated, agentLeg, { CallStatus: "in-progress", SequenceNumber: "2" });
    expect((await t.signedTwilio(`/twilio/status?call=${call.id}&ws=${t.ws}`, answered, account.token)).status).toBe(
      204,
    );
    const sim = t.twilio.sim;
    sim.resource(call.twilioSid!)!.status = "in-progress";
    const leadLeg = sim.addLeg(call.twilioSid!, { to: "+12125550182", status: "in-progress" });
    const ringing = forCall(
      reference.initiated,
      { ...agentLeg, sid: leadLeg, to: "+12125550182" },
      {
        CallStatus: "in-progress",
        ParentCallSid: call.twilioSid!,
      },
    );
    expect(
      (await t.signedTwilio(`/twilio/status/lead?call=${call.id}&ws=${t.ws}`, ringing, account.token)).status,
    ).toBe(204);
    const live = await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } });
    expect(live.status).toBe("in-progress");

    // Nothing more is heard; Twilio still says both legs are in progress. A sweep learns nothing.
    const child = leadLeg;
    ahead = 4 * 60_000;
    const quiet = await t.app.deps.sweeper.sweep();
    expect(quiet.checked).toBe(1);
    const after = await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } });
    expect(after.status).toBe("in-progress");
    expect(after.updatedAt.getTime()).toBe(live.updatedAt.getTime());
    // Asked again only once the quiet time has passed again.
    expect((await t.app.deps.sweeper.sweep()).checked).toBe(0);

    // The lead hung up: Twilio says the lead's leg completed (47 s) and then the agent's. The sweep settles it.
    sim.resource(child)!.status = "completed";
    sim.resource(child)!.duration = "47";
    sim.resource(call.twilioSid!)!.status = "completed";
    ahead = 8 * 60_000;
    expect((await t.app.deps.sweeper.sweep()).checked).toBe(1);
    const done = await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } });
    expect(done).toMatchObject({ status: "completed", durationSec: 47, activeLeadId: null });
    // The lead is free again: a new call is placed, not "already calling".
    ahead = 0;
    const creates = t.twilio.creates().length;
    await click(jane.id, ids.call.liveAction);
    await eventually(() => t.twilio.creates().length > creates, "a new call");
  });
});
