import { type ChildProcess, spawn } from "node:child_process";
import type { Lead } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLAIM_LEASE_MS } from "../../src/services/scheduling/scheduler.js";
import { CALLING_TIME, CHANNEL, startTestApp, type TestApp, testEngine } from "../helpers/app.js";

// Scheduled calls fired while another process writes to the same SQLite database (another instance,
// a script; in one process, the status-callback connection): each is dialled once, and none is
// finished as "placed" without a call. The other writer commits a one-row write every WRITE_EVERY_MS,
// as a stream of status callbacks would. The test ticks itself, as node-cron would, at chosen times.

const AGENT = "U0MARIA01";
const FROM = "+15005550006";
const AGENT_PHONE = "+16465550199";
const CALLS = 30;
const WRITE_EVERY_MS = Number(process.env.LEADLINE_WRITE_EVERY_MS ?? 10);
/** Wednesday 25 November 2026, 14:00 in New York: in calling hours, after anything the cron tick fires. */
const DUE_AT = new Date(CALLING_TIME.getTime() + 86_400_000);

let t: TestApp;

beforeAll(async () => {
  // The node-cron tick once a year: only the test's tick(at) fires (with `at` in the past, a cron tick on
  // real time would find the test's leases run out and fire the same calls again).
  t = await startTestApp({ env: { PUBLIC_BASE_URL: "https://leadline.example.com" }, scheduleEvery: "0 0 0 1 1 *" });
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

describe.runIf(testEngine() === "sqlite")("scheduled calls and another writer on the SQLite file", () => {
  it(`${CALLS} due calls fired while another process writes every ${WRITE_EVERY_MS} ms: ${CALLS} calls`, async () => {
    const leads: Lead[] = [];
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
        dueAt: DUE_AT,
        bookedBy: AGENT,
        status: "scheduled",
      })),
    });
    // Ticks as the node-cron tick would make them, each after the last one's leases ran out (a claim
    // left by a call that could not be fired is tried again then), until every call is done.
    const writer = await otherWriter(t.databaseFile, WRITE_EVERY_MS);
    const ticks: Awaited<ReturnType<typeof t.app.deps.scheduler.tick>>[] = [];
    try {
      for (let round = 0; round < 10; round += 1) {
        ticks.push(await t.app.deps.scheduler.tick(new Date(DUE_AT.getTime() + 60_000 + round * CLAIM_LEASE_MS * 1.5)));
        const open = await t.app.deps.db.scheduledCall.count({ where: { status: { in: ["scheduled", "claimed"] } } });
        if (open === 0) break;
      }
    } finally {
      writer.kill("SIGKILL");
    }
    // Per lead: the Calls creates whose TwiML dials that lead once the agent answers.
    const creates = t.twilio.creates();
    const perLead = leads.map(
      (lead) =>
        creates.filter((r) => {
          const twiml = r.params.get("Twiml") ?? "";
          // With a public URL the agent's prompt names the lead (dialled once they press a key).
          return twiml.includes(`>${lead.phone}</Number>`) || twiml.includes(`Leadline call to ${lead.name}.`);
        }).length,
    );
    const rows = await t.app.deps.db.scheduledCall.findMany({ orderBy: { id: "asc" } });
    const lost = rows.filter((row) => perLead[leads.findIndex((lead) => lead.id === row.leadId)] === 0);
    console.info(
      `ticks ${JSON.stringify(ticks)}; ${creates.length} creates; never dialled: ${lost
        .map((row) => `#${row.id} ${row.status} (${row.reason?.trim().split("\n").at(-1)})`)
        .join(", ")}`,
    );
    expect(rows.filter((row) => row.status !== "placed").map((row) => [row.id, row.status])).toEqual([]);
    // The other writer never costs a call its minute: a stale snapshot is judged again at once, not at the next tick.
    expect(ticks[0]).toMatchObject({ claimed: CALLS, placed: CALLS });
    expect(lost.map((row) => [row.id, row.status, row.reason?.trim().split("\n").at(-1)])).toEqual([]);
    expect(perLead).toEqual(leads.map(() => 1));
  }, 60_000);
});
