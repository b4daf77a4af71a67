import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setupFields } from "../../src/lib/ids.js";
import { createSettingsStore } from "../../src/services/setup/settings-store.js";
import { eventually, expectNowhereInDatabase, startTestApp, type TestApp } from "../helpers/app.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { viewSubmission } from "../helpers/payloads.js";

const ADMIN = "U0ADMIN01";
const AGENT = "U0AGENT01";

let t: TestApp;
let account: FakeAccount;

beforeEach(async () => {
  t = await startTestApp();
  t.slack.users.set(ADMIN, { id: ADMIN, name: "maria", is_admin: true });
  t.slack.users.set(AGENT, { id: AGENT, name: "sam" });
  account = t.twilio.addAccount({ numbers: ["+12125550100"] });
});
afterEach(async () => {
  await t.stop();
});

async function openModal(user = ADMIN) {
  const before = t.slack.callsTo("views.open").length;
  const res = await t.command("/twilio-setup", "", user);
  expect(res.status).toBe(200);
  await eventually(() => t.slack.callsTo("views.open").length > before, "views.open");
  return [...t.slack.views.values()].at(-1)!;
}

function validValues(overrides: Record<string, string | undefined> = {}) {
  return {
    [setupFields.accountSid]: account.sid,
    [setupFields.authToken]: account.token,
    [setupFields.phoneNumber]: "(212) 555-0100",
    [setupFields.agentPhone]: "+1 212 555 0199",
    [setupFields.callMessage]: "Hi, this is Acme Realty.",
    ...overrides,
  };
}

async function submit(view: Record<string, unknown>, values: Record<string, string | undefined>, user = ADMIN) {
  const res = await t.interact(viewSubmission(view, user, values));
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const twilioChecks = () => t.twilio.requests.filter((r) => r.method === "GET");

describe("/twilio-setup", () => {
  it("opens a modal with every field, and no secret as an initial value", async () => {
    const view = await openModal();
    const blocks = (
      view.blocks as { block_id?: string; label?: { text: string }; element?: Record<string, unknown> }[]
    ).filter((b) => b.block_id);
    expect(blocks.map((b) => b.label?.text)).toEqual([
      "Account SID",
      "Auth Token",
      "Twilio phone number",
      "Agent phone number",
      "API Key SID",
      "API Key Secret",
      "TwiML App SID",
      "Call message",
      "Key-press menu",
      "Voicemail message",
      "Record calls",
      "Leads channel",
      "Messaging Service SID",
      "Team name in texts",
      "Help text (answer to HELP)",
      "Own STOP confirmation",
      "Text templates",
      "Missed-call text-back",
      "Team calling window",
      "Team calling days",
      "Countries the team calls",
    ]);
    // Slack writes "(optional)" after an optional input's label itself; a label of ours never does.
    expect(blocks.map((b) => b.label?.text).filter((label) => label?.includes("optional"))).toEqual([]);
    const optional = (blocks as { block_id?: string; optional?: boolean }[]).filter((b) => b.optional);
    expect(optional.map((b) => b.block_id)).toEqual(
      expect.arrayContaining([setupFields.agentPhone, setupFields.apiKeySid, setupFields.twimlAppSid]),
    );
    const message = blocks.find((b) => b.block_id === setupFields.callMessage)!;
    expect(message.element?.initial_value).toContain("real estate agent");
    expect(message.element?.multiline).toBe(true);
  });

  it("verifies an admin's values with Twilio (two requests) and stores them encrypted", async () => {
    const view = await openModal();
    const { status, body } = await submit(view, validValues());
    expect(status).toBe(200);
    expect(body.response_action).toBe("update");
    const checks = twilioChecks();
    expect(checks.map((r) => r.path)).toEqual([
      `/2010-04-01/Accounts/${account.sid}.json`,
      `/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers.json`,
    ]);
    expect(checks[1]!.query.get("PhoneNumber")).toBe("+12125550100");

    const settings = await t.app.deps.settings.get(t.ws);
    expect(settings).toMatchObject({
      accountSid: account.sid,
      authToken: account.token,
      phoneNumber: "+12125550100",
      agentPhone: "+12125550199",
    });
    const rows = await t.app.deps.db.secret.findMany();
    expect(rows.map((r) => r.name).sort()).toContain("twilio.authToken");
    await expectNowhereInDatabase(t, [account.token, account.sid]);
    const audit = await t.app.deps.db.auditLog.findFirstOrThrow({ where: { action: "twilio_settings.saved" } });
    expect(audit.actor).toBe(ADMIN);
    expect(JSON.parse(audit.detail).changed).toContain("Auth Token");
    expect(audit.detail).not.toContain(account.token);

    // The admin is told, with masked values only.
    const note = await eventually(() => t.slack.callsTo("chat.postEphemeral").at(-1), "confirmation");
    expect(note.args.user).toBe(ADMIN);
    expect(String(note.args.text)).toContain(`••••${account.sid.slice(-4)}`);
    expect(String(note.args.text)).not.toContain(account.token);
    expect(JSON.stringify(t.slack.calls)).not.toContain(account.token);
    expect(t.logs.join("")).not.toContain(account.token);
  });

  it("shows a wrong Auth Token inline and stores nothing", async () => {
    const view = await openModal();
    const { body } = await submit(view, validValues({ [setupFields.authToken]: "0".repeat(32) }));
    expect(body.response_action).toBe("errors");
    expect((body.errors as Record<string, string>)[setupFields.authToken]).toMatch(
      /Account SID or Auth Token is wrong \(Twilio 20003/,
    );
    expect(await t.app.deps.db.secret.count({ where: { NOT: { name: { startsWith: "held:" } } } })).toBe(0);
  });

  it("refuses a number that is not on the account, inline", async () => {
    const view = await openModal();
    const { body } = await submit(view, validValues({ [setupFields.phoneNumber]: "+1 212 555 0142" }));
    expect(body.response_action).toBe("errors");
    expect((body.errors as Record<string, string>)[setupFields.phoneNumber]).toContain(
      "not a phone number on this Twilio account",
    );
    expect(await t.app.deps.db.secret.count({ where: { NOT: { name: { startsWith: "held:" } } } })).toBe(0);
  });

  it("checks formats before asking Twilio", async () => {
    const view = await openModal();
    const { body } = await submit(
      view,
      validValues({
        [setupFields.accountSid]: "AB123",
        [setupFields.phoneNumber]: "call me",
        [setupFields.apiKeySid]: "SK1",
      }),
    );
    const errors = body.errors as Record<string, string>;
    expect(errors[setupFields.accountSid]).toContain("AC followed by 32");
    expect(errors[setupFields.phoneNumber]).toContain('"call me" is not a callable number');
    expect(errors[setupFields.apiKeySid]).toContain("SK followed by 32");
    expect(twilioChecks()).toHaveLength(0);
    expect(await t.app.deps.db.secret.count({ where: { NOT: { name: { startsWith: "held:" } } } })).toBe(0);
  });

  it("refuses a non-admin when opening and when submitting (forged, validly signed), storing nothing", async () => {
    await t.command("/twilio-setup", "", AGENT);
    const refusal = await eventually(() => t.slack.responses.at(-1), "refusal");
    expect(String(refusal.body.text)).toContain("Only Leadline admins");
    expect(t.slack.callsTo("views.open")).toHaveLength(0);

    const adminView = await openModal(ADMIN);
    const { body } = await submit(adminView, validValues(), AGENT);
    expect(body.response_action).toBe("errors");
    expect(JSON.stringify(body.errors)).toContain("Only Leadline admins");
    expect(twilioChecks()).toHaveLength(0);
    expect(await t.app.deps.db.secret.count({ where: { NOT: { name: { startsWith: "held:" } } } })).toBe(0);
    expect(await t.app.deps.db.auditLog.count({ where: { action: "twilio_settings.forbidden", actor: AGENT } })).toBe(
      2,
    );
  });

  it("keeps stored secrets when their fields are left blank, and shows them masked", async () => {
    await submit(await openModal(), validValues());
    const view = await openModal();
    const hint = JSON.stringify(view.blocks);
    expect(hint).toContain(`••••${account.token.slice(-4)}`);
    expect(hint).not.toContain(account.token);
    const { body } = await submit(view, { [setupFields.callMessage]: "New message" });
    expect(body.response_action).toBe("update");
    const settings = await t.app.deps.settings.get(t.ws);
    expect(settings.authToken).toBe(account.token);
    expect(settings.accountSid).toBe(account.sid);
    expect(settings.callMessage).toBe("New message");
    expect(settings.recording).toBe("off");
  });

  it("turns recording on with the checkbox and keeps the edited menu and voicemail", async () => {
    const view = await openModal();
    const { body } = await submit(
      view,
      validValues({
        [setupFields.recording]: "on",
        [setupFields.menuMessage]: "Press 1 for Maria.",
        [setupFields.voicemailMessage]: "Call Maria back.",
      }),
    );
    expect(body.response_action).toBe("update");
    expect(await t.app.deps.settings.get(t.ws)).toMatchObject({
      recording: "on",
      menuMessage: "Press 1 for Maria.",
      voicemailMessage: "Call Maria back.",
    });
    const reopened = JSON.stringify((await openModal()).blocks);
    expect(reopened).toContain('"initial_options"');
    expect(reopened).toContain("Press 1 for Maria.");
  });

  it("status lists exactly the missing fields, for anyone", async () => {
    const res = await t.command("/twilio-setup", "status", AGENT);
    const body = (await res.json()) as { text: string };
    expect(body.text).toContain("Missing Twilio settings: Account SID, Auth Token, Twilio phone number.");
    await t.app.deps.settings.save(t.ws, { accountSid: account.sid }, ADMIN);
    const again = (await (await t.command("/twilio-setup", "status", AGENT)).json()) as {
      text: string;
      blocks: unknown;
    };
    expect(again.text).toContain("Missing Twilio settings: Auth Token, Twilio phone number.");
    expect(JSON.stringify(again.blocks)).toContain(`••••${account.sid.slice(-4)}`);
    expect(JSON.stringify(again.blocks)).not.toContain(account.sid);
  });

  it("clear asks for confirmation, then removes everything (admins only)", async () => {
    await submit(await openModal(), validValues());
    await t.command("/twilio-setup", "clear", ADMIN);
    const prompt = await eventually(
      () => t.slack.responses.find((r) => JSON.stringify(r.body).includes("twilio_setup_clear_confirm")),
      "confirm prompt",
    );
    expect(JSON.stringify(prompt.body)).toContain('"confirm"');
    const { buttonClick } = await import("../helpers/payloads.js");
    const click = (user: string) =>
      t.interact(
        buttonClick({
          userId: user,
          actionId: "twilio_setup_clear_confirm",
          value: "clear",
          channel: "C0LEADS001",
          responseUrl: t.slack.responseUrl(),
          ephemeral: true,
        }),
      );
    await click(AGENT);
    await eventually(
      () => t.slack.responses.some((r) => String(r.body.text).includes("Only Leadline admins")),
      "refusal",
    );
    expect(await t.app.deps.db.secret.count()).toBeGreaterThan(0);
    await click(ADMIN);
    await eventually(async () => (await t.app.deps.db.secret.count()) === 0, "secrets removed");
    expect(await t.app.deps.db.auditLog.count({ where: { action: "twilio_settings.cleared" } })).toBe(1);
  });

  it("a Twilio that has not answered by Slack's 3 s neither breaks the ack nor loses the input", async () => {
    // Twilio answers the account check only when the test lets it: after the ack.
    let answer!: () => void;
    t.twilio.holds.set("account", new Promise<void>((resolve) => (answer = resolve)));
    const view = await openModal();
    const started = Date.now();
    const { body } = await submit(view, validValues({ [setupFields.authToken]: "f".repeat(32) }));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(body.response_action).toBe("update");
    expect(JSON.stringify(body.view)).toContain("Checking with Twilio");
    expect(t.slack.callsTo("views.update")).toHaveLength(0);
    answer();

    // Twilio then refuses the token: the form comes back with the typed values and the error.
    const update = await eventually(() => t.slack.callsTo("views.update").at(-1), "views.update", 10_000);
    const form = JSON.stringify(update.args.view);
    expect(form).toContain("Account SID or Auth Token is wrong");
    expect(form).toContain(account.sid);
    expect(form).toContain("Leave blank to use the value you just entered");
    expect(form).not.toContain("f".repeat(32));
    expect(await t.app.deps.db.secret.count({ where: { NOT: { name: { startsWith: "held:" } } } })).toBe(0);

    // Fixing only the token, with Twilio fast again, saves everything typed before.
    t.twilio.holds.delete("account");
    const reopened = t.slack.views.get(update.args.view_id as string)!;
    const { body: second } = await submit(reopened, { ...validValues(), [setupFields.authToken]: account.token });
    expect(second.response_action).toBe("update");
    expect((await t.app.deps.settings.get(t.ws)).agentPhone).toBe("+12125550199");
  });

  it("after a slow but successful check, the modal shows the saved result", async () => {
    let answer!: () => void;
    t.twilio.holds.set("numbers", new Promise<void>((resolve) => (answer = resolve)));
    const view = await openModal();
    const { body } = await submit(view, validValues());
    expect(body.response_action).toBe("update");
    expect(JSON.stringify(body.view)).toContain("Checking with Twilio");
    answer();
    const update = await eventually(() => t.slack.callsTo("views.update").at(-1), "views.update", 10_000);
    expect(JSON.stringify(update.args.view)).toContain("Twilio is connected");
    expect((await t.app.deps.settings.get(t.ws)).phoneNumber).toBe("+12125550100");
  });
});

describe("the Auth Token that verifies Twilio's webhooks", () => {
  it("is this instance's copy for at most a second; a change saved by another instance is read at once when asked fresh", async () => {
    const { createSettingsService } = await import("../../src/services/setup/settings.js");
    // This instance's settings on a clock the test moves; another instance on the same database: its own
    // cache, the same stored secrets.
    let ms = Date.now();
    const here = createSettingsService({
      store: createSettingsStore(t.app.deps.db),
      secrets: t.app.deps.secrets,
      now: () => ms,
    });
    const there = createSettingsService({ store: createSettingsStore(t.app.deps.db), secrets: t.app.deps.secrets });
    await there.save(t.ws, { authToken: "a".repeat(32) }, ADMIN);
    expect(await here.webhookToken(t.ws)).toEqual({ authToken: "a".repeat(32), recent: false });
    expect(await here.webhookToken(t.ws)).toEqual({ authToken: "a".repeat(32), recent: true });
    await there.save(t.ws, { authToken: "b".repeat(32) }, ADMIN);
    // Within the second the copy still answers (a webhook that fails with it asks again, fresh)…
    ms += 999;
    expect(await here.webhookToken(t.ws)).toEqual({ authToken: "a".repeat(32), recent: true });
    expect(await here.webhookToken(t.ws, true)).toEqual({ authToken: "b".repeat(32), recent: false });
    await there.save(t.ws, { authToken: "c".repeat(32) }, ADMIN);
    // …and after it, the stored version is checked again.
    ms += 1_000;
    expect(await here.webhookToken(t.ws)).toEqual({ authToken: "c".repeat(32), recent: false });
    // A call's settings are always checked against the stored version.
    await there.save(t.ws, { authToken: "d".repeat(32) }, ADMIN);
    expect((await here.get(t.ws)).authToken).toBe("d".repeat(32));
  });
});
