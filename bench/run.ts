// npm run bench — Leadline's own latency beside its baselines, on this machine, against local fakes.
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { openDatabase } from "../src/services/store/db.js";
import { startFakeSlack } from "../test/helpers/fake-slack.js";
import { startFakeTwilio } from "../test/helpers/fake-twilio.js";
import { slackSignature, twilioSignature } from "../test/helpers/signing.js";
import { seedLeads, summarize, writeResults } from "./lib.js";
import { benchSearch } from "./search.js";

const SECRET = "bench-signing-secret";
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const PUBLIC = "https://leadline.bench.example";
// BENCH_PROFILE=1 writes a V8 CPU profile of the Leadline process to bench/results/profiles/.
const PROFILE_DIR = process.env.BENCH_PROFILE ? join(process.cwd(), "bench", "results", "profiles") : undefined;

const rssMb = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.replace(/\D/g, "")) / 1024;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const children: ChildProcess[] = [];
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

async function spawn(
  script: string,
  env: Record<string, string>,
  profile = false,
): Promise<{ child: ChildProcess; port: number }> {
  const port = 4100 + Math.floor(Math.random() * 800);
  const child = fork(script, [], {
    env: { ...process.env, PORT: String(port), ...env },
    execArgv: ["--import", "tsx", ...(profile && PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : [])],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  children.push(child);
  const ready = await new Promise<{ port?: number }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { port?: number }));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, port: ready.port ?? port };
}

function signedCommand(text: string) {
  const body = new URLSearchParams({
    command: "/call-lead",
    text,
    user_id: "U0BENCH01",
    user_name: "bench",
    channel_id: "C0BENCH01",
    team_id: "T0BENCH",
    trigger_id: "1.2.3",
    response_url: "http://127.0.0.1:9/r",
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": slackSignature(SECRET, ts, body),
    },
  };
}

async function load(
  url: string,
  requests: { body: string; headers: Record<string, string>; path?: string }[],
  connections = 20,
) {
  const result = await autocannon({
    url,
    connections,
    duration: DURATION_S,
    method: "POST",
    requests: requests.map((r) => ({
      method: "POST",
      path: r.path ?? "/slack/events",
      body: r.body,
      headers: r.headers,
    })),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    total: result.requests.total,
  };
}

async function main() {
  const slack = await startFakeSlack();
  const twilio = await startFakeTwilio();
  slack.botChannels.add("C0BENCH01");
  const account = twilio.addAccount({ numbers: ["+15005550006"] });
  const dir = mkdtempSync(join(tmpdir(), "leadline-bench-"));
  const file = join(dir, "bench.db");
  await (await openDatabase(`file:${file}`)).database.close();
  seedLeads(file, 10_000);
  const encryptionKey = randomBytes(32).toString("base64");
  const baseEnv = {
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: "xoxb-bench",
    SLACK_API_URL: slack.apiUrl,
    TWILIO_API_URL: twilio.url,
    LOG_LEVEL: "error",
    NODE_ENV: "test",
  };
  const results: Record<string, unknown> = {
    machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
    durationSeconds: DURATION_S,
  };

  // 1. Slash-command ack: bare Bolt vs Leadline answering /call-lead <name> over 10,000 leads.
  const bare = await spawn("bench/bare-bolt.ts", baseEnv);
  await sleep(300);
  const bareIdle = rssMb(bare.child.pid!);
  const bareAck = await load(`http://127.0.0.1:${bare.port}`, [signedCommand("jane")]);
  const bareLoaded = rssMb(bare.child.pid!);
  bare.child.kill("SIGTERM");

  // Twilio settings for the click and callback benchmarks, through Leadline's own encrypted store.
  const { createSecretStore } = await import("../src/services/store/secrets.js");
  const { loadKeyring } = await import("../src/services/store/keyring.js");
  const { createLogger } = await import("../src/lib/log.js");
  const { database } = await openDatabase(`file:${file}`);
  const db = database.prisma;
  const keyring = loadKeyring({
    currentKey: encryptionKey,
    production: false,
    dataDir: dir,
    log: createLogger("silent"),
  });
  await createSecretStore({ db, keyring }).setMany(
    1,
    { "twilio.accountSid": account.sid, "twilio.authToken": account.token, "twilio.phoneNumber": "+15005550006" },
    "bench",
  );

  const leadlineEnv = {
    ...baseEnv,
    DATABASE_URL: `file:${file}`,
    APP_ENCRYPTION_KEY: encryptionKey,
    PUBLIC_BASE_URL: PUBLIC,
  };
  const app = await spawn("bench/leadline-target.ts", leadlineEnv, true);
  const appUrl = `http://127.0.0.1:${app.port}`;
  await sleep(300);
  const leadlineIdle = rssMb(app.child.pid!);
  const ack = await load(appUrl, [signedCommand("jane"), signedCommand("maria garcia"), signedCommand("#4242")]);
  const afterAck = rssMb(app.child.pid!);
  results.slashCommandAck = {
    bareBolt: bareAck,
    leadline: ack,
    throughputRatio: ack.rps / bareAck.rps,
    p99Ratio: ack.p99 / Math.max(bareAck.p99, 1),
  };

  // 2. Click → Twilio: from a signed Call click arriving to the Calls create reaching the fake.
  const leadIds = (
    new Database(file).prepare("SELECT id FROM Lead ORDER BY id LIMIT 500").all() as { id: number }[]
  ).map((r) => r.id);
  const clickLatencies: number[] = [];
  for (const leadId of leadIds) {
    const payload = {
      type: "block_actions",
      team: { id: "T0BENCH" },
      user: { id: "U0BENCH01", name: "bench" },
      api_app_id: "A0",
      token: "x",
      trigger_id: "1.2.3",
      container: { type: "message", message_ts: "1.1", channel_id: "C0BENCH01", is_ephemeral: false },
      channel: { id: "C0BENCH01" },
      message: { ts: "1.1" },
      response_url: "http://127.0.0.1:9/r",
      actions: [{ type: "button", action_id: "call_simple", block_id: "b", value: String(leadId), action_ts: "1" }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const ts = Math.floor(Date.now() / 1000);
    const before = twilio.creates().length;
    const start = performance.now();
    await fetch(`${appUrl}/slack/events`, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(ts),
        "x-slack-signature": slackSignature(SECRET, ts, body),
      },
    });
    const deadline = performance.now() + 5_000;
    while (twilio.creates().length === before) {
      if (performance.now() > deadline) throw new Error(`click on lead ${leadId} never reached Twilio`);
      await sleep(0);
    }
    clickLatencies.push(performance.now() - start);
  }
  results.clickToTwilio = summarize(clickLatencies);
  const afterClicks = rssMb(app.child.pid!);

  // 3. Status callbacks: signed callbacks for the calls just placed, cycling through their lifecycle.
  const calls = [...twilio.calls.values()].slice(0, 250);
  const statuses = ["initiated", "ringing", "in-progress", "completed"];
  const callbackRequests = calls.flatMap((call) =>
    statuses.map((status, seq) => {
      const params = {
        CallSid: String(call.sid),
        AccountSid: account.sid,
        CallStatus: status,
        SequenceNumber: String(seq),
        CallDuration: status === "completed" ? "42" : "",
        To: String(call.to),
        From: String(call.from),
      };
      return {
        path: "/twilio/status",
        body: new URLSearchParams(params).toString(),
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": twilioSignature(account.token, `${PUBLIC}/twilio/status`, params),
        },
      };
    }),
  );
  results.statusCallbacks = await load(appUrl, callbackRequests);
  const afterCallbacks = rssMb(app.child.pid!);
  const exited = new Promise((resolve) => app.child.once("exit", resolve));
  app.child.kill("SIGTERM");
  // The profile is written as the process exits.
  if (PROFILE_DIR) await exited;
  await db.$disconnect();

  // 4. Lead search over 100,000 leads, our own time.
  results.leadSearch = await benchSearch(100_000, 400);

  results.memoryMb = {
    bareBoltIdle: bareIdle,
    bareBoltAfterLoad: bareLoaded,
    leadlineIdle,
    leadlineAfterAck: afterAck,
    leadlineAfterClicks: afterClicks,
    leadlineAfterCallbacks: afterCallbacks,
    idleRatio: leadlineIdle / bareIdle,
  };
  await slack.close();
  await twilio.close();
  rmSync(dir, { recursive: true, force: true });
  const out = writeResults("bench", results);

  const ackR = results.slashCommandAck as {
    bareBolt: { rps: number; p50: number; p99: number };
    leadline: { rps: number; p50: number; p99: number; errors: number };
    throughputRatio: number;
    p99Ratio: number;
  };
  const click = results.clickToTwilio as ReturnType<typeof summarize>;
  const cb = results.statusCallbacks as { rps: number; p50: number; p99: number; errors: number };
  const search = results.leadSearch as { overall: ReturnType<typeof summarize> };
  const mem = results.memoryMb as Record<string, number>;
  const row = (name: string, value: string, goal: string, ok: boolean | undefined) =>
    console.log(
      `${name.padEnd(34)} ${value.padEnd(40)} ${goal.padEnd(26)} ${ok === undefined ? "" : ok ? "met" : "MISSED"}`,
    );
  console.log(`${"measure".padEnd(34)} ${"result".padEnd(40)} ${"goal".padEnd(26)} status`);
  row(
    "slash ack: bare Bolt",
    `${ackR.bareBolt.rps.toFixed(0)} req/s, p50 ${ackR.bareBolt.p50} ms, p99 ${ackR.bareBolt.p99} ms`,
    "baseline",
    undefined,
  );
  row(
    "slash ack: Leadline /call-lead",
    `${ackR.leadline.rps.toFixed(0)} req/s, p50 ${ackR.leadline.p50} ms, p99 ${ackR.leadline.p99} ms`,
    "≥70% rps, p99 ≤1.5×",
    ackR.throughputRatio >= 0.7 && ackR.p99Ratio <= 1.5,
  );
  row(
    "  ratio",
    `${(ackR.throughputRatio * 100).toFixed(0)}% throughput, p99 ${ackR.p99Ratio.toFixed(2)}×`,
    "",
    undefined,
  );
  row(
    "click → Twilio create",
    `p50 ${click.p50.toFixed(1)} ms, p99 ${click.p99.toFixed(1)} ms (n=${click.n})`,
    "p99 < 50 ms",
    click.p99 < 50,
  );
  row(
    "status callbacks",
    `${cb.rps.toFixed(0)}/s, p99 ${cb.p99} ms, errors ${cb.errors}`,
    "≥ 1,000/s",
    cb.rps >= 1000 && cb.errors === 0,
  );
  row(
    "lead search (100k leads)",
    `p50 ${search.overall.p50.toFixed(2)} ms, p99 ${search.overall.p99.toFixed(2)} ms`,
    "p99 < 20 ms",
    search.overall.p99 < 20,
  );
  row(
    "idle RSS",
    `Leadline ${mem.leadlineIdle!.toFixed(0)} MB vs Bolt ${mem.bareBoltIdle!.toFixed(0)} MB (${mem.idleRatio!.toFixed(2)}×)`,
    "≤ 1.3×",
    mem.idleRatio! <= 1.3,
  );
  row(
    "RSS after load",
    `ack ${mem.leadlineAfterAck!.toFixed(0)}, clicks ${mem.leadlineAfterClicks!.toFixed(0)}, callbacks ${mem.leadlineAfterCallbacks!.toFixed(0)} MB`,
    "",
    undefined,
  );
  console.log(`\nJSON: ${out}`);
}

await main();
