import { type ChildProcess, spawn } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { sqliteDate } from "../../src/services/store/db.js";
import { dropSchema, startTestApp, type TestApp, testEngine, withSchema } from "../helpers/app.js";
import type { FakeSlack } from "../helpers/fake-slack.js";
import type { FakeTwilio } from "../helpers/fake-twilio.js";

/** How long a child Leadline may take to answer /healthz before its start counts as failed. */
const STARTUP_WAIT_MS = 60_000;

// Leadline as production runs it: `node --import tsx src/main.ts` in its own process, so a crash is
// a dead process (an exit code), not a failed promise inside the test runner. On the suite's engine:
// a SQLite file in the child's folder, or (LEADLINE_TEST_ENGINE=postgresql) the PostgreSQL schema that
// startTestApp gives apps started with the same folder, so seedDatabase and the child share one database.

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const CHILD_SIGNING_SECRET = "child-signing-secret-0123456789abcdef";
export const CHILD_LEADS_TOKEN = "child-leads-api-token-0123456789";
export const CHILD_PUBLIC = "https://leadline.example.com";
/** Preloaded into every child: reports the port it listens on (PORT=0) over IPC. */
const REPORT_PORT = fileURLToPath(new URL("./fixtures/report-port.mjs", import.meta.url));

export interface ChildApp {
  child: ChildProcess;
  /** The port the child listens on (it binds port 0); throws before it listens. */
  readonly port: number;
  readonly url: string;
  dir: string;
  /** SQLite: the database file (PostgreSQL runs use `databaseUrl`'s schema instead). */
  databaseFile: string;
  databaseUrl: string;
  engine: "sqlite" | "postgresql";
  env: Record<string, string>;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** What the process wrote to stderr alone. */
  stderr(): string;
  alive(): boolean;
  /** Fails with the process's output when it is no longer running. */
  assertAlive(what: string): void;
  healthz(timeoutMs?: number): Promise<number>;
  /** Resident memory of the process, from /proc/<pid>/status (VmRSS), in MB. */
  rssMb(): number;
  /** Sends a signal and waits for the exit; returns the exit code (null when killed by a signal). */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the process (if still running) and removes the temporary folder unless it was given. */
  stop(): Promise<void>;
}

export interface ChildOptions {
  slack: FakeSlack;
  twilioUrl?: string;
  env?: Record<string, string | undefined>;
  /** Extra modules preloaded with --import (after tsx). */
  imports?: string[];
  /** Reuse a folder (and its database) instead of a new temporary one. */
  dir?: string;
  /** APP_ENCRYPTION_KEY (base64); random when not given. */
  key?: string;
  /** Wait for /healthz to answer 200 before returning (default true). */
  waitHealthy?: boolean;
  /**
   * Judge calling hours at this instant instead of the real time (tests that place calls: a weekday
   * afternoon, CALLING_TIME). main.ts takes no clock, so the child is then test/helpers/child-app.ts:
   * the same createLeadline, configured from the same environment, with the calling clock set.
   */
  callingTime?: Date;
}

/** The schema startTestApp gives apps started with `dir` (test/helpers/app.ts, sharedSchema). */
const sharedSchema = (dir: string) => `t_${createHash("sha256").update(dir).digest("hex").slice(0, 16)}`;

/** The database of the child started in `dir`: its SQLite file, or the folder's PostgreSQL schema. */
export function childDatabaseUrl(dir: string): string {
  return testEngine() === "postgresql"
    ? withSchema(process.env.TEST_DATABASE_URL!, sharedSchema(dir))
    : `file:${join(dir, "leadline.db")}`;
}

/**
 * Runs SQL on a child's database over a connection of our own (`?` placeholders on both engines):
 * what the process wrote, read without going through it.
 */
export async function childSql<T = Record<string, unknown>>(
  app: Pick<ChildApp, "databaseUrl">,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (app.databaseUrl.startsWith("file:")) {
    const db = new Database(app.databaseUrl.slice("file:".length), { fileMustExist: true });
    try {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all(...params) as T[];
      statement.run(...params);
      return [];
    } finally {
      db.close();
    }
  }
  const { default: pg } = await import("pg");
  const url = new URL(app.databaseUrl);
  const schema = url.searchParams.get("schema") ?? "public";
  url.searchParams.delete("schema");
  const client = new pg.Client({
    connectionString: url.toString(),
    options: `-c search_path="${schema.replace(/"/g, '""')}"`,
  });
  await client.connect();
  try {
    let n = 0;
    return (
      await client.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      )
    ).rows as T[];
  } finally {
    await client.end();
  }
}

/** A date as the child's engine stores it, for childSql parameters. */
export function childDate(app: Pick<ChildApp, "databaseUrl">, date: Date): unknown {
  return app.databaseUrl.startsWith("file:") ? sqliteDate(date) : date;
}

export function childEnv(options: {
  slack: FakeSlack;
  twilioUrl?: string;
  databaseUrl: string;
  key?: string;
  extra?: Record<string, string | undefined>;
}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    NODE_ENV: "test",
    PORT: "0",
    SLACK_BOT_TOKEN: "xoxb-child-token",
    SLACK_SIGNING_SECRET: CHILD_SIGNING_SECRET,
    SLACK_API_URL: options.slack.apiUrl,
    DATABASE_URL: options.databaseUrl,
    APP_ENCRYPTION_KEY: options.key ?? randomBytes(32).toString("base64"),
    PUBLIC_BASE_URL: CHILD_PUBLIC,
    LEADS_API_TOKEN: CHILD_LEADS_TOKEN,
    LOG_LEVEL: "info",
  };
  if (options.twilioUrl) env.TWILIO_API_URL = options.twilioUrl;
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  for (const [name, value] of Object.entries(options.extra ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export async function startChildApp(options: ChildOptions): Promise<ChildApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "leadline-security-"));
  const databaseFile = join(dir, "leadline.db");
  const databaseUrl = childDatabaseUrl(dir);
  const engine = testEngine();
  const env = childEnv({
    slack: options.slack,
    twilioUrl: options.twilioUrl,
    databaseUrl,
    key: options.key,
    extra: {
      ...(options.callingTime
        ? { LEADLINE_TEST_OPTIONS: JSON.stringify({ callingTime: options.callingTime.toISOString() }) }
        : {}),
      ...options.env,
    },
  });
  const entry = options.callingTime ? "test/helpers/child-app.ts" : "src/main.ts";
  const imports = [REPORT_PORT, ...(options.imports ?? [])];
  const args = ["--import", "tsx", ...imports.flatMap((m) => ["--import", m]), entry];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe", "ipc"] });
  let port: number | undefined;
  const listening = new Promise<number>((resolve) => {
    child.on("message", (message: { listening?: number }) => {
      if (typeof message?.listening !== "number") return;
      port = message.listening;
      resolve(port);
    });
  });
  let output = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => {
    output += String(chunk);
  });
  child.stderr!.on("data", (chunk) => {
    output += String(chunk);
    stderr += String(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  const listeningPort = () => {
    if (port === undefined) throw new Error(`Leadline is not listening yet\n${output.slice(-4000)}`);
    return port;
  };

  const app: ChildApp = {
    child,
    get port() {
      return listeningPort();
    },
    get url() {
      return `http://127.0.0.1:${listeningPort()}`;
    },
    dir,
    databaseFile,
    databaseUrl,
    engine,
    env,
    output: () => output,
    stderr: () => stderr,
    alive,
    assertAlive(what) {
      if (!alive()) {
        throw new Error(
          `Leadline died (exit ${child.exitCode}, signal ${child.signalCode}) after: ${what}\n--- its output ---\n${output.slice(-8000)}`,
        );
      }
    },
    async healthz(timeoutMs = 5_000) {
      const res = await fetch(`${app.url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      return res.status;
    },
    rssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
      return kb / 1024;
    },
    async kill(signal = "SIGTERM") {
      if (!alive()) return child.exitCode;
      child.kill(signal);
      return (await exited).code;
    },
    exited,
    async stop() {
      if (alive()) {
        child.kill("SIGKILL");
        await exited;
      }
      if (!options.dir) {
        rmSync(dir, { recursive: true, force: true });
        if (engine === "postgresql") await dropSchema(databaseUrl);
      }
    },
  };

  if (options.waitHealthy ?? true) {
    // A start on a busy two-core machine (the suite's other files, PostgreSQL) can take tens of seconds:
    // the wait is for a fault (the process died or never answers), not a speed check.
    const deadline = Date.now() + STARTUP_WAIT_MS;
    await Promise.race([listening, exited, new Promise((resolve) => setTimeout(resolve, STARTUP_WAIT_MS).unref())]);
    for (;;) {
      if (!alive()) {
        await app.stop();
        app.assertAlive("start-up");
      }
      const status = await app.healthz(1_000).catch(() => 0);
      if (status === 200) break;
      if (Date.now() > deadline) {
        await app.stop();
        throw new Error(
          `Leadline did not become healthy in ${STARTUP_WAIT_MS / 1000} s; /healthz ${status}\n${output.slice(-4000)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return app;
}

export interface RawAnswer {
  /** The status code of the first response, or undefined when the server closed without one. */
  status?: number;
  /** Everything the server sent. */
  text: string;
  /** Whether the server closed the connection (rather than the wait running out). */
  closed: boolean;
}

/** The first final (non-1xx) response in what a server sent: its status and whether it is complete. */
function finalResponse(text: string): { status?: number; complete: boolean } {
  let rest = text;
  for (;;) {
    const head = rest.indexOf("\r\n\r\n");
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(rest)?.[1];
    if (!status || head < 0) return { status: status ? Number(status) : undefined, complete: false };
    if (status.startsWith("1")) {
      rest = rest.slice(head + 4);
      continue;
    }
    const length = /\r\ncontent-length: *(\d+)/i.exec(rest.slice(0, head))?.[1];
    return {
      status: Number(status),
      complete: length === undefined ? /^HTTP\/1\.[01] (204|304)/.test(rest) : rest.length >= head + 4 + Number(length),
    };
  }
}

/**
 * Sends bytes as they are over a fresh TCP connection, half-closes it (unless `end` is false) and
 * reads what comes back until the server closes, the answer is complete, or `waitMs` passes.
 */
export function rawRequest(
  port: number,
  bytes: Buffer | string,
  { waitMs = 2_000, end = true }: { waitMs?: number; end?: boolean } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    let done = false;
    let settle: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(settle);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      resolve({ status: finalResponse(text).status, text, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      const answer = finalResponse(Buffer.concat(chunks).toString("latin1"));
      if (answer.complete) finish(false);
      // A head without a length we can count (an answer to HEAD): give its body a moment, then stop.
      else if (answer.status !== undefined) {
        clearTimeout(settle);
        settle = setTimeout(() => finish(false), 150);
      }
    });
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
    socket.connect(port, "127.0.0.1", () => {
      // Half-closed, so a server waiting for more of a body finds out there is none; or left open.
      if (end) socket.end(bytes);
      else socket.write(bytes);
    });
  });
}

/**
 * Writes what a child needs into `dir`'s database before it starts (Twilio settings, leads), through
 * the app's own services in this process, under the key the child will be given.
 */
export async function seedDatabase(
  options: { dir: string; key: string; slack: FakeSlack; twilio: FakeTwilio },
  seed: (t: TestApp) => Promise<void>,
): Promise<void> {
  const t = await startTestApp({
    dir: options.dir,
    slack: options.slack,
    twilio: options.twilio,
    env: { APP_ENCRYPTION_KEY: options.key, LOG_LEVEL: "silent" },
  });
  try {
    await seed(t);
  } finally {
    await t.stop();
  }
}

/** Slack's v0 signature over any timestamp text (the helpers' signer takes a number). */
export function signSlack(secret: string, timestamp: string, body: string | Buffer): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:`).update(body).digest("hex")}`;
}
