import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FubSimulator, startFubSimulator } from "../../sandbox/fub/simulator.js";
import { createTextStore } from "../../src/services/texts/text-store.js";
import { eventually, expectNowhereInDatabase, freshStart, startTestApp, type TestApp } from "../helpers/app.js";
import { forCall, reference } from "../helpers/callbacks.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";

// Every finished call logged once in Follow Up Boss, through the outbox, while FUB misbehaves.

const PUBLIC = "https://leadline.example.com";
const ADMIN = "U0ADMIN01";
const MARIA = "U0MARIA01";
const FROM = "+15005550006";
const SYSTEM = "Leadline";
const SYSTEM_KEY = "leadline-system-key-0123456789";

let t: TestApp;
let fub: FubSimulator;
let account: FakeAccount;
let ownerKey = "";
let seq = 0;
/** Calls finished through Twilio's signed callbacks; the 200-call, kill -9 proof is crm-outbox-crash.test.ts. */
const N = 40;
/** The simulator's Retry-After on a random 429 (1 s). */
const RETRY_AFTER_MS = 1_000;
/** Every request Leadline sent to FUB, seen from Leadline's side: when it left and when (and how) it was answered. */
const wire: { sentAt: number; answeredAt: number; status: number }[] = [];

/** A message call in progress (so its final callback moves it through the status write). */
async function liveCall(leadId: number, to: string) {
  seq += 1;
  return t.app.deps.db.call.create({
    data: {
      workspaceId: t.ws,
      leadId,
      mode: "message",
      fromNumber: FROM,
      toNumber: to,
      twilioSid: `CA${String(seq).padStart(32, "0")}`,
      status: "in-progress",
      placedBy: MARIA,
      postState: "none",
    },
  });
}

const finish = (call: { twilioSid: string | null; toNumber: string }) =>
  t.signedTwilio(
    "/twilio/status",
    forCall(reference.completedHuman, { sid: call.twilioSid!, accountSid: account.sid, to: call.toNumber, from: FROM }),
    account.token,
  );

const outboxStates = async () => {
  const rows = await t.app.deps.db.crmOutbox.findMany({ where: { workspaceId: t.ws } });
  return { rows, sent: rows.filter((r) => r.state === "sent").length };
};

/** Leadline runs in this process: its fetch to FUB is watched (passed through unchanged). */
function watchFetch(fubUrl: string) {
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(fubUrl)) return original(input, init);
    const sentAt = Date.now();
    try {
      const res = await original(input, init);
      wire.push({ sentAt, answeredAt: Date.now(), status: res.status });
      return res;
    } catch (error) {
      wire.push({ sentAt, answeredAt: Date.now(), status: 0 });
      throw error;
    }
  };
  return () => {
    globalThis.fetch = original;
  };
}
let unwatch = () => {};

beforeAll(async () => {
  fub = await startFubSimulator({
    systems: [{ name: SYSTEM, key: SYSTEM_KEY }],
    limits: { registered: { global: 100_000 } },
  });
  unwatch = watchFetch(fub.url);
  ownerKey = fub.addUser({ name: "Olivia Owner", email: "olivia@team.test", role: "Broker", isOwner: true }).apiKey;
  fub.addUser({ name: "Maria Agent", email: "maria@team.test" });
  t = await startTestApp({
    env: {
      PUBLIC_BASE_URL: PUBLIC,
      ADMIN_SLACK_USER_IDS: ADMIN,
      FUB_API_URL: fub.url,
      FUB_SYSTEM: SYSTEM,
      FUB_SYSTEM_KEY: SYSTEM_KEY,
    },
    crmEvery: "* * * * * *",
    crmBackoffMs: 50,
    crmTimeoutMs: 1_000,
    crmLeaseMs: 5_000,
  });
  t.slack.users.set(MARIA, { id: MARIA, name: "maria", email: "maria@team.test" });
  account = await freshStart(t, { tables: [], from: FROM, agentPhone: "+12125550199", admin: ADMIN });
  await t.app.deps.crmSetup.connect(t.ws, ADMIN, ownerKey);
}, 60_000);

afterAll(async () => {
  unwatch();
  await t?.stop();
  await fub?.close();
});

describe("CRM outbox", () => {
  it("logs finished calls exactly once while FUB answers 429, 5xx, slowly or not at all", async () => {
    const calls = [];
    for (let i = 0; i < N; i += 1) {
      const phone = `+1312555${String(1000 + i)}`;
      const lead = await t.app.deps.leads.create(t.ws, { name: `Lead ${i}`, phone, author: "seed" });
      calls.push(await liveCall(lead.id, phone));
    }
    fub.faults.randomly({ seed: 7, rateLimit: 0.04, serverError: 0.08, slow: 0.03, slowMs: 1_500, drop: 0.04 });
    for (let i = 0; i < calls.length; i += 10) {
      const answers = await Promise.all(calls.slice(i, i + 10).map(finish));
      expect(answers.map((res) => res.status)).toEqual(answers.map(() => 204));
    }
    await eventually(async () => (await outboxStates()).sent === N, "every call logged", 60_000).catch(
      async (error) => {
        const left = (await outboxStates()).rows.filter((r) => r.state !== "sent");
        throw new Error(
          `${error}: ${JSON.stringify(left.map((r) => [r.sid.slice(-4), r.state, r.attempts, r.dueAt, r.claimedUntil, r.lastError]))} paused ${JSON.stringify(await t.app.deps.db.crmConnection.findMany({ select: { pausedUntil: true } }))} now ${new Date().toISOString()}`,
        );
      },
    );
    fub.faults.clear();
    const logged = [...fub.calls.values()];
    const sids = logged.map((c) => /Call SID: (CA\w+)/.exec(c.note ?? "")?.[1]);
    expect(new Set(sids).size).toBe(N);
    expect(logged).toHaveLength(N);
    expect(sids.sort()).toEqual(calls.map((c) => c.twilioSid).sort());
    // Every request identified the system; none came before a Retry-After FUB gave had run out.
    expect(fub.requests.every((r) => r.system === SYSTEM && r.registered)).toBe(true);
    // No request left Leadline while a Retry-After it had heard ran (what FUB asks). The simulator's own
    // ledger also counts requests Leadline sent before it heard the 429 (other workers' requests in flight).
    const heard = wire.filter((w) => w.status === 429).map((w) => w.answeredAt);
    const late = wire.filter((w) => heard.some((at) => w.sentAt > at && w.sentAt < at + RETRY_AFTER_MS));
    expect(late).toEqual([]);
    expect(heard.length).toBeGreaterThan(0);
    expect(fub.requests.some((r) => r.fault)).toBe(true);
    // Logged as Maria (the user map), on the lead's person, with FUB's outcome for a completed human call.
    const maria = [...fub.store.users.values()].find((u) => u.email === "maria@team.test")!;
    expect(logged.every((c) => c.userId === maria.id && c.isIncoming === false)).toBe(true);
  }, 90_000);

  it("an outcome changed after logging updates FUB's record instead of adding one", async () => {
    const lead = await t.app.deps.leads.create(t.ws, { name: "Olive Outcome", phone: "+13125559000", author: "seed" });
    const call = await liveCall(lead.id, "+13125559000");
    expect((await finish(call)).status).toBe(204);
    const loggedOf = () => [...fub.calls.values()].filter((c) => c.note?.includes(call.twilioSid!));
    await eventually(() => loggedOf().length === 1, "the call logged");
    await t.app.deps.outcomes.record({ ws: t.ws, callId: call.id, outcome: "appointment", by: MARIA });
    await eventually(() => loggedOf()[0]?.outcome === "Interested", "the outcome logged");
    await t.app.deps.outcomes.record({
      ws: t.ws,
      callId: call.id,
      outcome: "not_interested",
      by: MARIA,
      deliberate: true,
    });
    await eventually(() => loggedOf()[0]?.outcome === "Not Interested", "the changed outcome logged");
    const row = () => t.app.deps.db.crmOutbox.findFirstOrThrow({ where: { callId: call.id } });
    await eventually(async () => (await row()).sentVersion === 3, "the row sent at its last version");
    expect(await row()).toMatchObject({ state: "sent", version: 3, sentVersion: 3 });
    expect(loggedOf()).toHaveLength(1);
    expect(loggedOf()[0]!.note).toContain("Not interested");
  });

  it("shows a refusal that will never succeed as failed, not retried, and Retry sends it again", async () => {
    const lead = await t.app.deps.leads.create(t.ws, { name: "Rita Refused", phone: "+13125559001", author: "seed" });
    // The lead is linked to a FUB person that FUB no longer has: FUB answers 404 to the call, every time.
    await t.app.deps.db.crmPerson.create({ data: { workspaceId: t.ws, personId: 999_999, leadId: lead.id } });
    const call = await liveCall(lead.id, "+13125559001");
    expect((await finish(call)).status).toBe(204);
    const row = () => t.app.deps.db.crmOutbox.findFirstOrThrow({ where: { callId: call.id } });
    await eventually(async () => (await row()).state === "failed", "the refusal recorded");
    expect((await row()).lastError).toBe("404: Person 999999 not found.");
    const posts = () => fub.requests.filter((r) => r.op === "POST /v1/calls" && r.status === 404).length;
    const refusals = posts();
    await t.app.deps.crmSender.drain();
    expect(posts()).toBe(refusals);
    const status = await t.app.deps.crmSetup.status(t.ws, ADMIN);
    expect(status.outbox.failed).toBe(1);
    expect(status.outbox.failures[0]).toMatchObject({
      sid: call.twilioSid,
      lastError: "404: Person 999999 not found.",
    });
    await t.app.deps.db.crmPerson.deleteMany({ where: { personId: 999_999 } });
    expect(await t.app.deps.crmSetup.retry(t.ws, ADMIN)).toBe(1);
    t.app.deps.crmSender.hurry();
    await eventually(async () => (await row()).state === "sent", "sent after Retry");
  });

  it("logs every text sent and received once, a lost answer looked up before any resend", async () => {
    const texts = createTextStore(t.app.deps.database);
    const phone = "+13125559100";
    const lead = await t.app.deps.leads.create(t.ws, { name: "Tess Texter", phone, author: "seed" });
    const draft = await t.app.deps.db.text.create({
      data: {
        workspaceId: t.ws,
        leadId: lead.id,
        direction: "outbound",
        phone,
        body: "Hi Tess, it's Maria.",
        status: "sending",
        agentId: MARIA,
      },
    });
    // FUB takes the first text but its answer never arrives: the sender looks in the person's texts before sending again.
    fub.faults.script("POST /v1/textMessages", { kind: "drop", applied: true });
    await texts.recordSent(draft.id, "SM00000000000000000000000000000001", "queued", FROM);
    await texts.recordInbound({
      workspaceId: t.ws,
      phone,
      teamNumber: FROM,
      body: "Sure, call me at 5",
      sid: "SM00000000000000000000000000000002",
      optOutType: null,
    });
    // A text from a number that is no lead is not the CRM's business.
    await texts.recordInbound({
      workspaceId: t.ws,
      phone: "+13125559199",
      teamNumber: FROM,
      body: "wrong number?",
      sid: "SM00000000000000000000000000000003",
      optOutType: null,
    });
    expect(await t.app.deps.db.crmOutbox.count({ where: { kind: "text" } })).toBe(2);
    t.app.deps.crmSender.hurry();
    const rows = () => t.app.deps.db.crmOutbox.findMany({ where: { kind: "text" } });
    await eventually(async () => (await rows()).every((r) => r.state === "sent"), "both texts logged");
    const logged = [...fub.texts.values()].filter((x) => x.externalLabel?.startsWith("Leadline text SM"));
    expect(logged).toHaveLength(2);
    expect(logged.find((x) => !x.isIncoming)).toMatchObject({
      message: "Hi Tess, it's Maria.",
      fromNumber: FROM,
      toNumber: phone,
    });
    expect(logged.find((x) => x.isIncoming)).toMatchObject({
      message: "Sure, call me at 5",
      fromNumber: phone,
      toNumber: FROM,
    });
    expect(fub.requests.some((r) => r.op === "GET /v1/textMessages" && r.status === 200)).toBe(true);
    expect(fub.requests.filter((r) => r.op === "POST /v1/textMessages" && r.status === 201)).toHaveLength(1);
  });

  it("a key without access to the lead's FUB person: FUB's 403 shown in status, not retried", async () => {
    const agentKey = fub.addUser({ name: "Alex Agent", email: "alex@team.test" }).apiKey;
    await t.app.deps.crmSetup.connect(t.ws, ADMIN, agentKey);
    const phone = "+13125559200";
    const lead = await t.app.deps.leads.create(t.ws, { name: "Owen Owned", phone, author: "seed" });
    // A person only the owner (and their assignee) may see: an agent's key gets FUB's 403.
    const person = fub.store.createPerson({ firstName: "Owen", lastName: "Owned", phones: [{ value: phone }] });
    await t.app.deps.db.crmPerson.create({ data: { workspaceId: t.ws, personId: person.id, leadId: lead.id } });
    const call = await liveCall(lead.id, phone);
    try {
      expect((await finish(call)).status).toBe(204);
      const row = () => t.app.deps.db.crmOutbox.findFirstOrThrow({ where: { callId: call.id } });
      await eventually(async () => (await row()).state === "failed", "the refusal recorded");
      const status = await t.app.deps.crmSetup.status(t.ws, ADMIN);
      expect(status.outbox.failures[0]).toMatchObject({
        sid: call.twilioSid,
        lastError: "403: You do not have access to this person.",
        attempts: 1,
      });
    } finally {
      await t.app.deps.crmSetup.connect(t.ws, ADMIN, ownerKey);
    }
  });

  it("never writes the API key into the database files or the logs", async () => {
    await expectNowhereInDatabase(t, [ownerKey]);
    expect(t.logs.join("").includes(ownerKey)).toBe(false);
  });
});
