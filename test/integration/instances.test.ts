import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ids, setupFields } from "../../src/lib/ids.js";
import { type DatabaseHandle, openDatabase } from "../../src/services/store/db.js";
import {
  CALLING_TIME,
  CHANNEL,
  dropSchema,
  eventually,
  SIGNING_SECRET,
  TEAM_ID,
  testEngine,
  withSchema,
} from "../helpers/app.js";
import { sequence } from "../helpers/callbacks.js";
import { type FakeSlack, startFakeSlack } from "../helpers/fake-slack.js";
import { type FakeAccount, type FakeTwilio, startFakeTwilio } from "../helpers/fake-twilio.js";
import { buttonClick, viewSubmission } from "../helpers/payloads.js";
import { slackSignature, twilioSignature } from "../helpers/signing.js";

// Two real Leadline processes (test/helpers/child-app.ts) on one PostgreSQL schema, behind the same
// fake Slack and fake Twilio: what must be shared between instances lives in the database, and an
// instance that stops (gracefully or not) leaves nothing the other cannot finish.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PUBLIC = "https://leadline.example.com";
const ADMIN = "U0ADMIN01";
const FROM = "+15005550006";
const FROM_NEW = "+12125550100";
const CARD_TS = "1760000000.000100";
const LEADS_TOKEN = "test-leads-api-token-0123456789";
/** How long the surviving instance may take to pick up a call the other one was polling. */
const TAKEOVER_MS = 10_000;
/** How long Slack takes to answer the line edit an instance is killed in the middle of. */
const LINE_EDIT_MS = 600;

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface Pair {
  slack: FakeSlack;
  twilio: FakeTwilio;
  account: FakeAccount;
  databaseUrl: string;
  env: Record<string, string>;
  instances: Instance[];
  db: DatabaseHandle;
}

/** The end of an instance's log, long lines (minified stack frames) cut. */
const logTail = (logs: string[]) =>
  logs
    .join("")
    .split("\n")
    .map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line))
    .slice(-30)
    .join("\n");

/** Starts the real app in a child process; resolves once it prints its port. */
async function startInstance(name: string, env: Record<string, string>, options: object): Promise<Instance> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/child-app.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ...env,
      // Calling hours judged at the suite's fixed weekday afternoon, like startTestApp's apps.
      LEADLINE_TEST_OPTIONS: JSON.stringify({ callingTime: CALLING_TIME.toISOString(), ...options }),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const logs: string[] = [];
  child.stderr!.on("data", (chunk) => logs.push(String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s:\n${logTail(logs)}`)), 30_000);
    child.stdout!.on("data", (chunk) => {
      out += String(chunk);
      const match = /LEADLINE_PORT=(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${logTail(logs)}`));
    });
  });
  return { name, url: `http://127.0.0.1:${port}`, child, logs, exited };
}

/**
 * Waits until the instance has no background task running (asked over its stdin); fails if work is left.
 * Says what is still due later (timers are not tasks): the calls its poller holds, its price lookups waiting.
 */
async function drained(instance: Instance): Promise<{ polling: number; prices: number }> {
  const out = instance.child.stdout!;
  const report = await new Promise<RegExpExecArray>((resolve, reject) => {
    let text = "";
    const onData = (chunk: unknown) => {
      text += String(chunk);
      const match = /LEADLINE_DRAINED (\d+) polling=(\d+) prices=(\d+)/.exec(text);
      if (match) {
        out.off("data", onData);
        resolve(match);
      }
    };
    out.on("data", onData);
    void instance.exited.then(() =>
      reject(new Error(`${instance.name} exited while draining:\n${logTail(instance.logs)}`)),
    );
    instance.child.stdin!.write("drain\n");
  });
  const left = Number(report[1]);
  if (left > 0) throw new Error(`${instance.name} still runs ${left} background task(s) after 10 s`);
  return { polling: Number(report[2]), prices: Number(report[3]) };
}

const running = (instance: Instance) => instance.child.exitCode === null && instance.child.signalCode === null;

/** SIGTERM, then SIGKILL if it has not stopped within `graceMs`. */
async function stopInstance(instance: Instance, graceMs = 10_000) {
  if (!running(instance)) return instance.exited;
  instance.child.kill("SIGTERM");
  const timer = setTimeout(() => instance.child.kill("SIGKILL"), graceMs);
  const result = await instance.exited;
  clearTimeout(timer);
  return result;
}

/**
 * Another session holding `table` of the schema in EXCLUSIVE mode (reads go on, writes wait);
 * `waiters()` counts the sessions waiting for a lock while running a statement on that schema.
 */
async function holdTable(databaseUrl: string, table: string) {
  const { default: pg } = await import("pg");
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get("schema")!;
  url.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query("BEGIN");
  await client.query(`LOCK TABLE "${schema}"."${table}" IN EXCLUSIVE MODE`);
  return {
    async waiters() {
      // Statistics views are read once per transaction unless the snapshot is cleared.
      await client.query("SELECT pg_stat_clear_snapshot()");
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND position($1 in query) > 0",
        [`"${schema}".`],
      );
      return Number(rows[0]!.n);
    },
    async release() {
      await client.query("COMMIT");
      await client.end();
    },
  };
}

/** Two instances on one fresh schema, the shared fakes, and a database handle for the assertions. */
async function startPair(
  tag: string,
  extraEnv: Record<string, string>,
  options: object,
  together = false,
): Promise<Pair> {
  const slack = await startFakeSlack();
  const twilio = await startFakeTwilio();
  slack.botChannels.add(CHANNEL);
  slack.users.set(ADMIN, { id: ADMIN, name: "maria", is_admin: true });
  const account = twilio.addAccount({ numbers: [FROM, FROM_NEW] });
  const databaseUrl = withSchema(
    process.env.TEST_DATABASE_URL!,
    `t_instances_${tag}_${randomBytes(4).toString("hex")}`,
  );
  const env = {
    NODE_ENV: "test",
    PORT: "0",
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    APP_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    DATABASE_URL: databaseUrl,
    SLACK_API_URL: slack.apiUrl,
    TWILIO_API_URL: twilio.url,
    LEADS_CHANNEL_ID: CHANNEL,
    LEADS_API_TOKEN: LEADS_TOKEN,
    LOG_LEVEL: "warn",
    ...extraEnv,
  };
  let started: PromiseSettledResult<Instance>[] = [];
  let database: DatabaseHandle | undefined;
  if (together) {
    // Both at once on a fresh database (two deploys at the same moment). The schema is migrated
    // first and the Workspace table held until both are waiting to write it, so that both reach
    // their first write together every time instead of by chance.
    database = (await openDatabase(databaseUrl)).database;
    const held = await holdTable(databaseUrl, "Workspace");
    const starting = Promise.allSettled([startInstance("A", env, options), startInstance("B", env, options)]);
    // Let go within Prisma's 5 s transaction limit, whether or not both got there.
    await eventually(async () => (await held.waiters()) >= 2, "both instances waiting to write", 4_000).catch(
      () => undefined,
    );
    await held.release();
    started = await starting;
  } else {
    // One after the other.
    for (const name of ["A", "B"]) {
      const [result] = await Promise.allSettled([startInstance(name, env, options)]);
      started.push(result!);
      if (result!.status === "rejected") break;
    }
  }
  const instances = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    // One did not start: nothing is left running behind the failure.
    await Promise.all(instances.map((instance) => stopInstance(instance)));
    await database?.close();
    await slack.close();
    await twilio.close();
    await dropSchema(databaseUrl);
    throw failed.reason;
  }
  database ??= (await openDatabase(databaseUrl)).database;
  return { slack, twilio, account, databaseUrl, env, instances, db: database };
}

async function closePair(pair: Pair | undefined) {
  if (!pair) return;
  await Promise.all(pair.instances.map((instance) => stopInstance(instance)));
  // What went wrong inside an instance shows next to the failure it caused.
  for (const instance of pair.instances) {
    const errors = logTail(instance.logs.filter((chunk) => /"level":(50|60)/.test(chunk)));
    if (errors) console.warn(`instance ${instance.name} logged errors:\n${errors}`);
  }
  await pair.db.close();
  await pair.slack.close();
  await pair.twilio.close();
  await dropSchema(pair.databaseUrl);
}

/** A Slack request to one instance, signed as Slack signs it. */
function slackPost(instance: Instance, body: string) {
  const ts = Math.floor(Date.now() / 1000);
  return fetch(`${instance.url}/slack/events`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": slackSignature(SIGNING_SECRET, ts, body),
    },
  });
}

const interact = (instance: Instance, payload: Record<string, unknown>) =>
  slackPost(instance, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());

function command(pair: Pair, instance: Instance, name: string, text: string, user: string) {
  return slackPost(
    instance,
    new URLSearchParams({
      token: "legacy",
      team_id: TEAM_ID,
      team_domain: "leadline-test",
      channel_id: CHANNEL,
      channel_name: "leads",
      user_id: user,
      user_name: user.toLowerCase(),
      command: name,
      text,
      api_app_id: "A0LEADLINE",
      is_enterprise_install: "false",
      response_url: pair.slack.responseUrl(),
      trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e6)}.trigger`,
    }).toString(),
  );
}

/** A status callback to one instance, signed with the account's token against PUBLIC_BASE_URL + path. */
function statusCallback(pair: Pair, instance: Instance, params: Record<string, string>) {
  return fetch(`${instance.url}/twilio/status`, {
    method: "POST",
    body: new URLSearchParams(params).toString(),
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilioSignature(pair.account.token, `${PUBLIC}/twilio/status`, params),
    },
  });
}

/** An admin runs /twilio-setup on `instance` and submits the modal there; resolves once it is saved. */
async function setupTwilio(pair: Pair, instance: Instance, values: Record<string, string | undefined>) {
  const opened = pair.slack.callsTo("views.open").length;
  const confirmations = () => pair.slack.callsTo("chat.postEphemeral").filter((c) => c.args.user === ADMIN).length;
  const confirmed = confirmations();
  expect((await command(pair, instance, "/twilio-setup", "", ADMIN)).status).toBe(200);
  await eventually(() => pair.slack.callsTo("views.open").length > opened, `the setup modal from ${instance.name}`);
  const view = [...pair.slack.views.values()].at(-1)!;
  const answer = await interact(instance, viewSubmission(view, ADMIN, values));
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as Record<string, unknown>;
  expect(body.response_action, JSON.stringify(body)).toBe("update");
  await eventually(() => confirmations() > confirmed, "the admin's confirmation");
}

/** A lead through the lead API of `instance` (the app's own path). */
async function createLead(instance: Instance, name: string, phone: string): Promise<{ id: number; phone: string }> {
  const res = await fetch(`${instance.url}/api/leads`, {
    method: "POST",
    // With the lead's consent to prerecorded calls, as a web form records it: message calls need it.
    body: JSON.stringify({
      name,
      phone,
      consent: { scope: "prerecorded", method: "web form", text: "I agree to receive recorded calls from the team." },
    }),
    headers: { "content-type": "application/json", authorization: `Bearer ${LEADS_TOKEN}` },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { lead: { id: number; phone: string } }).lead;
}

function click(pair: Pair, instance: Instance, leadId: number, userId = "U0MARIA01", responseUrl?: string) {
  return interact(
    instance,
    buttonClick({
      userId,
      actionId: ids.call.messageAction,
      value: String(leadId),
      channel: CHANNEL,
      messageTs: CARD_TS,
      responseUrl: responseUrl ?? pair.slack.responseUrl(),
    }),
  );
}

const createsTo = (pair: Pair, to: string) => pair.twilio.creates().filter((r) => r.params.get("To") === to);

/** The call row once Twilio accepted it and its line is in the channel. */
async function placedCall(pair: Pair, leadId: number, timeoutMs = 5_000) {
  return eventually(
    async () => {
      const row = await pair.db.prisma.call.findFirst({ where: { leadId } });
      return row?.twilioSid && row.slackTs ? row : undefined;
    },
    `the call to lead ${leadId} placed and announced`,
    timeoutMs,
  );
}

const outcomeNotes = async (pair: Pair, leadId: number) =>
  (await pair.db.prisma.note.findMany({ where: { leadId }, orderBy: { id: "asc" } }))
    .map((note) => note.body)
    .filter((body) => /^\[Call (Completed|Busy|No Answer|Failed|Canceled)\]/.test(body));

/** The edits of one call's line, oldest first. */
const lineEdits = (pair: Pair, slackTs: string) =>
  pair.slack
    .callsTo("chat.update")
    .filter((c) => c.args.ts === slackTs)
    .map((c) => String(c.args.text ?? ""));

const fetchesOf = (pair: Pair, sid: string) =>
  pair.twilio.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/Calls/${sid}.json`)).length;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(testEngine() === "postgresql")("two instances starting at once on a fresh database", () => {
  it("both come up, on the one workspace", async () => {
    const pair = await startPair("start", { PUBLIC_BASE_URL: PUBLIC }, {}, true);
    try {
      for (const instance of pair.instances) expect((await fetch(`${instance.url}/healthz`)).status).toBe(200);
      expect(await pair.db.prisma.workspace.count()).toBe(1);
    } finally {
      await closePair(pair);
    }
  }, 60_000);
});

describe.runIf(testEngine() === "postgresql")("two instances on one database, with status callbacks", () => {
  let pair: Pair;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    pair = await startPair("cb", { PUBLIC_BASE_URL: PUBLIC }, { priceDelaysMs: [100, 200] });
    [a, b] = pair.instances as [Instance, Instance];
    // The admin connects Twilio through A: the modal is opened and submitted on A only.
    await setupTwilio(pair, a, {
      [setupFields.accountSid]: pair.account.sid,
      [setupFields.authToken]: pair.account.token,
      [setupFields.phoneNumber]: FROM,
      [setupFields.callMessage]: "Hi, this is Acme Realty calling.",
    });
  }, 60_000);
  afterAll(async () => {
    await closePair(pair);
  }, 30_000);

  it("20 concurrent clicks on one lead, split across both, place exactly one call", async () => {
    const lead = await createLead(a, "Clicky Lead", "+12125550141");
    const clicks = Array.from({ length: 20 }, (_, i) => ({
      instance: i % 2 === 0 ? a : b,
      user: `U0AGENT${String(i).padStart(2, "0")}`,
      responseUrl: pair.slack.responseUrl(),
    }));
    const answers = await Promise.all(clicks.map((c) => click(pair, c.instance, lead.id, c.user, c.responseUrl)));
    expect(answers.map((r) => r.status)).toEqual(clicks.map(() => 200));

    const call = await placedCall(pair, lead.id);
    const refusals = await eventually(
      () => {
        const paths = new Set(clicks.map((c) => new URL(c.responseUrl).pathname));
        const told = pair.slack.responses.filter((r) => paths.has(r.path));
        return told.length >= 19 ? told : undefined;
      },
      "19 clickers told",
      10_000,
    );
    expect(refusals).toHaveLength(19);
    for (const refusal of refusals) expect(String(refusal.body.text)).toMatch(/Already calling \*?Clicky Lead\b/);
    // Every click has been answered and both instances' background work has finished: nothing can still
    // be on its way to Twilio.
    await Promise.all([drained(a), drained(b)]);
    expect(createsTo(pair, lead.phone)).toHaveLength(1);
    expect(await pair.db.prisma.call.count({ where: { leadId: lead.id } })).toBe(1);
    expect(call).toMatchObject({ activeLeadId: lead.id, status: "queued" });
    expect(pair.slack.callsTo("chat.postMessage").filter((c) => c.args.thread_ts === CARD_TS).length).toBe(1);
  });

  it("a settings change made through A is used by B's very next call", async () => {
    const before = await createLead(a, "Before Change", "+12125550142");
    const after = await createLead(a, "After Change", "+12125550143");

    // B places a call with the settings as they are (and holds them, if it caches).
    expect((await click(pair, b, before.id)).status).toBe(200);
    await placedCall(pair, before.id);
    const first = createsTo(pair, before.phone);
    expect(first).toHaveLength(1);
    expect(first[0]!.params.get("From")).toBe(FROM);
    expect(first[0]!.params.get("Twiml")).toContain("Hi, this is Acme Realty calling.");

    // The admin changes the number and the message through A; the Auth Token is left blank (kept).
    await setupTwilio(pair, a, {
      [setupFields.accountSid]: pair.account.sid,
      [setupFields.phoneNumber]: FROM_NEW,
      [setupFields.callMessage]: "Hi, this is Acme Realty on our new line.",
    });

    // At once, no waiting for any cache: B's next call uses the new number and message.
    expect((await click(pair, b, after.id)).status).toBe(200);
    const call = await placedCall(pair, after.id);
    const next = createsTo(pair, after.phone);
    expect(next).toHaveLength(1);
    expect(next[0]!.params.get("From")).toBe(FROM_NEW);
    expect(next[0]!.params.get("Twiml")).toContain("Hi, this is Acme Realty on our new line.");
    expect(next[0]!.params.get("Twiml")).not.toContain("Acme Realty calling.");
    expect(call.fromNumber).toBe(FROM_NEW);
  });

  it("1,000 status callbacks spread over both end in one final state, one outcome note, one final line", async () => {
    const lead = await createLead(a, "Storm Lead", "+12125550144");
    expect((await click(pair, a, lead.id)).status).toBe(200);
    const call = await placedCall(pair, lead.id);
    const ref = { sid: call.twilioSid!, accountSid: pair.account.sid, to: call.toNumber, from: call.fromNumber };
    const steps = sequence(ref, "completed");
    const storm = Array.from({ length: 1000 }, (_, i) => steps[i % steps.length]!);
    for (let i = storm.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [storm[i], storm[j]] = [storm[j]!, storm[i]!];
    }
    const started = Date.now();
    for (let i = 0; i < storm.length; i += 25) {
      const batch = storm.slice(i, i + 25);
      const results = await Promise.all(batch.map((step, k) => statusCallback(pair, (i + k) % 2 === 0 ? a : b, step)));
      expect(results.map((r) => r.status)).toEqual(batch.map(() => 204));
    }
    const elapsed = Date.now() - started;

    const done = await pair.db.prisma.call.findUniqueOrThrow({ where: { id: call.id } });
    expect(done).toMatchObject({
      status: "completed",
      durationSec: 49,
      answeredBy: "human",
      activeLeadId: null,
      lastSequence: 3,
    });
    expect(await pair.db.prisma.callEvent.count({ where: { callId: call.id } })).toBe(1000);
    expect(await outcomeNotes(pair, lead.id)).toEqual([
      `[Call Completed] 49s, answered by human - Call SID: ${call.twilioSid}`,
    ]);
    await eventually(
      () => lineEdits(pair, call.slackTs!).at(-1)?.endsWith("completed (49s, answered by a person)"),
      "the line's last edit to show the final state",
    );
    // Let any editor still holding the line finish, then check the last edit still shows the end.
    await Promise.all([drained(a), drained(b)]);
    const edits = lineEdits(pair, call.slackTs!);
    expect(edits.at(-1)).toMatch(/completed \(49s, answered by a person\)$/);
    // One editor at a time across both instances: the burst becomes a few edits, not 1,000.
    expect(edits.length).toBeLessThanOrEqual(4);
    console.info(`1,000 callbacks over two instances: ${elapsed} ms`);
  }, 60_000);

  it("SIGTERM on A while it places a call: A finishes it, and B takes the call to its end", async () => {
    const lead = await createLead(b, "Shutdown Lead", "+12125550145");
    pair.twilio.delays.set("createCall", 1_000);
    try {
      expect((await click(pair, a, lead.id)).status).toBe(200);
      await eventually(() => createsTo(pair, lead.phone).length === 1, "the create to reach Twilio");
      a.child.kill("SIGTERM");
      // B keeps taking requests while A drains.
      const meanwhile = await fetch(`${b.url}/healthz`);
      expect(meanwhile.status).toBe(200);
      const exit = await a.exited;
      expect(exit).toEqual({ code: 0, signal: null });
    } finally {
      pair.twilio.delays.delete("createCall");
    }
    await expect(fetch(`${a.url}/healthz`)).rejects.toThrow();
    // A recorded the call and announced it before it exited: nothing was cut in half.
    const call = await placedCall(pair, lead.id, 1_000);
    expect(createsTo(pair, lead.phone)).toHaveLength(1);

    for (const step of sequence(
      { sid: call.twilioSid!, accountSid: pair.account.sid, to: call.toNumber, from: call.fromNumber },
      "completed",
    )) {
      expect((await statusCallback(pair, b, step)).status).toBe(204);
    }
    const done = await pair.db.prisma.call.findUniqueOrThrow({ where: { id: call.id } });
    expect(done).toMatchObject({ status: "completed", durationSec: 49, activeLeadId: null });
    expect(await outcomeNotes(pair, lead.id)).toEqual([
      `[Call Completed] 49s, answered by human - Call SID: ${call.twilioSid}`,
    ]);
    await eventually(
      () => lineEdits(pair, call.slackTs!).at(-1)?.endsWith("completed (49s, answered by a person)"),
      "B to edit the line to the final state",
    );
  }, 30_000);
});

describe.runIf(testEngine() === "postgresql")("two instances on one database, polling Twilio", () => {
  let pair: Pair;
  let a: Instance;
  let b: Instance;
  // Short timings for the poller, the sweep and the leases, so a dead instance's claims run out in test time.
  const options = {
    pollDelaysMs: [100],
    priceDelaysMs: [100, 200],
    sweepIntervalMs: 250,
    pollLeaseMs: 1_000,
    postLeaseMs: 2_000,
  };

  beforeAll(async () => {
    pair = await startPair("poll", {}, options);
    [a, b] = pair.instances as [Instance, Instance];
    await setupTwilio(pair, a, {
      [setupFields.accountSid]: pair.account.sid,
      [setupFields.authToken]: pair.account.token,
      [setupFields.phoneNumber]: FROM,
    });
  }, 60_000);
  afterAll(async () => {
    await closePair(pair);
  }, 30_000);

  /**
   * A call placed through `instance` and answered, polled by that instance (no status callbacks).
   * With `slowLineEdit`, Slack holds the edit that shows "in progress" for LINE_EDIT_MS: it resolves
   * while `instance` is in the middle of editing the call's line (holding the line's edit lease).
   */
  async function answeredCall(instance: Instance, name: string, phone: string, slowLineEdit = false) {
    const lead = await createLead(instance, name, phone);
    expect((await click(pair, instance, lead.id)).status).toBe(200);
    const call = await placedCall(pair, lead.id);
    expect(createsTo(pair, lead.phone)[0]!.params.get("StatusCallback")).toBeNull();
    const sid = call.twilioSid!;
    await eventually(() => fetchesOf(pair, sid) >= 2, `${instance.name} to poll the call`);
    const edits = lineEdits(pair, call.slackTs!).length;
    if (slowLineEdit) pair.slack.delays.set("chat.update", LINE_EDIT_MS);
    const remote = pair.twilio.calls.get(sid)!;
    remote.status = "in-progress";
    remote.answered_by = "human";
    await eventually(
      async () => (await pair.db.prisma.call.findUniqueOrThrow({ where: { id: call.id } })).status === "in-progress",
      "the call in progress, from polling",
    );
    if (slowLineEdit)
      await eventually(() => lineEdits(pair, call.slackTs!).length > edits, `${instance.name}'s edit of the line`);
    return { lead, call, sid, remote };
  }

  /** The call ends on Twilio; the surviving instance must poll it to its end, once, and show it. */
  async function finishedBySurvivor(
    survivor: Instance,
    { lead, call, sid, remote }: Awaited<ReturnType<typeof answeredCall>>,
  ) {
    // Anything the stopped instance had already sent has arrived by now.
    await sleep(200);
    const before = fetchesOf(pair, sid);
    remote.status = "completed";
    remote.duration = "133";
    await eventually(
      async () => {
        const row = await pair.db.prisma.call.findUniqueOrThrow({ where: { id: call.id } });
        return row.status === "completed" && row.pollLeaseUntil === null;
      },
      `${survivor.name} to poll the call to completed within ${TAKEOVER_MS} ms`,
      TAKEOVER_MS,
    );
    expect(running(survivor)).toBe(true);
    // Only the survivor is alive: every fetch after the stop is its own.
    expect(fetchesOf(pair, sid)).toBeGreaterThan(before);
    const done = await pair.db.prisma.call.findUniqueOrThrow({ where: { id: call.id } });
    expect(done).toMatchObject({ status: "completed", durationSec: 133, answeredBy: "human", activeLeadId: null });
    expect(await outcomeNotes(pair, lead.id)).toEqual([
      `[Call Completed] 2m 13s, answered by human - Call SID: ${sid}`,
    ]);
    await eventually(
      () => lineEdits(pair, call.slackTs!).at(-1)?.endsWith("completed (2m 13s, answered by a person)"),
      `${survivor.name} to edit the call's line to the final state within ${TAKEOVER_MS} ms`,
      TAKEOVER_MS,
    );
    // Polling stops at the end; only the price lookups (two attempts) may follow. Once the survivor has
    // drained with no call polled and no price lookup due, nothing more can come: then count.
    const settled = fetchesOf(pair, sid);
    await eventually(
      async () => {
        const due = await drained(survivor);
        return due.polling === 0 && due.prices === 0;
      },
      `${survivor.name} to poll nothing and have no price lookup due`,
      TAKEOVER_MS,
    );
    expect(fetchesOf(pair, sid) - settled).toBeLessThanOrEqual(2);
  }

  it("kill -9 of A mid-call, while it edits the call's line: B polls the call to its end, once, and shows it", async () => {
    const answered = await answeredCall(a, "Crash Lead", "+12125550146", true);
    try {
      a.child.kill("SIGKILL");
      expect(await a.exited).toEqual({ code: null, signal: "SIGKILL" });
      // A died holding the call's poll lease and its line's edit lease.
      const row = await pair.db.prisma.call.findUniqueOrThrow({ where: { id: answered.call.id } });
      expect(row.pollLeaseUntil).not.toBeNull();
      expect(row.postLock).not.toBeNull();
      // The edit A had sent still lands (Slack applies it after LINE_EDIT_MS); only then may anything newer be shown.
      const sent = pair.slack
        .callsTo("chat.update")
        .filter((c) => c.args.ts === row.slackTs)
        .at(-1)!;
      await eventually(
        () => pair.slack.sim.workspace.find(String(sent.args.channel), row.slackTs!)?.text === sent.args.text,
        "the edit A sent to land in Slack",
      );
    } finally {
      pair.slack.delays.delete("chat.update");
    }
    await finishedBySurvivor(b, answered);
  }, 40_000);

  it("SIGTERM of the instance polling a call: the other one, already running, finishes it", async () => {
    // A fresh A (the last test killed the first); B places and polls the call, then stops gracefully.
    const fresh = await startInstance("A2", pair.env, options);
    pair.instances.push(fresh);
    const answered = await answeredCall(b, "Graceful Lead", "+12125550147");
    b.child.kill("SIGTERM");
    expect(await b.exited).toEqual({ code: 0, signal: null });
    await finishedBySurvivor(fresh, answered);
  }, 60_000);
});
