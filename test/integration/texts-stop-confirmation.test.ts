import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dropSharedDatabase, eventually, freshStart, startTestApp, type TestApp } from "../helpers/app.js";
import { startFakeSlack } from "../helpers/fake-slack.js";
import { type FakeAccount, startFakeTwilio } from "../helpers/fake-twilio.js";

// A STOP gets at most one confirmation text: Twilio's own (the default), or the team's own when the admin
// wrote one — sent once per opt-out whatever replays of the STOP webhook reach whichever instance, and
// never doubled when Twilio's own opt-out handling is still on (Twilio refuses it with 21610).

const PUBLIC = "https://leadline.example.com";
const ADMIN = "U0ADMIN01";
const TEAM = "+15005550006";
const NY = "+12125550182";
const OWN = "Acme Realty: you will get no more texts or calls from us. Reply START to text again.";

describe("the STOP confirmation", () => {
  let dir: string;
  let fakes: { slack: Awaited<ReturnType<typeof startFakeSlack>>; twilio: Awaited<ReturnType<typeof startFakeTwilio>> };
  let account: FakeAccount;
  let a: TestApp;
  let b: TestApp;

  const creates = () => fakes.twilio.requests.filter((r) => r.method === "POST" && r.path.endsWith("/Messages.json"));
  const confirmations = () => creates().filter((r) => r.params.get("Body") === OWN);
  const sid = () => `SM${randomBytes(16).toString("hex")}`;
  /** Twilio's webhook for a text from the lead, posted to one instance (a replay is the same params again). */
  const inbound = (to: TestApp, params: Record<string, string>) =>
    to.signedTwilio(
      `/twilio/sms/inbound?ws=${to.ws}`,
      { AccountSid: account.sid, To: TEAM, From: NY, ...params },
      account.token,
    );
  /** What Twilio does on a STOP while its own opt-out handling is on: the sender on the account's list. */
  const twilioStop = () => {
    if (account.stopFiltering !== false) fakes.twilio.sim.optOuts(account.sid).add(NY);
  };
  const notice = (words: string) =>
    eventually(
      () => fakes.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes(words)),
      `the thread says: ${words}`,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "leadline-stop-"));
    fakes = { slack: await startFakeSlack(), twilio: await startFakeTwilio() };
    const env = {
      APP_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      PUBLIC_BASE_URL: PUBLIC,
      ADMIN_SLACK_USER_IDS: ADMIN,
    };
    a = await startTestApp({ ...fakes, dir, env });
    b = await startTestApp({ ...fakes, dir, env });
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await fakes.slack.close();
    await fakes.twilio.close();
    rmSync(dir, { recursive: true, force: true });
    await dropSharedDatabase(dir);
  });
  beforeEach(async () => {
    account = await freshStart(a, {
      tables: ["text", "textOptOut", "scheduledCall", "call", "consent", "lead", "dncEntry", "auditLog"],
      from: TEAM,
      agentPhone: "+12125550199",
      admin: ADMIN,
    });
    fakes.twilio.sim.holdTexts(true);
    fakes.twilio.sim.messages.clear();
    const service = fakes.twilio.sim.addMessagingService(account.sid, { senders: [TEAM] }).sid;
    fakes.twilio.sim.setCampaign(service, "VERIFIED");
    await a.app.deps.settings.save(a.ws, { messagingServiceSid: service, textTeamName: "Acme Realty" }, ADMIN);
    await a.app.deps.leads.create(a.ws, { name: "Jane Doe", phone: NY, author: "seed" });
  });

  it("by default Twilio's reply is the one confirmation: Leadline texts nothing and says so in the thread", async () => {
    twilioStop();
    expect((await inbound(a, { MessageSid: sid(), Body: "STOP", OptOutType: "STOP" })).status).toBe(200);
    await notice("Twilio answered the STOP with its own confirmation");
    await a.app.deps.tasks.drain(2_000);
    expect(creates()).toHaveLength(0);
    expect(await a.app.deps.db.dncEntry.count({ where: { phone: NY } })).toBe(1);
  });

  it("the team's own confirmation, Twilio's handling off: one text for one STOP, replayed to both instances at once", async () => {
    account.stopFiltering = false;
    await a.app.deps.settings.save(a.ws, { textStopConfirmation: OWN }, ADMIN);
    const stop = { MessageSid: sid(), Body: "Stop" };
    const answers = await Promise.all([a, b, a, b, a, b].map((to) => inbound(to, stop)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await eventually(() => confirmations().length === 1, "the confirmation");
    await notice("the team's STOP confirmation was texted (once)");
    expect(confirmations()[0]!.params.get("To")).toBe(NY);
    // A second STOP while already opted out is no new opt-out: no second confirmation.
    await inbound(b, { MessageSid: sid(), Body: "STOP" });
    await a.app.deps.tasks.drain(2_000);
    await b.app.deps.tasks.drain(2_000);
    expect(confirmations()).toHaveLength(1);
    expect(await a.app.deps.db.text.count({ where: { kind: "confirmation" } })).toBe(1);
    expect(await a.app.deps.db.auditLog.count({ where: { action: "dnc.text_opt_out" } })).toBe(2);
    // START, then STOP again: a new opt-out, its own one confirmation.
    await inbound(a, { MessageSid: sid(), Body: "START" });
    await inbound(b, { MessageSid: sid(), Body: "stop" });
    await eventually(() => confirmations().length === 2, "the second opt-out's confirmation");
  });

  it("the team's own confirmation while Twilio still handles STOP: Twilio refuses it (21610), nothing more is sent, the opt-out is recorded once", async () => {
    await a.app.deps.settings.save(a.ws, { textStopConfirmation: OWN }, ADMIN);
    twilioStop();
    await inbound(a, { MessageSid: sid(), Body: "STOP", OptOutType: "STOP" });
    await notice("the team's STOP confirmation was not sent");
    await a.app.deps.tasks.drain(2_000);
    expect(confirmations()).toHaveLength(1);
    expect(fakes.twilio.sim.messages.size).toBe(0);
    const row = await a.app.deps.db.text.findFirstOrThrow({ where: { kind: "confirmation" } });
    expect([row.status, row.errorCode]).toEqual(["not_sent", 21610]);
    expect(await a.app.deps.db.auditLog.count({ where: { action: "dnc.text_opt_out" } })).toBe(1);
    expect(
      fakes.slack.callsTo("chat.postMessage").filter((c) => String(c.args.text).includes("opted out")),
    ).toHaveLength(1);
  });
});
