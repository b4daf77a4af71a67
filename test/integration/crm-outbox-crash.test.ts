import { randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FubSimulator, startFubSimulator } from "../../sandbox/fub/simulator.js";
import { createOutboxStore } from "../../src/services/crm/outbox-store.js";
import { type DatabaseHandle, openDatabase } from "../../src/services/store/db.js";
import { CALLING_TIME, dropSharedDatabase, eventually, startTestApp } from "../helpers/app.js";
import { type FakeSlack, startFakeSlack } from "../helpers/fake-slack.js";
import { type FakeTwilio, startFakeTwilio } from "../helpers/fake-twilio.js";
import { type ChildApp, childDatabaseUrl, startChildApp } from "../security/child-app.js";

// Every finished call logged once in Follow Up Boss while FUB answers 429, 5xx, slowly or not at all,
// across kill -9 of the sender and two instances sending at once. The calls are finished straight in
// the database through the outbox store (the status write's own enqueue is proven by the store
// contracts and crm-outbox.test.ts); Leadline runs in processes of its own (test/helpers/child-app.ts):
// the first SIGKILLs itself the nth time FUB has taken a call but before its row says so (the worst
// moment: a resend would log the call twice), then two fresh instances finish the job.
// LEADLINE_CRM_SEED replays a run (printed).

const SEED = Number(process.env.LEADLINE_CRM_SEED ?? randomInt(2 ** 31));
const N = Number(process.env.CRM_TEST_CALLS ?? 200);
const SYSTEM = "Leadline";
const SYSTEM_KEY = "leadline-system-key-0123456789";
const ADMIN = "U0ADMIN01";
const MARIA = "U0MARIA01";
const FROM = "+15005550006";
const CHILD_OPTIONS = {
  callingTime: CALLING_TIME.toISOString(),
  crmEvery: "* * * * * *",
  crmBackoffMs: 50,
  crmTimeoutMs: 400,
  crmLeaseMs: 3_000,
};

let fub: FubSimulator;
let slack: FakeSlack;
let twilio: FakeTwilio;
let dir = "";
let db: DatabaseHandle;
const key = randomBytes(32).toString("base64");
const children: ChildApp[] = [];
const sids: string[] = [];

beforeAll(async () => {
  fub = await startFubSimulator({
    systems: [{ name: SYSTEM, key: SYSTEM_KEY }],
    limits: { registered: { global: 100_000 } },
    autoEmit: false,
  });
  const ownerKey = fub.addUser({
    name: "Olivia Owner",
    email: "olivia@team.test",
    role: "Broker",
    isOwner: true,
  }).apiKey;
  const maria = fub.addUser({ name: "Maria Agent", email: "maria@team.test" });
  slack = await startFakeSlack();
  twilio = await startFakeTwilio();
  slack.users.set(MARIA, { id: MARIA, name: "maria", email: "maria@team.test" });
  dir = mkdtempSync(join(tmpdir(), "leadline-crm-crash-"));
  // The workspace connected to FUB by the app itself (the key checked and stored encrypted), then stopped.
  const seed = await startTestApp({
    dir,
    slack,
    twilio,
    env: {
      APP_ENCRYPTION_KEY: key,
      LOG_LEVEL: "silent",
      ADMIN_SLACK_USER_IDS: ADMIN,
      FUB_API_URL: fub.url,
      FUB_SYSTEM: SYSTEM,
      FUB_SYSTEM_KEY: SYSTEM_KEY,
    },
  });
  const ws = seed.ws;
  const leads = [];
  try {
    await seed.app.deps.crmSetup.connect(ws, ADMIN, ownerKey);
    for (let i = 0; i < N; i += 1)
      leads.push(
        await seed.app.deps.leads.create(ws, {
          name: `Lead ${i}`,
          phone: `+1312555${String(1000 + i)}`,
          author: "seed",
        }),
      );
  } finally {
    await seed.stop();
  }
  // The calls finished after the app stopped, so no sender saw them before the test's instances start.
  ({ database: db } = await openDatabase(childDatabaseUrl(dir)));
  const outbox = createOutboxStore(db);
  const now = new Date();
  for (const [i, lead] of leads.entries()) {
    const phone = lead.phone!;
    // Half the leads are FUB people already (linked); the sender finds or creates the others.
    if (i % 2 === 0) {
      const person = fub.store.createPerson({ firstName: `Lead ${i}`, phones: [{ value: phone }] });
      await db.prisma.crmPerson.create({ data: { workspaceId: ws, personId: person.id, leadId: lead.id } });
    }
    const sid = `CA${String(i).padStart(32, "0")}`;
    const call = await db.prisma.call.create({
      data: {
        workspaceId: ws,
        leadId: lead.id,
        mode: "message",
        fromNumber: FROM,
        toNumber: phone,
        twilioSid: sid,
        status: "completed",
        answeredBy: "human",
        durationSec: 30 + i,
        placedBy: MARIA,
        postState: "none",
      },
    });
    await outbox.enqueueCall(ws, sid, call.id, now);
    sids.push(sid);
  }
  expect(maria.id).toBeGreaterThan(0);
}, 120_000);

afterAll(async () => {
  for (const child of children) await child.stop();
  await db?.close();
  await fub?.close();
  await slack?.close();
  await twilio?.close();
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
    await dropSharedDatabase(dir);
  }
});

const start = (crashAt?: { point: string; nth: number }) =>
  startChildApp({
    slack,
    twilioUrl: twilio.url,
    dir,
    key,
    callingTime: CALLING_TIME,
    env: {
      FUB_API_URL: fub.url,
      FUB_SYSTEM: SYSTEM,
      FUB_SYSTEM_KEY: SYSTEM_KEY,
      LOG_LEVEL: "warn",
      LEADLINE_TEST_OPTIONS: JSON.stringify({ ...CHILD_OPTIONS, ...(crashAt ? { crashAt } : {}) }),
    },
  }).then((child) => {
    children.push(child);
    return child;
  });

const sentRows = async () => db.prisma.crmOutbox.count({ where: { state: "sent" } });

describe("CRM outbox across kill -9", () => {
  it(`logs ${N} finished calls exactly once while FUB misbehaves, across kill -9 and two instances`, async () => {
    const nth = 5 + (SEED % 30);
    console.log(`LEADLINE_CRM_SEED=${SEED} (kill at crm.logged #${nth})`);
    fub.faults.randomly({ seed: SEED, rateLimit: 0.01, serverError: 0.06, slow: 0.03, slowMs: 700, drop: 0.03 });
    // Two instances send at once; one of them is killed at the worst moment, the other finishes the job
    // (the dead one's claims run out, and a row it may have sent is looked up in FUB before anything is resent).
    // (Started one after the other: two Leadlines starting at the same instant on one SQLite file can
    // collide in the workspace claim at start-up, which is not what this test is about.)
    const dying = await start({ point: "crm.logged", nth });
    const survivor = await start();
    const exit = await dying.exited;
    expect(exit, `instance 1 died at #${nth}`).toMatchObject({ signal: "SIGKILL" });
    expect(dying.stderr()).toContain(`crashing at crm.logged #${nth}`);
    expect(await sentRows()).toBeLessThan(N);
    await eventually(async () => (await sentRows()) === N, `all ${N} rows sent`, 90_000);
    survivor.assertAlive("sending every row");
    fub.faults.clear();

    const logged = [...fub.calls.values()];
    const loggedSids = logged.map((c) => /Call SID: (CA\w+)/.exec(c.note ?? "")?.[1]);
    expect(logged).toHaveLength(N);
    expect(new Set(loggedSids).size).toBe(N);
    expect([...loggedSids].sort()).toEqual([...sids].sort());
    // One FUB person per lead's phone: a person created by a send whose answer was lost is found, not made again.
    const phones = [...fub.people.values()].flatMap((p) => p.phones.map((phone) => phone.value));
    expect(phones).toHaveLength(new Set(phones).size);
    expect(fub.requests.some((r) => r.fault === "drop") && fub.requests.some((r) => r.fault === "server-error")).toBe(
      true,
    );
    expect(fub.requests.every((r) => r.system === SYSTEM && r.registered)).toBe(true);
    // The row the first instance died on was looked up in FUB's calls before anything was resent.
    expect(fub.requests.some((r) => r.op === "GET /v1/calls")).toBe(true);
    const rows = await db.prisma.crmOutbox.findMany();
    expect(rows.every((r) => r.state === "sent" && r.sentVersion === r.version && r.remoteId !== null)).toBe(true);
  }, 180_000);
});
