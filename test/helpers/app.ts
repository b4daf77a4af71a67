import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { ackRefusal } from "../../sandbox/slack/block-kit/index.js";
import { refusalOf } from "../../sandbox/slack/simulator.js";
import { createLeadline, type Leadline, type LeadlineOptions } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/lib/log.js";
import { type FakeSlack, startFakeSlack } from "./fake-slack.js";
import { type FakeAccount, type FakeTwilio, startFakeTwilio } from "./fake-twilio.js";
import { slackSignature, twilioSignature } from "./signing.js";

/**
 * Calling hours in tests are judged at a fixed weekday afternoon (Tuesday 24 November 2026, 14:00 in
 * New York, 09:00 in Honolulu), so a suite run at 3 am still places calls; compliance tests set their own.
 */
export const CALLING_TIME = new Date("2026-11-24T19:00:00Z");

export const SIGNING_SECRET = "test-signing-secret-0123456789abcdef";
export const TEAM_ID = "T0LEADLINE";
export const CHANNEL = "C0LEADS001";

export interface TestApp {
  url: string;
  dir: string;
  /** SQLite: the database file. PostgreSQL runs use a schema of their own instead (`databaseUrl`). */
  databaseFile: string;
  databaseUrl: string;
  engine: "sqlite" | "postgresql";
  /** The workspace (tenant) of the test's Slack team, as Leadline named it at start. */
  ws: number;
  app: Leadline;
  slack: FakeSlack;
  twilio: FakeTwilio;
  logs: string[];
  env: Record<string, string>;
  post(path: string, body: string, headers?: Record<string, string>): Promise<Response>;
  command(command: string, text: string, user?: string, extra?: Record<string, string>): Promise<Response>;
  interact(payload: Record<string, unknown>): Promise<Response>;
  signedTwilio(
    path: string,
    params: Record<string, string>,
    token: string,
    headers?: Record<string, string>,
  ): Promise<Response>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions extends LeadlineOptions {
  env?: Record<string, string | undefined>;
  slack?: FakeSlack;
  twilio?: FakeTwilio;
  dir?: string;
}

export async function startTestApp(options: StartOptions = {}): Promise<TestApp> {
  const slack = options.slack ?? (await startFakeSlack());
  const twilio = options.twilio ?? (await startFakeTwilio());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "leadline-test-"));
  const databaseFile = join(dir, "leadline.db");
  const engine = testEngine();
  // PostgreSQL: a schema per test app (in the database of TEST_DATABASE_URL), dropped at stop. Apps
  // given the same `dir` share one (two instances on one database); the caller drops it (dropSharedDatabase).
  const schema = options.dir ? sharedSchema(options.dir) : `t_${randomBytes(6).toString("hex")}`;
  const databaseUrl =
    engine === "postgresql" ? withSchema(process.env.TEST_DATABASE_URL!, schema) : `file:${databaseFile}`;
  slack.botChannels.add(CHANNEL);
  const env: Record<string, string> = {
    NODE_ENV: "test",
    PORT: "0",
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    DATABASE_URL: databaseUrl,
    APP_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    SLACK_API_URL: slack.apiUrl,
    TWILIO_API_URL: twilio.url,
    LEADS_CHANNEL_ID: CHANNEL,
    LEADS_API_TOKEN: "test-leads-api-token-0123456789",
    LOG_LEVEL: "debug",
  };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  let app!: Leadline;
  let url = "";
  let ws = 0;
  const boot = async () => {
    const config = loadConfig(env, options.crmProviders);
    app = await createLeadline(config, {
      callingClock: () => CALLING_TIME,
      ...options,
      log: createLogger(config.LOG_LEVEL, sink),
    });
    const port = await app.start();
    url = `http://127.0.0.1:${port}`;
    ws = (await app.deps.workspaces.resolve({ teamId: TEAM_ID }))?.id ?? 0;
  };
  await boot();

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { method: "POST", body, headers });

  const slackPost = (body: string) => {
    const ts = Math.floor(Date.now() / 1000);
    return post("/slack/events", body, {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": slackSignature(SIGNING_SECRET, ts, body),
    });
  };

  /** Leadline's HTTP answer to Slack is checked as Slack checks it; a refusal is kept with the fake Slack's. */
  const checkAck = async (kind: "command" | "view_submission", res: Response) => {
    const text = await res.clone().text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text ? { text } : undefined;
    }
    const refused = ackRefusal(kind, body);
    const refusal = refused && refusalOf(`${kind} answer`, refused);
    if (refusal) slack.refusals.push(refusal);
    return res;
  };

  const testApp: TestApp = {
    get url() {
      return url;
    },
    dir,
    databaseFile,
    databaseUrl,
    engine,
    get ws() {
      return ws;
    },
    get app() {
      return app;
    },
    slack,
    twilio,
    logs,
    env,
    post,
    command(command, text, user = "U0AGENT01", extra = {}) {
      const form = new URLSearchParams({
        token: "legacy",
        team_id: TEAM_ID,
        team_domain: "leadline-test",
        channel_id: CHANNEL,
        channel_name: "leads",
        user_id: user,
        user_name: user.toLowerCase(),
        command,
        text,
        api_app_id: "A0LEADLINE",
        is_enterprise_install: "false",
        response_url: slack.responseUrl(),
        trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e6)}.trigger`,
        ...extra,
      });
      return slackPost(form.toString()).then((res) => checkAck("command", res));
    },
    async interact(payload) {
      const res = await slackPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
      return payload.type === "view_submission" ? checkAck("view_submission", res) : res;
    },
    signedTwilio(path, params, token, headers = {}) {
      const publicBase = env.PUBLIC_BASE_URL ?? url;
      const signature = twilioSignature(token, `${publicBase}${path}`, params);
      return post(path, new URLSearchParams(params).toString(), {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature,
        ...headers,
      });
    },
    async restart() {
      await app.stop();
      await boot();
    },
    async stop() {
      await app.stop();
      // A payload real Slack refuses fails the test that made Leadline send it, even where Leadline
      // only logged the refusal.
      const refused = slack.refusals.splice(0);
      if (!options.slack) await slack.close();
      if (!options.twilio) await twilio.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
      if (engine === "postgresql" && !options.dir) await dropSchema(databaseUrl);
      if (refused.length > 0) {
        const lines = refused.map((r) => `${r.method}: ${r.error} ${r.messages.join("; ")}`);
        throw new Error(`Slack refused ${refused.length} payload(s) Leadline sent:\n${lines.join("\n")}`);
      }
    },
  };
  return testApp;
}

/** Polls until `check` returns a truthy value; fails loudly with `what` on timeout. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Waits until every background task the app started (and every task those started) has finished, so
 * that a test may then assert that nothing more happened: the drain-then-assert that replaces "sleep,
 * then assert nothing". Fails, naming what is left, when work is still running after `timeoutMs`.
 * Timers that have not fired yet (a poll's next tick, a price lookup) are not tasks: assert on them
 * separately (e.g. `poller.active()`).
 */
export async function settled(t: { app: Pick<Leadline, "deps"> }, timeoutMs = 10_000): Promise<void> {
  await t.app.deps.tasks.drain(timeoutMs);
  const left = t.app.deps.tasks.size;
  if (left > 0) throw new Error(`${left} background task(s) still running after ${timeoutMs} ms`);
}

/** Which engine the suite runs on: PostgreSQL when the test script asks for it (TEST_DATABASE_URL set). */
export function testEngine(): "sqlite" | "postgresql" {
  return process.env.LEADLINE_TEST_ENGINE === "postgresql" && process.env.TEST_DATABASE_URL ? "postgresql" : "sqlite";
}

const sharedSchema = (dir: string) => `t_${createHash("sha256").update(dir).digest("hex").slice(0, 16)}`;

/** Drops the PostgreSQL schema apps started with `dir` shared (nothing to do on SQLite: the dir goes). */
export async function dropSharedDatabase(dir: string): Promise<void> {
  if (testEngine() === "postgresql") await dropSchema(withSchema(process.env.TEST_DATABASE_URL!, sharedSchema(dir)));
}

export function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("schema", schema);
  return parsed.toString();
}

export async function dropSchema(databaseUrl: string): Promise<void> {
  const { default: pg } = await import("pg");
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get("schema");
  url.searchParams.delete("schema");
  if (!schema) return;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '""')}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * A migrated database on the suite's engine, outside any app: a SQLite file in `dir`, or a fresh
 * PostgreSQL schema. With a workspace to scope rows to (`ws`). `close()` disconnects and drops the schema.
 */
export async function openTestDatabase(dir: string): Promise<{
  database: import("../../src/services/store/db.js").DatabaseHandle;
  ws: number;
  url: string;
  close(): Promise<void>;
}> {
  const { openDatabase } = await import("../../src/services/store/db.js");
  const url =
    testEngine() === "postgresql"
      ? withSchema(process.env.TEST_DATABASE_URL!, `t_${randomBytes(6).toString("hex")}`)
      : `file:${join(dir, "leadline.db")}`;
  const { database } = await openDatabase(url);
  const workspace = await database.prisma.workspace.upsert({
    where: { enterpriseId_teamId: { enterpriseId: "", teamId: TEAM_ID } },
    create: { teamId: TEAM_ID, enterpriseId: "" },
    update: {},
  });
  return {
    database,
    ws: workspace.id,
    url,
    async close() {
      await database.close();
      if (url.startsWith("postgres")) await dropSchema(url);
    },
  };
}

/**
 * Another process holding the database's write lock (another instance mid-transaction): SQLite's
 * BEGIN IMMEDIATE on the file; PostgreSQL's exclusive lock on the calls table. Resolves once the lock
 * is held; `release()` lets it go when the test has seen what it waits for (at the latest after `ms`,
 * so a failing test never leaves it held); `released` resolves when it is let go.
 */
export async function holdWriteLock(
  t: TestApp,
  ms: number,
): Promise<{ released: Promise<void>; release: () => Promise<void> }> {
  if (t.engine === "sqlite") {
    const { spawn } = await import("node:child_process");
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const db = new (require("better-sqlite3"))(process.argv[1]); db.exec("BEGIN IMMEDIATE");
         const done = () => { db.exec("COMMIT"); db.close(); process.exit(0); };
         console.log("locked"); setTimeout(done, Number(process.argv[2])); process.stdin.once("data", done);`,
        t.databaseFile,
        String(ms),
      ],
      { cwd: process.cwd() },
    );
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
    const released = new Promise<void>((resolve) => holder.once("exit", () => resolve()));
    return {
      released,
      release: async () => {
        if (holder.exitCode === null) holder.stdin.write("release\n");
        await released;
      },
    };
  }
  const { default: pg } = await import("pg");
  const url = new URL(t.databaseUrl);
  const schema = url.searchParams.get("schema") ?? "public";
  url.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query("BEGIN");
  await client.query(`LOCK TABLE "${schema}"."Call" IN EXCLUSIVE MODE`);
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  let ending: Promise<void> | undefined;
  const release = () => {
    ending ??= (async () => {
      clearTimeout(timer);
      await client.query("COMMIT");
      await client.end();
      letGo();
    })();
    return ending;
  };
  const timer = setTimeout(() => void release(), ms);
  return { released, release };
}

/**
 * The plaintext of a secret is nowhere in the stored database: on SQLite not in the file, its WAL or
 * journal (after a checkpoint); on PostgreSQL not in any text or bytes column of any table of the app's schema.
 */
export async function expectNowhereInDatabase(t: TestApp, plaintexts: string[]): Promise<void> {
  const { expect } = await import("vitest");
  if (t.engine === "sqlite") {
    const { existsSync, readFileSync } = await import("node:fs");
    await t.app.deps.db.$executeRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
    for (const suffix of ["", "-wal", "-journal"]) {
      const path = `${t.databaseFile}${suffix}`;
      if (!existsSync(path)) continue;
      const bytes = readFileSync(path);
      for (const text of plaintexts) expect(bytes.includes(Buffer.from(text)), `${text} in ${path}`).toBe(false);
    }
    return;
  }
  const { default: pg } = await import("pg");
  const url = new URL(t.databaseUrl);
  const schema = url.searchParams.get("schema") ?? "public";
  url.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
      [schema],
    );
    for (const { table_name } of tables) {
      const { rows } = await client.query(`SELECT * FROM "${schema}"."${table_name}"`);
      const dump = JSON.stringify(rows, (_key, value) =>
        value && value.type === "Buffer" && Array.isArray(value.data)
          ? Buffer.from(value.data).toString("latin1")
          : value,
      );
      for (const text of plaintexts) expect(dump.includes(text), `${text} in ${table_name}`).toBe(false);
    }
  } finally {
    await client.end();
  }
}

/** Records the lead's consent to prerecorded calls, which message calls and voice bridges need. */
export async function withConsent<T extends { id: number; phone: string | null }>(
  app: Leadline,
  ws: number,
  lead: T,
): Promise<T> {
  await app.deps.consents.record(
    ws,
    lead,
    { scope: "prerecorded", method: "web form", text: "I agree to receive recorded calls from the team." },
    "seed",
  );
  return lead;
}

/** Tables a test file empties before each test, children before parents. */
type Table =
  | "inboundCall"
  | "text"
  | "textOptOut"
  | "scheduledCall"
  | "call"
  | "note"
  | "consent"
  | "lead"
  | "dncEntry"
  | "registryImport"
  | "auditLog";

/**
 * Between the tests of one app: forgets what the fakes saw, empties `tables` (in the order given), and
 * connects a new fake Twilio account as the team's (number `from`, team agent phone `agentPhone`).
 */
export async function freshStart(
  t: TestApp,
  options: { tables: Table[]; from: string; agentPhone: string; admin: string },
): Promise<FakeAccount> {
  t.twilio.requests.length = 0;
  t.slack.responses.length = 0;
  t.slack.calls.length = 0;
  const db = t.app.deps.db as unknown as Record<Table, { deleteMany(): Promise<unknown> }>;
  for (const table of options.tables) await db[table].deleteMany();
  await t.app.deps.settings.clear(t.ws, "test");
  const account = t.twilio.addAccount({ numbers: [options.from] });
  await t.app.deps.settings.save(
    t.ws,
    {
      accountSid: account.sid,
      authToken: account.token,
      phoneNumber: options.from,
      agentPhone: options.agentPhone,
    },
    options.admin,
  );
  return account;
}
