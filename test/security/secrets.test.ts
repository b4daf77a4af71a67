import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeKey } from "../../src/config.js";
import { keyIdFor, toEncryptionKey } from "../../src/lib/crypto.js";
import { ids, setupFields } from "../../src/lib/ids.js";
import { openDatabase } from "../../src/services/store/db.js";
import { EncryptionKeyMissing } from "../../src/services/store/keyring.js";
import { createSecretStore } from "../../src/services/store/secrets.js";
import {
  CHANNEL,
  dropSharedDatabase,
  eventually,
  settled,
  startTestApp,
  TEAM_ID,
  type TestApp,
  testEngine,
} from "../helpers/app.js";
import { type FakeSlack, startFakeSlack } from "../helpers/fake-slack.js";
import { type FakeTwilio, fakeSid, startFakeTwilio } from "../helpers/fake-twilio.js";
import { buttonClick, viewSubmission } from "../helpers/payloads.js";
import { childDatabaseUrl, ROOT, startChildApp } from "./child-app.js";
import { addLead, saveTwilioSettings, tamperWithSecret, twilioSettings, unreadableSettings } from "./seams.js";

// Issue item 7: keys and secrets. A wrong key stops start-up naming the key it needs; an altered
// secret is reported and can be re-entered; debug logs never carry a capability.

const PUBLIC = "https://leadline.example.com";
const ADMIN = "U0ADMIN01";
const AGENT = "U0MARIA01";
const FROM = "+15005550006";
const CARD_TS = "1760000000.000100";

let slack: FakeSlack;
let twilio: FakeTwilio;

beforeAll(async () => {
  slack = await startFakeSlack();
  twilio = await startFakeTwilio();
});
afterAll(async () => {
  await slack?.close();
  await twilio?.close();
});

const newKey = () => randomBytes(32).toString("base64");
const keyId = (key: string) => keyIdFor(decodeKey(key));

/** A database whose Twilio settings were saved under `key`. */
async function databaseSavedWith(key: string): Promise<{ dir: string; token: string }> {
  const dir = mkdtempSync(join(tmpdir(), "leadline-keys-"));
  const account = twilio.addAccount({ numbers: [FROM] });
  try {
    const t = await startTestApp({ dir, slack, twilio, env: { APP_ENCRYPTION_KEY: key, LOG_LEVEL: "silent" } });
    await saveTwilioSettings(t, { accountSid: account.sid, authToken: account.token, phoneNumber: FROM });
    await t.stop();
  } catch (error) {
    await removeDatabase(dir);
    throw error;
  }
  return { dir, token: account.token };
}

/** The folder and, on PostgreSQL, the schema the apps started with it shared. */
async function removeDatabase(dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  await dropSharedDatabase(dir);
}

describe("the wrong APP_ENCRYPTION_KEY", () => {
  it("stops createLeadline with EncryptionKeyMissing naming the key id the secrets need", async () => {
    const saved = newKey();
    const wrong = newKey();
    const { dir } = await databaseSavedWith(saved);
    try {
      const error = await startTestApp({ dir, slack, twilio, env: { APP_ENCRYPTION_KEY: wrong } }).then(
        async (t) => {
          await t.stop();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EncryptionKeyMissing);
      const message = (error as Error).message;
      expect(message).toContain(`stored secrets are encrypted with key id ${keyId(saved)}`);
      expect(message).toContain(`APP_ENCRYPTION_KEY is key id ${keyId(wrong)}`);
      expect(message).not.toContain(saved);
      expect(message).not.toContain(wrong);
      // Given as the previous key (rotation), the same database opens.
      const rotating = await startTestApp({
        dir,
        slack,
        twilio,
        env: { APP_ENCRYPTION_KEY: wrong, APP_ENCRYPTION_KEY_PREVIOUS: saved, LOG_LEVEL: "silent" },
      });
      expect((await twilioSettings(rotating)).phoneNumber).toBe(FROM);
      await rotating.stop();
    } finally {
      await removeDatabase(dir);
    }
  });

  it("makes the process exit 78 with one line naming the missing key id, no stack trace", async () => {
    const saved = newKey();
    const { dir } = await databaseSavedWith(saved);
    const child = await startChildApp({
      slack,
      twilioUrl: twilio.url,
      dir,
      key: newKey(),
      env: { LOG_LEVEL: "silent" },
      waitHealthy: false,
    });
    try {
      const { code } = await Promise.race([
        child.exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`still running:\n${child.output()}`)), 20_000),
        ),
      ]);
      expect(code).toBe(78);
      const lines = child.stderr().trim().split("\n");
      expect(lines, child.output()).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^Leadline cannot start: stored secrets are encrypted with key id ${keyId(saved)}, but APP_ENCRYPTION_KEY is key id [0-9a-f]{12}\\.`,
        ),
      );
      expect(child.output()).not.toMatch(/\n\s+at /);
      expect(child.output()).not.toContain(saved);
    } finally {
      await child.stop();
      await removeDatabase(dir);
    }
  }, 30_000);
});

/** `npm run <script> -- <args>` where Leadline runs: its exit code and what it printed. */
function npmRun(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const merged: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: "error", ...env };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return new Promise((resolve) => {
    execFile(
      "npm",
      ["run", "--silent", script, "--", ...args],
      { cwd: ROOT, env: merged, encoding: "utf8" },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("the encryption key truly lost (M6)", () => {
  it("start refused (exit 78, naming secrets:forget) → secrets:forget --yes deletes only what cannot be read → start works → the admin re-enters Twilio", async () => {
    const saved = newKey();
    const { dir } = await databaseSavedWith(saved);
    // The operator has only a new key now: the one the secrets were saved under is gone for good.
    const fresh = newKey();
    const databaseUrl = childDatabaseUrl(dir);
    const env = { DATABASE_URL: databaseUrl, APP_ENCRYPTION_KEY: fresh };
    try {
      // One secret written under the new key (a lead API token hash): readable, so it must stay.
      const { database } = await openDatabase(databaseUrl);
      const current = toEncryptionKey(decodeKey(fresh));
      const ws = (await database.prisma.workspace.findFirstOrThrow({ where: { teamId: TEAM_ID } })).id;
      await createSecretStore({ db: database.prisma, keyring: { current, all: [current] } }).setMany(
        ws,
        { "leads.apiTokenHash": "kept-under-the-new-key" },
        "test",
      );
      const stored = async () =>
        (await database.prisma.secret.findMany({ orderBy: { name: "asc" } })).map((row) => `${row.name}@${row.keyId}`);
      const before = await stored();
      expect(before.filter((row) => row.endsWith(`@${keyId(saved)}`)).length).toBeGreaterThanOrEqual(3);

      const refused = await startChildApp({ slack, twilioUrl: twilio.url, dir, key: fresh, waitHealthy: false });
      const { code } = await refused.exited;
      expect(code).toBe(78);
      expect(refused.stderr()).toContain(
        "If that key is lost, run `npm run secrets:forget -- --yes` where Leadline runs (it deletes only what no key given can decrypt), start Leadline, and have an admin re-enter the Twilio settings in /twilio-setup.",
      );

      // Without --yes: the list, and nothing deleted.
      const dry = await npmRun("secrets:forget", [], env);
      expect(dry.code, dry.stderr).toBe(2);
      expect(dry.stdout).toContain(`cannot be decrypted with key id ${keyId(fresh)}`);
      expect(dry.stdout).toContain(
        `twilio.authToken (workspace ${TEAM_ID} Leadline Test; encrypted with key id ${keyId(saved)}, which was not given): an admin re-enters the Twilio settings in /twilio-setup`,
      );
      expect(dry.stdout).toContain("Nothing was deleted.");
      expect(await stored()).toEqual(before);

      const forgot = await npmRun("secrets:forget", ["--yes"], env);
      expect(forgot.code, forgot.stderr).toBe(0);
      const lost = before.filter((row) => row.endsWith(`@${keyId(saved)}`));
      expect(forgot.stdout).toContain(
        `Deleted ${lost.length} stored secrets that key id ${keyId(fresh)} cannot decrypt`,
      );
      expect(await stored()).toEqual([`leads.apiTokenHash@${keyId(fresh)}`]);
      await database.close();
      // Again: nothing left to forget.
      expect((await npmRun("secrets:forget", ["--yes"], env)).stdout).toContain("nothing to forget");

      const started = await startChildApp({ slack, twilioUrl: twilio.url, dir, key: fresh });
      expect(await started.healthz()).toBe(200);
      await started.kill();

      // The admin re-enters the Twilio settings; the kept secret still opens.
      const account = twilio.addAccount({ numbers: [FROM] });
      const t = await startTestApp({ dir, slack, twilio, env: { APP_ENCRYPTION_KEY: fresh, LOG_LEVEL: "silent" } });
      try {
        expect((await twilioSettings(t)).accountSid).toBeUndefined();
        await saveTwilioSettings(t, { accountSid: account.sid, authToken: account.token, phoneNumber: FROM });
        expect(await twilioSettings(t)).toMatchObject({ accountSid: account.sid, phoneNumber: FROM });
        expect(await t.app.deps.secrets.get(t.ws, "leads.apiTokenHash")).toBe("kept-under-the-new-key");
      } finally {
        await t.stop();
      }
    } finally {
      await removeDatabase(dir);
    }
  }, 120_000);

  // SQLite: the development key would be the database folder's encryption.key (there is none). On
  // PostgreSQL it would be the project's data/encryption.key, which a sandbox run may have made.
  it.runIf(testEngine() === "sqlite")(
    "refuses to run without the key Leadline runs with, rather than generate one and call everything unreadable",
    async () => {
      const { dir } = await databaseSavedWith(newKey());
      try {
        const run = await npmRun("secrets:forget", ["--yes"], {
          DATABASE_URL: childDatabaseUrl(dir),
          APP_ENCRYPTION_KEY: undefined,
          APP_ENCRYPTION_KEY_PREVIOUS: undefined,
        });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("APP_ENCRYPTION_KEY is not set and there is no");
        expect(run.stderr).toContain("set the key Leadline runs with");
        expect(existsSync(join(dir, "encryption.key"))).toBe(false);
      } finally {
        await removeDatabase(dir);
      }
    },
    60_000,
  );
});

describe("one tampered secret row", () => {
  it("the app starts, /twilio-setup status says it cannot be read, and re-entering it works", async () => {
    const account = twilio.addAccount({ numbers: [FROM] });
    const t = await startTestApp({ slack, twilio, env: { ADMIN_SLACK_USER_IDS: ADMIN } });
    try {
      await saveTwilioSettings(t, { accountSid: account.sid, authToken: account.token, phoneNumber: FROM });
      await tamperWithSecret(t, "twilio.authToken");

      t.logs.length = 0;
      await t.restart();
      expect(t.logs.join("")).toContain("stored secrets fail authentication");
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);

      const status = (await (await t.command("/twilio-setup", "status", AGENT)).json()) as { text: string };
      expect(status.text).toContain(
        "The stored Auth Token cannot be read (it was altered, or encrypted with a key Leadline no longer has). An admin can enter it again with `/twilio-setup`.",
      );
      expect(status.text).toContain("Missing Twilio settings: Auth Token");
      expect(status.text).not.toContain(account.token);

      // A call meanwhile is refused by name, never attempted with a garbled token.
      const jane = await addLead(t, "Jane Doe", "+12125550182");
      const click = () =>
        t.interact(
          buttonClick({
            userId: AGENT,
            actionId: ids.call.messageAction,
            value: String(jane.id),
            channel: CHANNEL,
            messageTs: CARD_TS,
            responseUrl: t.slack.responseUrl(),
          }),
        );
      t.twilio.requests.length = 0;
      const before = t.slack.responses.length;
      await click();
      const refused = await eventually(
        () => t.slack.responses.slice(before).find((r) => String(r.body.text).includes("Missing Twilio settings")),
        "the refusal",
      );
      expect(String(refused.body.text)).toContain("Auth Token");
      expect(t.twilio.creates()).toHaveLength(0);

      // The admin enters it again; the blank fields keep their (readable) stored values.
      const opened = t.slack.callsTo("views.open").length;
      await t.command("/twilio-setup", "", ADMIN);
      const view = await eventually(() => t.slack.callsTo("views.open")[opened], "the setup modal");
      const saved = (await (
        await t.interact(
          viewSubmission(view.args.view as Record<string, unknown>, ADMIN, { [setupFields.authToken]: account.token }),
        )
      ).json()) as { response_action: string };
      expect(saved.response_action).toBe("update");
      expect(await unreadableSettings(t)).toEqual([]);
      expect(await twilioSettings(t)).toMatchObject({
        accountSid: account.sid,
        authToken: account.token,
        phoneNumber: FROM,
      });
      const after = (await (await t.command("/twilio-setup", "status", AGENT)).json()) as { text: string };
      expect(after.text).not.toContain("cannot be read");
      expect(after.text).toContain("Calls are ready.");
      // And a restart finds every secret readable again.
      t.logs.length = 0;
      await t.restart();
      expect(t.logs.join("")).not.toContain("stored secrets fail authentication");
      await click();
      await eventually(() => t.twilio.creates()[0], "a call placed with the re-entered token");
    } finally {
      await t.stop();
    }
  });
});

describe("debug logs", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_BASE_URL: PUBLIC, LOG_LEVEL: "debug" } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it("never carry a signed recording link, a response_url, a Slack token, a browser-phone link or an access token", async () => {
    const account = t.twilio.addAccount({ numbers: [FROM] });
    const apiKeySecret = randomBytes(16).toString("hex");
    await saveTwilioSettings(t, {
      accountSid: account.sid,
      authToken: account.token,
      phoneNumber: FROM,
      apiKeySid: fakeSid("SK"),
      apiKeySecret,
      twimlAppSid: fakeSid("AP"),
      recording: "on",
    });
    const issued: string[] = [];
    const responseUrl = () => {
      const url = t.slack.responseUrl();
      issued.push(url);
      return url;
    };
    const jane = await addLead(t, "Jane Doe", "+12125550182");
    const click = (action: string) =>
      t.interact(
        buttonClick({
          userId: AGENT,
          actionId: action,
          value: String(jane.id),
          channel: CHANNEL,
          messageTs: CARD_TS,
          responseUrl: responseUrl(),
        }),
      );

    // A command and a call, each with its response_url.
    await t.command("/lead", "jane", AGENT, { response_url: responseUrl() });
    await click(ids.call.messageAction);
    const call = await eventually(async () => {
      const row = await t.app.deps.db.call.findFirst({ where: { leadId: jane.id } });
      return row?.twilioSid && row.slackTs ? row : undefined;
    }, "the call placed");

    // The recording upload fails, so the signed Leadline link is posted.
    t.slack.failNext.set("files.getUploadURLExternal", "not_allowed_token_type");
    const recordingSid = `RE${"c3".repeat(16)}`;
    await t.signedTwilio(
      "/twilio/recording",
      {
        AccountSid: account.sid,
        CallSid: call.twilioSid!,
        RecordingSid: recordingSid,
        RecordingUrl: "https://api.twilio.com/x",
        RecordingStatus: "completed",
      },
      account.token,
    );
    const post = await eventually(
      () => t.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes("Recording of call")),
      "the link posted",
    );
    const recordingLink = /<(https:[^|]+)\|listen>/.exec(String(post.args.text))![1]!;
    const sig = /[?&]sig=([^&]+)/.exec(recordingLink)![1]!;
    expect((await fetch(recordingLink.replace(PUBLIC, t.url))).status).toBe(200);
    // A forged link is refused (and logged as refused).
    expect((await fetch(recordingLink.replace(PUBLIC, t.url).replace(/sig=[^&]+/, "sig=forged"))).status).toBe(403);

    // A browser call: the link, the page, the access token.
    await t.app.deps.db.call.updateMany({ data: { activeLeadId: null } });
    await click(ids.call.browserAction);
    const reply = await eventually(
      () => t.slack.responses.find((r) => JSON.stringify(r.body).includes("/phone?t=")),
      "the browser link",
    );
    const phoneLink = /"url":"([^"]+)"/.exec(JSON.stringify(reply.body))![1]!;
    const linkToken = new URL(phoneLink).searchParams.get("t")!;
    const html = await (await fetch(phoneLink.replace(PUBLIC, t.url))).text();
    const session = /data-session="([^"]+)"/.exec(html)![1]!;
    const { token: jwt } = (await (
      await fetch(`${t.url}/phone/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ session }),
      })
    ).json()) as { token: string };
    expect(jwt).toMatch(/^eyJ/);
    // A used link, opened again, is refused (and logged).
    expect((await fetch(phoneLink.replace(PUBLIC, t.url))).status).toBe(410);
    await settled(t);

    const logs = t.logs.join("");
    expect(logs.length).toBeGreaterThan(5_000);
    expect(logs).toContain("recording upload failed; posting the signed link instead");
    for (const secret of [recordingLink, `sig=${sig}`, sig, phoneLink, linkToken, jwt, session, ...issued]) {
      expect(logs, `a log line carries ${secret}`).not.toContain(secret);
    }
    for (const path of t.slack.responses.map((r) => r.path)) expect(logs).not.toContain(path);
    expect(logs).not.toMatch(/[?&]sig=[^\s"&[]/);
    expect(logs).not.toMatch(/\/phone\?t=[^\s"[]/);
    expect(logs).not.toMatch(/\bxox[abposer]-[A-Za-z0-9]/);
    expect(logs).not.toContain("xoxb-test-token");
    expect(logs).not.toMatch(/eyJ[\w-]{8,}\.[\w-]{8,}/);
    expect(logs).not.toContain(account.token);
    expect(logs).not.toContain(apiKeySecret);
  });
});
