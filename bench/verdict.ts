// Issue 16: what the calling-law verdict adds to click → Twilio. On PostgreSQL (issue 25) the guard's row
// and the facts are one statement: what the verdict adds there is that statement against the same INSERT
// alone, interleaved sample by sample (the difference of their percentiles), plus the judgement in the app.
// On SQLite, as before: placeCall's openCall takes the team's
// window from the settings the click has already read, then, inside the transaction that writes the call
// row (the per-lead guard), reads the lead's facts (do-not-call entry, consent, the last 24 hours'
// attempts: one statement) and judges them. Without the verdict the row would be one plain INSERT; with
// it, that INSERT runs in a transaction after those reads. So the added cost is measured as: the team
// window from those settings, plus a transaction (begin → facts → verdict → commit) without the INSERT
// both paths share. Measured in-process over 2,000 leads on numbers across the US and
// Canada at eight instants (allowed afternoons, nights, a Sunday, Thanksgiving), in live and message modes.

import { performance } from "node:perf_hooks";
import { createLogger } from "../src/lib/log.js";
import { createCallStore, type NewCall } from "../src/services/calls/call-store.js";
import type { CallMode } from "../src/services/calls/modes.js";
import { createCallingLaw, parseTeamWindow } from "../src/services/compliance/calling-law.js";
import { type CallFacts, createComplianceStore } from "../src/services/compliance/compliance-store.js";
import { callingVerdict } from "../src/services/compliance/verdict.js";
import { createSettingsService } from "../src/services/setup/settings.js";
import { createSettingsStore } from "../src/services/setup/settings-store.js";
import { pooled } from "../src/services/store/db.js";
import { loadKeyring } from "../src/services/store/keyring.js";
import { createSecretStore } from "../src/services/store/secrets.js";
import { settingsVersionReader } from "../src/services/workspaces/workspace-store.js";
import { type BenchDb, createWorkspace, seedLeads } from "./database.js";
import { CALLING_TIME } from "./harness.js";
import { summarize } from "./lib.js";

/** Area codes across every US zone (with split-zone and strict-state ones) and Canada. */
const AREAS = [
  212, 312, 808, 907, 213, 305, 850, 405, 410, 512, 915, 801, 602, 208, 303, 206, 617, 404, 702, 615, 504, 319, 701,
  605, 906, 270, 541, 931, 423, 812, 219, 308, 785, 620, 806, 575, 928, 520, 916, 503, 509, 406, 307, 501, 601, 205,
  843, 704, 919, 804, 540, 304, 412, 215, 856, 203, 401, 603, 802, 207, 416, 604, 514, 403, 780, 204, 306, 902, 709,
];
const STATES: Record<number, [string, string]> = {
  305: ["FL", "33101"],
  405: ["OK", "73102"],
  410: ["MD", "21201"],
  208: ["ID", "83702"],
  850: ["FL", "32501"],
  915: ["TX", "79901"],
  906: ["MI", "49855"],
};

/** Instants to judge at: the suite's Tuesday afternoon, nights, a weekend, a holiday, edges of the day. */
const INSTANTS = [
  CALLING_TIME,
  new Date("2026-11-24T03:00:00Z"),
  new Date("2026-11-22T15:00:00Z"),
  new Date("2026-11-21T22:30:00Z"),
  new Date("2026-11-26T17:00:00Z"),
  new Date("2026-11-23T13:30:00Z"),
  new Date("2026-11-25T01:30:00Z"),
  new Date("2026-11-27T23:59:00Z"),
];

/** The guard's INSERT without the facts (what a call row costs anyway). */
const PLAIN_INSERT = `INSERT INTO "Call" ("workspaceId", "leadId", "activeLeadId", "mode", "fromNumber", "toNumber",
    "status", "placedBy", "createdAt", "updatedAt")
  VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8::timestamp(3), $8::timestamp(3)) ON CONFLICT DO NOTHING RETURNING *`;

export async function benchVerdict(bench: BenchDb, encryptionKey: string, leadCount = 2_000) {
  const database = await bench.open();
  const db = database.prisma;
  try {
    const ws = await createWorkspace(database, "T0VERDICT");
    const leads = await seedLeads(bench, ws, leadCount, (i) => {
      const area = AREAS[i % AREAS.length]!;
      const exchange = 200 + ((i * 37) % 700);
      const address = i % 3 === 0 ? STATES[area] : undefined;
      return {
        name: `Verdict Lead ${i}`,
        phone: `+1${area}${exchange === 555 ? 556 : exchange}${String(1000 + (i % 9000)).padStart(4, "0")}`,
        source: "bench",
        state: address?.[0] ?? null,
        zip: address?.[1] ?? null,
      };
    });
    // Facts to find: 10% of numbers on the do-not-call list, 20% with consent, 10% called three times today.
    await db.dncEntry.createMany({
      data: leads
        .filter((_, i) => i % 10 === 3)
        .map((lead) => ({ workspaceId: ws, phone: lead.phone, source: "command", addedBy: "bench" })),
    });
    await db.consent.createMany({
      data: leads
        .filter((_, i) => i % 5 === 1)
        .map((lead) => ({
          workspaceId: ws,
          leadId: lead.id,
          phone: lead.phone,
          scope: "prerecorded",
          method: "web form",
          text: "I agree to receive recorded calls.",
          at: new Date(CALLING_TIME.getTime() - 30 * 86_400_000),
          recordedBy: "bench",
        })),
    });
    await db.call.createMany({
      data: leads
        .filter((_, i) => i % 10 === 7)
        .flatMap((lead, k) =>
          [1, 3, 5].map((hoursAgo, n) => ({
            workspaceId: ws,
            leadId: lead.id,
            mode: "live",
            fromNumber: "+15005550006",
            toNumber: lead.phone,
            twilioSid: `CA${String(k * 3 + n).padStart(32, "0")}`,
            status: "completed",
            placedBy: "U0BENCH01",
            createdAt: new Date(CALLING_TIME.getTime() - hoursAgo * 3_600_000),
          })),
        ),
    });
    const keyring = loadKeyring({
      currentKey: encryptionKey,
      production: false,
      dataDir: ".",
      log: createLogger("silent"),
    });
    const secrets = createSecretStore({ db, keyring });
    // The team's own window on top of the law, so its rule is judged too.
    await secrets.setMany(ws, { "rules.callingWindow": "08:30-20:00", "rules.callingDays": "mon-sat" }, "bench");
    const compliance = createComplianceStore(database);
    const law = createCallingLaw({
      store: compliance,
      settings: createSettingsService({
        store: createSettingsStore(db),
        secrets,
        readVersion: settingsVersionReader(database),
      }),
    });
    // Read once, as the click reads them before it opens the call.
    const settings = await createSettingsService({ store: createSettingsStore(db), secrets }).get(ws);
    const full = await db.lead.findMany({ where: { workspaceId: ws }, orderBy: { id: "asc" } });

    const added: number[] = [];
    const inTransaction: number[] = [];
    const verdictOnly: number[] = [];
    const plainInsert: number[] = [];
    let allowed = 0;
    const pool = database.postgres?.pool;
    const calls = createCallStore(database);
    /** PostgreSQL: the guard's statement with the facts and the judgement, then the same INSERT alone. */
    const sampleOneStatement = async (i: number, record: boolean) => {
      const lead = full[i % full.length]!;
      const now = INSTANTS[(i * 7 + Math.floor(i / full.length)) % INSTANTS.length]!;
      const mode: CallMode = i % 5 === 0 ? "message" : "live";
      const data: NewCall = {
        workspaceId: ws,
        lead,
        mode,
        from: "+15005550006",
        to: lead.phone!,
        agentId: "U0BENCH01",
        status: "dialing",
      };
      const t0 = performance.now();
      const team = parseTeamWindow(settings.callingWindow, settings.callingDays);
      let judged = 0;
      const result = await calls.open(data, {
        since: new Date(now.getTime() - 86_400_000),
        facts: () => Promise.reject(new Error("PostgreSQL reads the facts in the guard's statement")),
        judge: (facts) => {
          const t2 = performance.now();
          const verdict = law.verdictFrom(lead, mode, now, facts, team);
          judged = performance.now() - t2;
          return verdict.allowed ? undefined : verdict;
        },
      });
      const withFacts = performance.now() - t0;
      if ("opened" in result) await pooled(pool!, `DELETE FROM "Call" WHERE "id" = $1`, [result.opened.id]);
      const t1 = performance.now();
      const { rows } = await pooled(pool!, PLAIN_INSERT, [
        ws,
        lead.id,
        mode,
        "+15005550006",
        lead.phone,
        "dialing",
        "U0BENCH01",
        new Date().toISOString(),
      ]);
      const plain = performance.now() - t1;
      await pooled(pool!, `DELETE FROM "Call" WHERE "id" = $1`, [(rows[0] as { id: number }).id]);
      // A blocked call never reaches Twilio: only allowed calls say what the verdict adds to click → Twilio.
      if (!record || "blocked" in result) return;
      allowed += 1;
      added.push(withFacts);
      plainInsert.push(plain);
      inTransaction.push(withFacts);
      verdictOnly.push(judged);
    };
    const sample = async (i: number, record: boolean) => {
      if (pool) return sampleOneStatement(i, record);
      const lead = full[i % full.length]!;
      const now = INSTANTS[(i * 7 + Math.floor(i / full.length)) % INSTANTS.length]!;
      const mode: CallMode = i % 5 === 0 ? "message" : "live";
      const t0 = performance.now();
      const team = parseTeamWindow(settings.callingWindow, settings.callingDays);
      let inside = 0;
      let judged = 0;
      await db.$transaction(async (tx) => {
        const t1 = performance.now();
        const facts = await compliance.facts(
          tx,
          ws,
          { id: lead.id, phone: lead.phone! },
          new Date(now.getTime() - 86_400_000),
        );
        const t2 = performance.now();
        const verdict = law.verdictFrom(lead, mode, now, facts, team);
        const t3 = performance.now();
        inside = t3 - t1;
        judged = t3 - t2;
        if (verdict.allowed && record) allowed += 1;
      });
      if (!record) return;
      added.push(performance.now() - t0);
      inTransaction.push(inside);
      verdictOnly.push(judged);
    };
    for (let i = 0; i < 300; i += 1) await sample(i, false);
    const samples = leadCount * 2;
    for (let i = 0; i < samples; i += 1) await sample(i, true);

    // The pure verdict alone, many more times (it is cheap): allowed and blocked apart.
    const facts: CallFacts[] = [
      { onDoNotCallList: false, consent: null, attempts: [] },
      { onDoNotCallList: true, consent: null, attempts: [] },
      { onDoNotCallList: false, consent: { scope: "prerecorded" }, attempts: [] },
      {
        onDoNotCallList: false,
        consent: null,
        attempts: [1, 3, 5].map((h) => new Date(CALLING_TIME.getTime() - h * 3_600_000)),
      },
    ];
    const pureAllowed: number[] = [];
    const pureBlocked: number[] = [];
    for (let i = 0; i < 40_000; i += 1) {
      const lead = full[i % full.length]!;
      const fact = facts[i % facts.length]!;
      const start = performance.now();
      const verdict = callingVerdict({
        phone: lead.phone!,
        address: { state: lead.state, zip: lead.zip },
        now: INSTANTS[i % INSTANTS.length]!,
        mode: i % 5 === 0 ? "message" : "live",
        teamWindow: { start: "08:30", end: "20:00", days: [1, 2, 3, 4, 5, 6] },
        attempts: fact.attempts,
        onDoNotCallList: fact.onDoNotCallList,
        consent: fact.consent,
      });
      const took = performance.now() - start;
      if (i >= 2_000) (verdict.allowed ? pureAllowed : pureBlocked).push(took);
    }
    const withFacts = summarize(added);
    const alone = summarize(plainInsert);
    return {
      leads: leadCount,
      samples,
      allowedShare: allowed / samples,
      // PostgreSQL: what the guard's statement with the facts and the judgement takes over the INSERT alone.
      addedToClick: pool
        ? {
            n: withFacts.n,
            p50: withFacts.p50 - alone.p50,
            p99: withFacts.p99 - alone.p99,
            max: withFacts.max - alone.max,
          }
        : withFacts,
      ...(pool ? { guardWithFacts: withFacts, insertAlone: alone } : {}),
      factsAndVerdictInTransaction: summarize(inTransaction),
      verdictFromFacts: summarize(verdictOnly),
      pureVerdict: { allowed: summarize(pureAllowed), blocked: summarize(pureBlocked) },
    };
  } finally {
    await database.close();
  }
}
