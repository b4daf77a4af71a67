// What every load needs: the fake Slack and Twilio (with exact arrival times), Leadline processes,
// and requests signed exactly as Slack and Twilio sign them.
import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { CALLING_TIME, TEAM_ID } from "../test/helpers/app.js";
import { type FakeSlack, startFakeSlack } from "../test/helpers/fake-slack.js";
import { type FakeAccount, type FakeTwilio, startFakeTwilio } from "../test/helpers/fake-twilio.js";
import { slackSignature, twilioSignature } from "../test/helpers/signing.js";
import { DURATION_S, sleep } from "./lib.js";
import type { Memory } from "./memory.js";

export { CALLING_TIME, TEAM_ID };

export const SECRET = "bench-signing-secret";
export const PUBLIC = "https://leadline.bench.example";
export const CHANNEL = "C0BENCH01";
export const AGENT = "U0BENCH01";
export const ADMIN = "U0BENCHADM";
export const FROM = "+15005550006";
/** The team's agent phone: a live call (the default Call button) rings it first. */
export const AGENT_PHONE = "+12125550100";
/** A node-cron expression that never comes round during a run: the benchmark runs ticks itself. */
export const NEVER = "0 0 0 1 1 *";
// BENCH_PROFILE=1 writes a V8 CPU profile of the Leadline process to bench/results/profiles/.
export const PROFILE_DIR = process.env.BENCH_PROFILE ? join(process.cwd(), "bench", "results", "profiles") : undefined;

/** Calls `listener` with each item pushed onto `array`, as it is pushed (the fakes record every request). */
function watchPush<T>(array: T[], listener: (item: T) => void): void {
  const push = array.push.bind(array);
  array.push = (...items: T[]) => {
    const length = push(...items);
    for (const item of items) listener(item);
    return length;
  };
}

/** Slack methods (and response_url posts) that show the user an answer. */
const ANSWERS = new Set([
  "response_url",
  "chat.postEphemeral",
  "chat.postMessage",
  "chat.update",
  "views.publish",
  "views.open",
  "views.update",
  "files.completeUploadExternal",
  "files.upload",
]);

export interface Fakes {
  slack: FakeSlack;
  twilio: FakeTwilio;
  account: FakeAccount;
  /** Resolves with performance.now() when a Calls create naming `phone` (To, or in its TwiML) reaches Twilio. */
  createFor(phone: string, timeoutMs?: number): Promise<number>;
  /** Every answer Slack shows from now on (method or "response_url", arrival time) until `stop()`. */
  recordAnswers(): { events: { kind: string; at: number }[]; stop(): void };
  /** Resolves with the arrival time once `kinds` (a multiset) have all reached Slack, counted from now. */
  answersFor(kinds: string[], timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startFakes(): Promise<Fakes> {
  const slack = await startFakeSlack();
  const twilio = await startFakeTwilio();
  slack.botChannels.add(CHANNEL);
  slack.users.set(AGENT, { id: AGENT, name: "bench", tz: "UTC" });
  slack.users.set(ADMIN, { id: ADMIN, name: "bench-admin", is_admin: true, tz: "UTC" });
  const account = twilio.addAccount({ numbers: [FROM] });

  const waiting = new Map<string, (at: number) => void>();
  watchPush(twilio.sim.requests, (request) => {
    if (waiting.size === 0 || request.method !== "POST" || !/\/Calls\.json$/.test(request.path)) return;
    const at = performance.now();
    const named = `${request.params.get("To") ?? ""} ${request.params.get("Twiml") ?? ""}`;
    let matched = false;
    for (const phone of named.match(/\+\d{8,15}/g) ?? []) {
      const resolve = waiting.get(phone);
      if (resolve) {
        waiting.delete(phone);
        resolve(at);
        matched = true;
      }
    }
    // A live call rings the agent first with a prompt that names the lead but not its number: that create
    // answers the click waiting longest (exact with one click in flight, first come first served with more).
    const [oldest] = waiting;
    if (!matched && oldest) {
      waiting.delete(oldest[0]);
      oldest[1](at);
    }
  });

  const listeners = new Set<(kind: string, at: number) => void>();
  const answered = (kind: string) => {
    if (!ANSWERS.has(kind) || listeners.size === 0) return;
    const at = performance.now();
    for (const listener of listeners) listener(kind, at);
  };
  watchPush(slack.calls, (call) => answered(call.method));
  watchPush(slack.responses, (response) => answered(/upload/i.test(response.path) ? "upload" : "response_url"));
  // Nothing reads the recorded requests afterwards; dropping them keeps a long run's memory flat.
  const trim = setInterval(() => {
    if (twilio.sim.requests.length > 10_000) twilio.sim.requests.length = 0;
    if (slack.calls.length > 10_000) slack.calls.length = 0;
    if (slack.responses.length > 10_000) slack.responses.length = 0;
  }, 1_000);

  return {
    slack,
    twilio,
    account,
    createFor(phone, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(phone);
          reject(new Error(`no Calls create for ${phone} reached Twilio within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(phone, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
    },
    recordAnswers() {
      const events: { kind: string; at: number }[] = [];
      const listener = (kind: string, at: number) => events.push({ kind, at });
      listeners.add(listener);
      return { events, stop: () => listeners.delete(listener) };
    },
    answersFor(kinds, timeoutMs = 10_000) {
      const left = [...kinds];
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`Slack did not see ${left.join(", ")} within ${timeoutMs} ms`));
        }, timeoutMs);
        const listener = (kind: string, at: number) => {
          const index = left.indexOf(kind);
          if (index >= 0) left.splice(index, 1);
          if (left.length > 0) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(at);
        };
        listeners.add(listener);
      });
    },
    async close() {
      clearInterval(trim);
      await slack.close();
      await twilio.close();
    },
  };
}

export const rssMb = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.replace(/\D/g, "")) / 1024;
};

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

export interface Cost {
  /** CPU time of the process (user + system), microseconds. */
  cpuUs: number;
  /** Statements sent to PostgreSQL (round trips), 0 on SQLite. */
  queries: number;
  heapMb: number;
  /** With BENCH_SHOW_QUERIES=1: how many times each statement (its start) was sent since the last look. */
  statements?: Record<string, number>;
}

export interface Instance {
  child: ChildProcess;
  port: number;
  url: string;
  rss(): number;
  /** RSS and JS heap after a full garbage collection in the instance (idle figures, taken alike for every target). */
  memory(): Promise<Memory>;
  /** Starts a CPU profile of the instance (`"start"`), or writes the one started to a file (its path). */
  profile(command: string): Promise<void>;
  /** Turns the per-statement listing of the costs on or off (PostgreSQL round trips by text). */
  listStatements(on: boolean): Promise<void>;
  /** What the instance has spent so far (CPU, PostgreSQL statements), after its queued work is done. */
  cost(): Promise<Cost>;
  /** One scheduler tick at `at`, inside the instance: its duration and what it did. */
  tick(at: Date): Promise<{ ms: number; counts: Record<string, number> }>;
  stop(): Promise<void>;
}

/**
 * Starts `script` (Leadline, or the bare Bolt baseline) in its own process; resolves when it listens.
 * The instance listens on port 0 and reports the port the system gave it: a guessed port can be
 * taken by anything on the machine (a NATS server holds 4222 on some).
 */
export async function spawnInstance(
  script: string,
  env: Record<string, string>,
  options: { profile?: boolean; leadline?: { callingTime?: string; scheduleEvery?: string } } = {},
): Promise<Instance> {
  const child = fork(script, [], {
    env: {
      ...process.env,
      PORT: "0",
      ...env,
      LEADLINE_BENCH_OPTIONS: JSON.stringify(options.leadline ?? {}),
    },
    execArgv: [
      "--import",
      "tsx",
      ...(options.profile && PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : []),
    ],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => children.delete(child));
  const ready = await new Promise<{ port?: number }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { port?: number }));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  const port = ready.port;
  if (!port) {
    child.kill("SIGKILL");
    throw new Error(`${script} did not report the port it listens on`);
  }
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    rss: () => rssMb(child.pid!),
    memory() {
      return new Promise((resolve) => {
        const onMessage = (m: { memory?: Memory }) => {
          if (!m.memory) return;
          child.off("message", onMessage);
          resolve(m.memory);
        };
        child.on("message", onMessage);
        child.send({ memory: true });
      });
    },
    profile(command) {
      return new Promise((resolve) => {
        const onMessage = (m: { profiled?: string }) => {
          if (m.profiled !== command) return;
          child.off("message", onMessage);
          resolve();
        };
        child.on("message", onMessage);
        child.send({ profile: command });
      });
    },
    listStatements(on) {
      return new Promise((resolve) => {
        const onMessage = (m: { listing?: boolean }) => {
          if (m.listing === undefined) return;
          child.off("message", onMessage);
          resolve();
        };
        child.on("message", onMessage);
        child.send({ statements: on });
      });
    },
    cost() {
      return new Promise((resolve) => {
        const onMessage = (m: { cost?: Cost }) => {
          if (!m.cost) return;
          child.off("message", onMessage);
          resolve(m.cost);
        };
        child.on("message", onMessage);
        child.send({ cost: true });
      });
    },
    tick(at) {
      return new Promise((resolve, reject) => {
        const onMessage = (m: { ticked?: { ms: number; counts: Record<string, number>; error?: string } }) => {
          if (!m.ticked) return;
          child.off("message", onMessage);
          if (m.ticked.error) reject(new Error(m.ticked.error));
          else resolve(m.ticked);
        };
        child.on("message", onMessage);
        child.send({ tick: at.toISOString() });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The environment Leadline runs with here: single workspace, the fakes, a public URL for callbacks. */
export function leadlineEnv(fakes: Fakes, databaseUrl: string, encryptionKey: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: "xoxb-bench",
    SLACK_API_URL: fakes.slack.apiUrl,
    TWILIO_API_URL: fakes.twilio.url,
    LOG_LEVEL: "error",
    DATABASE_URL: databaseUrl,
    APP_ENCRYPTION_KEY: encryptionKey,
    PUBLIC_BASE_URL: PUBLIC,
    ADMIN_SLACK_USER_IDS: ADMIN,
  };
}

export function startLeadline(fakes: Fakes, databaseUrl: string, encryptionKey: string, profile = false) {
  return spawnInstance("bench/leadline-target.ts", leadlineEnv(fakes, databaseUrl, encryptionKey), {
    profile,
    leadline: { callingTime: CALLING_TIME.toISOString(), scheduleEvery: NEVER },
  });
}

export interface SignedRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

function slackSigned(body: string, contentType: string): SignedRequest {
  const ts = Math.floor(Date.now() / 1000);
  return {
    path: "/slack/events",
    body,
    headers: {
      "content-type": contentType,
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": slackSignature(SECRET, ts, body),
    },
  };
}

/** A slash command as Slack sends it. */
export function signedCommand(command: string, text: string, responseUrl: string, user = AGENT): SignedRequest {
  const body = new URLSearchParams({
    command,
    text,
    user_id: user,
    user_name: user.toLowerCase(),
    channel_id: CHANNEL,
    team_id: TEAM_ID,
    trigger_id: `${Date.now()}.1.trigger`,
    response_url: responseUrl,
    api_app_id: "A0LEADLINE",
  }).toString();
  return slackSigned(body, "application/x-www-form-urlencoded");
}

let clicks = 0;
/** A click on a lead card's Call button (live call, the default), with its own action time. */
export function signedCallClick(leadId: number, responseUrl: string, user = AGENT): SignedRequest {
  clicks += 1;
  const payload = {
    type: "block_actions",
    team: { id: TEAM_ID, domain: "leadline-test" },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: "A0LEADLINE",
    token: "legacy",
    trigger_id: `${Date.now()}.${clicks}.trigger`,
    container: { type: "message", message_ts: "1700000000.000100", channel_id: CHANNEL, is_ephemeral: false },
    channel: { id: CHANNEL, name: "leads" },
    message: { type: "message", ts: "1700000000.000100", text: "lead card" },
    response_url: responseUrl,
    // action_ts makes the click's origin key: a different one for every click, as Slack's are.
    actions: [
      {
        type: "button",
        action_id: "call_live",
        block_id: "b",
        value: String(leadId),
        action_ts: `${Math.floor(Date.now() / 1000)}.${String(clicks).padStart(6, "0")}`,
      },
    ],
    is_enterprise_install: false,
  };
  return slackSigned(
    new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    "application/x-www-form-urlencoded",
  );
}

/** A Slack event (App Home opened…) as the Events API posts it. */
export function signedEvent(event: Record<string, unknown>): SignedRequest {
  return slackSigned(
    JSON.stringify({
      token: "legacy",
      team_id: TEAM_ID,
      api_app_id: "A0LEADLINE",
      type: "event_callback",
      event_id: `Ev${Date.now()}${Math.floor(Math.random() * 1e6)}`,
      event_time: Math.floor(Date.now() / 1000),
      event,
    }),
    "application/json",
  );
}

/** Signed status callbacks for `calls`, each through initiated → ringing → in-progress → completed. */
export function statusCallbacks(
  calls: { sid: string; to: string; from: string }[],
  account: FakeAccount,
  only?: "completed",
): SignedRequest[] {
  const lifecycle = ["initiated", "ringing", "in-progress", "completed"];
  return calls.flatMap((call) =>
    lifecycle.flatMap((status, seq) => {
      if (only && status !== only) return [];
      // Twilio sends CallDuration only once the call has ended.
      const params: Record<string, string> = {
        CallSid: call.sid,
        AccountSid: account.sid,
        CallStatus: status,
        SequenceNumber: String(seq),
        ...(status === "completed" ? { CallDuration: "42" } : {}),
        To: call.to,
        From: call.from,
      };
      return [
        {
          path: "/twilio/status",
          body: new URLSearchParams(params).toString(),
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "x-twilio-signature": twilioSignature(account.token, `${PUBLIC}/twilio/status`, params),
          },
        },
      ];
    }),
  );
}

/** The calls the fake Twilio holds, for callbacks. */
export function heldCalls(fakes: Fakes, limit: number) {
  return [...fakes.twilio.calls.values()]
    .slice(-limit)
    .map((call) => ({ sid: String(call.sid), to: String(call.to), from: String(call.from) }));
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
  /** How many answers had each HTTP status. */
  statusCodes: Record<string, number>;
}

/** autocannon for DURATION_S over `requests` (cycled), `connections` at a time. */
export async function load(url: string, requests: SignedRequest[], connections = 20): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: DURATION_S,
    method: "POST",
    requests: requests.map((r) => ({ method: "POST", path: r.path, body: r.body, headers: r.headers })),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    total: result.requests.total,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, (stats as { count: number }).count]),
    ),
  };
}

/**
 * What one request costs the instance, independent of how busy the machine is: `amount` requests
 * (cycled over `requests`, 4 in flight), CPU microseconds and PostgreSQL round trips per request.
 */
export async function costPerRequest(
  instance: Instance,
  requests: SignedRequest[],
  amount = 2_000,
): Promise<{ cpuUs: number; roundTrips: number; errors: number }> {
  const before = await instance.cost();
  const result = await autocannon({
    url: instance.url,
    connections: 4,
    amount,
    method: "POST",
    requests: requests.map((r) => ({ method: "POST", path: r.path, body: r.body, headers: r.headers })),
  });
  const after = await instance.cost();
  const n = Math.max(1, result.requests.total);
  if (after.statements && process.env.BENCH_SHOW_QUERIES) console.log(after.statements);
  return {
    cpuUs: (after.cpuUs - before.cpuUs) / n,
    roundTrips: (after.queries - before.queries) / n,
    errors: result.errors + result.non2xx,
  };
}

/** `work`'s cost to `instance` per unit it reports (requests): CPU microseconds and PostgreSQL round trips. */
export async function costed<T extends { total: number }>(
  instance: Instance,
  work: () => Promise<T>,
): Promise<T & { cpuUsPerRequest: number; roundTripsPerRequest: number }> {
  const before = await instance.cost();
  const result = await work();
  const after = await instance.cost();
  const n = Math.max(1, result.total);
  return {
    ...result,
    cpuUsPerRequest: (after.cpuUs - before.cpuUs) / n,
    roundTripsPerRequest: (after.queries - before.queries) / n,
  };
}

export function post(url: string, request: SignedRequest): Promise<Response> {
  return fetch(`${url}${request.path}`, { method: "POST", body: request.body, headers: request.headers });
}

/**
 * Click → Twilio: for each lead, a signed Call click to one of `urls` (round robin), timed from
 * sending to the Calls create reaching the fake Twilio; `concurrency` clicks in flight at once.
 */
export async function clickToTwilio(
  fakes: Fakes,
  urls: string[],
  leads: { id: number; phone: string }[],
  concurrency = 1,
): Promise<{ latencies: number[]; perSecond: number; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const responseUrl = fakes.slack.responseUrl();
  const started = performance.now();
  const worker = async (w: number) => {
    for (;;) {
      const index = next++;
      const lead = leads[index];
      if (!lead) return;
      // The agent's phone is rung first: concurrent clicks come from different agents, like real ones.
      const user = concurrency === 1 ? AGENT : `U0BENCHW${w}`;
      const arrived = fakes.createFor(lead.phone);
      const start = performance.now();
      const response = await post(urls[index % urls.length]!, signedCallClick(lead.id, responseUrl, user));
      await response.arrayBuffer();
      try {
        latencies.push((await arrived) - start);
      } catch {
        failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return { latencies, perSecond: latencies.length / ((performance.now() - started) / 1000), failures };
}

/** What `work` (`total` requests) sends to PostgreSQL, per request: the statements by text, one by one. */
export async function statementsPer(
  instance: Instance,
  work: () => Promise<{ total: number }>,
): Promise<{ roundTrips: number; statements: [string, number][] }> {
  await instance.listStatements(true);
  try {
    const before = await instance.cost();
    const { total } = await work();
    const after = await instance.cost();
    const n = Math.max(1, total);
    const statements = Object.entries(after.statements ?? {})
      .map(([text, count]) => [text, count / n] as [string, number])
      .sort((a, b) => b[1] - a[1]);
    return { roundTrips: (after.queries - before.queries) / n, statements };
  } finally {
    await instance.listStatements(false);
  }
}

export { sleep };
