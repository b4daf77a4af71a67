import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALLING_TIME, CHANNEL, startTestApp, type TestApp } from "../helpers/app.js";

// Scheduled calls fired while another process writes to the same SQLite database (another instance,
// a script, the status-callback connection): each is dialled once, and none is finished as "placed"
// without a call. The other writer commits a one-row write every WRITE_EVERY_MS, as a stream of
// status callbacks would; the firing tick is the app's own, driven with tick(at).

const AGENT = "U0MARIA01";
const FROM = "+15005550006";
const AGENT_PHONE = "+16465550199";
const CALLS = 30;
const WRITE_EVERY_MS = Number(process.env.LEADLINE_WRITE_EVERY_MS ?? 5);

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { PUBLIC_BASE_URL: "https://leadline.example.com" } });
  t.slack.users.set(AGENT, { id: AGENT, name: "maria", tz: "America/New_York" });
  const account = t.twilio.addAccount({ numbers: [FROM] });
  await t.app.deps.settings.save(
    t.ws,
    { accountSid: account.sid, authToken: account.token, phoneNumber: FROM, agentPhone: AGENT_PHONE },
    "U0ADMIN01",
  );
});
afterAll(async () => {
  await t?.stop();
});

/** Another process committing a small write every `everyMs` until killed; resolves once it has started. */
async function otherWriter(file: string, everyMs: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      "-e",
      `const db = new (require("better-sqlite3"))(process.argv[1]);
       db.pragma("busy_timeout = 2000");
       const write = db.prepare('INSERT INTO "Heartbeat" ("id", "at") VALUES (1, ?) ON CONFLICT ("id") DO UPDATE SET "at" = excluded."at"');
       console.log("writing");
       setInterval(() => write.run(new Date().toISOString()), Number(process.argv[2]));`,
      file,
      String(everyMs),
    ],
    { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  return child;
}

describe.runIf(() => true)("scheduled calls and another writer", () => {
  it(`${CALLS} due calls fired while another process writes every ${WRITE_EVERY_MS} ms: ${CALLS} calls`, async () => {
    if (t.engine !== "sqlite") return;
    const leads = [];
    for (let i = 0; i < CALLS; i += 1)
      leads.push(
        await t.app.deps.leads.create(t.ws, { name: `Lead ${i}`, phone: `+1212555${1000 + i}`, author: "seed" }),
      );
    await t.app.deps.db.scheduledCall.createMany({
      data: leads.map((lead) => ({
        workspaceId: t.ws,
        leadId: lead.id,
        agentId: AGENT,
        channel: CHANNEL,
        dueAt: new Date(CALLING_TIME.getTime() - 60_000),
        bookedBy: AGENT,
        status: "scheduled",
      })),
    });
    const writer = await otherWriter(t.databaseFile, WRITE_EVERY_MS);
    let counts: Awaited<ReturnType<typeof t.app.deps.scheduler.tick>>;
    try {
      counts = await t.app.deps.scheduler.tick(CALLING_TIME);
    } finally {
      writer.kill("SIGKILL");
    }
    const rows = await t.app.deps.db.scheduledCall.findMany({ orderBy: { id: "asc" } });
    const withoutCall = rows.filter((row) => row.status === "placed" && row.callId === null);
    console.info(
      `tick ${JSON.stringify(counts)}; ${t.twilio.creates().length} creates; placed without a call: ${withoutCall
        .map((row) => `#${row.id} (${row.reason?.replace(/\s+/g, " ").slice(-80)})`)
        .join(", ")}`,
    );
    expect(withoutCall).toEqual([]);
    expect(t.twilio.creates()).toHaveLength(CALLS);
  }, 60_000);
});
