import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FubSimulator, startFubSimulator } from "../../sandbox/fub/simulator.js";
import { crmFields, ids } from "../../src/lib/ids.js";
import { eventually, expectNowhereInDatabase, startTestApp, type TestApp } from "../helpers/app.js";
import { buttonClick, viewSubmission } from "../helpers/payloads.js";

// /crm-setup as an admin uses it: the key checked with Follow Up Boss (its own words when refused),
// stored encrypted, users matched by email and mapped by hand, the sync's status with Retry.

const PUBLIC = "https://leadline.example.com";
const ADMIN = "U0ADMIN01";
const MARIA = "U0MARIA01";
const SAM = "U0SAM0001";
const AGENT = "U0AGENT01";
const SYSTEM = "Leadline";
const SYSTEM_KEY = "leadline-system-key-0123456789";

let t: TestApp;
let fub: FubSimulator;
let ownerKey = "";
let agentKey = "";

beforeAll(async () => {
  fub = await startFubSimulator({ systems: [{ name: SYSTEM, key: SYSTEM_KEY }] });
  ownerKey = fub.addUser({ name: "Olivia Owner", email: "olivia@team.test", role: "Broker", isOwner: true }).apiKey;
  fub.addUser({ name: "Maria Agent", email: "Maria@Team.test" });
  agentKey = fub.addUser({ name: "Sam Agent", email: "sam.fub@team.test" }).apiKey;
  t = await startTestApp({
    env: {
      PUBLIC_BASE_URL: PUBLIC,
      ADMIN_SLACK_USER_IDS: ADMIN,
      FUB_API_URL: fub.url,
      FUB_SYSTEM: SYSTEM,
      FUB_SYSTEM_KEY: SYSTEM_KEY,
    },
  });
  t.slack.users.set(ADMIN, { id: ADMIN, name: "admin" });
  t.slack.users.set(MARIA, { id: MARIA, name: "maria", email: "maria@team.test" });
  t.slack.users.set(SAM, { id: SAM, name: "sam", email: "sam@team.test" });
  t.slack.users.set(AGENT, { id: AGENT, name: "agent" });
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await fub?.close();
});

async function openModal(user = ADMIN) {
  const before = t.slack.callsTo("views.open").length;
  expect((await t.command("/crm-setup", "", user)).status).toBe(200);
  await eventually(() => t.slack.callsTo("views.open").length > before, "views.open");
  return [...t.slack.views.values()].at(-1)!;
}

async function submit(view: Record<string, unknown>, key: string) {
  const res = await t.interact(viewSubmission(view, ADMIN, { [crmFields.apiKey]: key }));
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The newest ephemeral answer through the command's response_url that contains `words`. */
const answer = (words: string) =>
  eventually(() => t.slack.responses.find((r) => JSON.stringify(r.body).includes(words)), `an answer with "${words}"`);

describe("/crm-setup", () => {
  it("is for admins: anyone else is told so and no form opens", async () => {
    const opened = t.slack.callsTo("views.open").length;
    await t.command("/crm-setup", "", AGENT);
    await answer("Only Leadline admins can connect or change the CRM.");
    await t.command("/crm-setup", "status", AGENT);
    // The command's answer goes through its response_url after the ack: wait for the second refusal itself.
    const refusals = () =>
      t.slack.responses.filter((r) => JSON.stringify(r.body).includes("Only Leadline admins can connect")).length;
    await eventually(() => refusals() === 2, "the second refusal");
    await t.app.deps.tasks.drain(5_000);
    expect(t.slack.callsTo("views.open").length).toBe(opened);
    expect(await t.app.deps.db.auditLog.count({ where: { action: "crm_settings.forbidden", actor: AGENT } })).toBe(2);
  });

  it("refuses a wrong key with Follow Up Boss's own words and saves nothing", async () => {
    const view = await openModal();
    const wrong = "wrong-key-0123456789abcdef";
    const { status, body } = await submit(view, wrong);
    expect(status).toBe(200);
    expect(body).toEqual({
      response_action: "errors",
      errors: {
        [crmFields.apiKey]: 'Follow Up Boss refused the API key: "Missing or invalid user API key." Nothing was saved.',
      },
    });
    const asked = fub.requests.filter((r) => r.op === "GET /v1/identity");
    expect(asked.at(-1)).toMatchObject({ status: 401, system: SYSTEM, registered: true });
    expect(await t.app.deps.db.crmConnection.count()).toBe(0);
    expect(await t.app.deps.db.secret.count({ where: { name: "crm.apiKey" } })).toBe(0);
    const short = await submit(view, "abc");
    expect(short.body.errors).toEqual({
      [crmFields.apiKey]: "Paste the Follow Up Boss API key (Admin → API in Follow Up Boss).",
    });
    await expectNowhereInDatabase(t, [wrong]);
  });

  it("an agent's key connects but says why no webhooks were added", async () => {
    const { body } = await submit(await openModal(), agentKey);
    expect(body.response_action).toBe("update");
    expect(JSON.stringify(body.view)).toContain("Only the Follow Up Boss account owner");
    await eventually(
      async () => (await t.app.deps.crmSetup.status(t.ws, ADMIN)).keyUserName === "Sam Agent",
      "the agent's key saved",
    );
    expect(fub.webhooks.size).toBe(0);
  });

  it("checks the owner's key, stores it encrypted, matches users by email and adds the webhooks", async () => {
    const view = await openModal();
    const { body } = await submit(view, ownerKey);
    expect(body.response_action).toBe("update");
    expect((body.view as { callback_id: string }).callback_id).toBe(ids.crm.doneCallbackId);
    const told = await eventually(
      () => t.slack.calls.find((c) => String(c.args.text).includes("is connected")),
      "the admin told",
    );
    expect(told.args.user).toBe(ADMIN);
    expect(String(told.args.text)).toContain("Matched by email: <@U0MARIA01> → Maria@Team.test.");
    expect(String(told.args.text)).toContain("Sam Agent (sam.fub@team.test)");
    expect(await t.app.deps.crmSetup.status(t.ws, ADMIN)).toMatchObject({
      connected: true,
      keyUserName: "Olivia Owner",
      webhooksRegistered: true,
      users: [{ slackUserId: MARIA, email: "Maria@Team.test" }],
    });
    const hooks = [...fub.webhooks.values()];
    expect(hooks.map((h) => h.event).sort()).toEqual(["peopleCreated", "peopleUpdated"]);
    expect(hooks.every((h) => h.url === `${PUBLIC}/crm/fub/webhook?ws=${t.ws}`)).toBe(true);
    expect(fub.requests.every((r) => r.system === SYSTEM && r.registered)).toBe(true);
    // Stored encrypted: not in the database files, the logs, or anything sent to Slack.
    await expectNowhereInDatabase(t, [ownerKey]);
    expect(t.logs.join("").includes(ownerKey)).toBe(false);
    expect(JSON.stringify(t.slack.calls).includes(ownerKey)).toBe(false);
    expect(JSON.stringify(t.slack.responses).includes(ownerKey)).toBe(false);
  });

  it("a slow Follow Up Boss gets a 'checking…' view, then the outcome in the same view", async () => {
    fub.faults.script("GET /v1/identity", { kind: "slow", ms: 2_600 });
    const view = await openModal();
    const { body } = await submit(view, ownerKey);
    expect((body.view as { callback_id: string }).callback_id).toBe(ids.crm.checkingCallbackId);
    const updated = await eventually(
      () => t.slack.callsTo("views.update").find((c) => JSON.stringify(c.args).includes(ids.crm.doneCallbackId)),
      "the outcome shown in the same view",
    );
    expect(JSON.stringify(updated.args)).toContain("Follow Up Boss is connected");
    expect(JSON.stringify(t.slack.calls).includes(ownerKey)).toBe(false);
  });

  it("maps a Slack user to a CRM user by email, and says when no CRM user has it", async () => {
    await t.command("/crm-setup", `map <@${SAM}|sam> SAM.FUB@team.test`, ADMIN);
    await answer("<@U0SAM0001> is Sam Agent (sam.fub@team.test) in the CRM");
    const sam = [...fub.store.users.values()].find((u) => u.email === "sam.fub@team.test")!;
    expect(await t.app.deps.db.crmUser.findFirst({ where: { slackUserId: SAM } })).toMatchObject({ crmUserId: sam.id });
    await t.command("/crm-setup", `map <@${SAM}|sam> nobody@team.test`, ADMIN);
    await answer("No Follow Up Boss user has the email");
    const usage = await t.command("/crm-setup", "map nobody@team.test", ADMIN);
    expect(((await usage.json()) as { text: string }).text).toContain("To match a user, name them");
  });

  it("status shows sent, waiting since when, failed with Follow Up Boss's words, and Retry sends them again", async () => {
    const at = new Date(Date.now() - 2 * 3_600_000);
    const row = (sid: string, state: string, lastError: string | null) =>
      t.app.deps.db.crmOutbox.create({
        data: {
          workspaceId: t.ws,
          kind: "call",
          sid,
          state,
          lastError,
          attempts: 1,
          dueAt: new Date(Date.now() + 3_600_000),
          createdAt: at,
        },
      });
    await row("CA0000000000000000000000000000a001", "sent", null);
    await row("CA0000000000000000000000000000a002", "waiting", "503: The server could not process the request.");
    const failed = await row(
      "CA0000000000000000000000000000a003",
      "failed",
      "403: You do not have access to this person.",
    );
    await t.command("/crm-setup", "status", ADMIN);
    const shown = await answer("1 call or text logged · 1 waiting · 1 failed");
    const text = String(shown.body.text);
    expect(text).toContain("The oldest waiting has waited 2 h");
    expect(text).toContain(
      "`CA0000000000000000000000000000a003` after 1 try: 403: You do not have access to this person.",
    );
    expect(JSON.stringify(shown.body.blocks)).toContain(ids.crm.retryAction);
    await t.interact(
      buttonClick({
        userId: ADMIN,
        actionId: ids.crm.retryAction,
        value: "retry",
        channel: "C0LEADS001",
        responseUrl: t.slack.responseUrl(),
        ephemeral: true,
      }),
    );
    await answer("1 failed row will be sent to Follow Up Boss again now.");
    // Sent again: the row has no call any more, so the sender tries it once more and shows it failed again.
    await eventually(
      async () => (await t.app.deps.db.crmOutbox.findUniqueOrThrow({ where: { id: failed.id } })).attempts === 2,
      "the row tried again",
    );
    expect(await t.app.deps.db.auditLog.count({ where: { action: "crm.retry", actor: ADMIN } })).toBe(1);
  });

  it("disconnect forgets the key", async () => {
    await t.command("/crm-setup", "disconnect", ADMIN);
    await answer("is disconnected: the key is forgotten");
    expect(await t.app.deps.db.secret.count({ where: { name: "crm.apiKey" } })).toBe(0);
    expect(await t.app.deps.db.crmConnection.count()).toBe(0);
  });
});
