// npx tsx bench/crm-outbox.ts — the CRM outbox's throughput against the Follow Up Boss simulator, on
// one Leadline instance (in this process), on the suite's engine (LEADLINE_TEST_ENGINE / TEST_DATABASE_URL).
// Two loads: (1) FUB allowing far more than Leadline sends — how many calls per second one instance
// logs (goal ≥ 50); (2) FUB's own registered-system limit (250 requests per sliding 10 s) — the rate
// budget must hold: no 429 from FUB's window, no request inside a Retry-After.
// BENCH_CRM_CALLS sets the first load's size (default 1,000), BENCH_CRM_LIMITED the second's (default 400).
// npm run bench runs it as the measure "crm" (bench/crm.ts), in a process of its own per engine.
import { startFubSimulator } from "../sandbox/fub/simulator.js";
import { startTestApp } from "../test/helpers/app.js";

const SYSTEM = "Leadline";
const SYSTEM_KEY = "leadline-bench-system-key-0123456789";
const ADMIN = "U0BENCHADM";
const AGENT = "U0BENCH01";

export interface Outcome {
  calls: number;
  seconds: number;
  perSecond: number;
  requests: number;
  tooMany: number;
  early: number;
  peakPer10s: number;
}

async function measure(calls: number, limit: number): Promise<Outcome> {
  const fub = await startFubSimulator({
    systems: [{ name: SYSTEM, key: SYSTEM_KEY }],
    limits: { registered: { global: limit } },
    autoEmit: false,
  });
  const ownerKey = fub.addUser({
    name: "Olivia Owner",
    email: "olivia@team.test",
    role: "Broker",
    isOwner: true,
  }).apiKey;
  const t = await startTestApp({
    env: {
      ADMIN_SLACK_USER_IDS: ADMIN,
      FUB_API_URL: fub.url,
      FUB_SYSTEM: SYSTEM,
      FUB_SYSTEM_KEY: SYSTEM_KEY,
      LOG_LEVEL: "warn",
    },
    crmEvery: "* * * * * *",
    crmBackoffMs: 200,
  });
  try {
    await t.app.deps.crmSetup.connect(t.ws, ADMIN, ownerKey);
    // 50 leads, each already a FUB person: what is measured is logging calls (one request each).
    const db = t.app.deps.db;
    const leads: { id: number; phone: string | null }[] = [];
    for (let i = 0; i < 50; i += 1) {
      const phone = `+1312555${String(3000 + i)}`;
      const lead = await t.app.deps.leads.create(t.ws, { name: `Bench ${i}`, phone, author: "bench" });
      const person = fub.store.createPerson({ firstName: `Bench ${i}`, phones: [{ value: phone }] });
      await db.crmPerson.create({ data: { workspaceId: t.ws, personId: person.id, leadId: lead.id } });
      leads.push(lead);
    }
    const later = new Date(Date.now() + 3_600_000);
    const made = await db.call.createManyAndReturn({
      data: Array.from({ length: calls }, (_, i) => ({
        workspaceId: t.ws,
        leadId: leads[i % leads.length]!.id,
        mode: "message",
        fromNumber: "+15005550006",
        toNumber: leads[i % leads.length]!.phone!,
        twilioSid: `CA${String(i).padStart(32, "0")}`,
        status: "completed",
        answeredBy: "human",
        durationSec: 60,
        placedBy: AGENT,
        postState: "none",
      })),
    });
    await db.crmOutbox.createMany({
      data: made.map((call) => ({
        workspaceId: t.ws,
        kind: "call",
        sid: call.twilioSid!,
        callId: call.id,
        dueAt: later,
      })),
    });
    fub.requests.length = 0;
    const started = Date.now();
    await db.crmOutbox.updateMany({ data: { dueAt: new Date(started) } });
    t.app.deps.crmSender.hurry();
    for (;;) {
      if ((await db.crmOutbox.count({ where: { state: "sent" } })) === calls) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (Date.now() - started) / 1000;
    const ats = fub.requests.map((r) => r.at).sort((a, b) => a - b);
    let peak = 0;
    for (let i = 0, j = 0; i < ats.length; i += 1) {
      while (ats[i]! - ats[j]! >= 10_000) j += 1;
      peak = Math.max(peak, i - j + 1);
    }
    return {
      calls,
      seconds,
      perSecond: calls / seconds,
      requests: fub.requests.length,
      tooMany: fub.requests.filter((r) => r.status === 429).length,
      early: fub.earlyRequests().length,
      peakPer10s: peak,
    };
  } finally {
    await t.stop();
    await fub.close();
  }
}

const line = (name: string, o: Outcome) =>
  `${name}: ${o.calls} calls logged in ${o.seconds.toFixed(1)} s = ${o.perSecond.toFixed(1)} calls/s; ${o.requests} requests, peak ${o.peakPer10s} in any 10 s; 429s ${o.tooMany}; requests inside a Retry-After ${o.early}`;

const engine = process.env.LEADLINE_TEST_ENGINE ?? "sqlite";
const open = await measure(Number(process.env.BENCH_CRM_CALLS ?? 1_000), 1_000_000);
const limited = await measure(Number(process.env.BENCH_CRM_LIMITED ?? 400), 250);
if (process.send) {
  // Forked by npm run bench (bench/crm.ts): the numbers go back to it, which prints them in its table.
  process.send({ open, limited }, () => process.exit(0));
} else {
  console.log(`[${engine}] ${line("FUB unlimited", open)} (goal ≥ 50 calls/s)`);
  console.log(`[${engine}] ${line("FUB's limit, 250 per 10 s", limited)} (goal: peak ≤ 250, no 429)`);
}
