// Issue 26: the call queue's hot paths with 50 agents working one 100,000-lead queue at once, in-process
// over the services the app builds (the app's lead store, the real calling law over the real compliance
// store; the team's settings are an empty stub): the next-lead claim (pick + claim + the law), and an
// outcome → the next lead's offer (release, standing, claim, law). Slack's edit of the card is not included
// (it is one chat.update after the offer).
//
// Agents work as agents do: each presses Start at its own moment (spread over the first second), and a
// lead's call lasts a while between the dial and the outcome (BENCH_QUEUE_CALL_MS, 0.25–0.75 s by default:
// 50 agents then claim ~100 leads a second, a hundred times a real team's pace). The process has served a
// few claims before the measure (a running app is warm; its first query plans are start-up's cost). The
// same agents with no pause at all (every agent's next claim the instant its last ended) is reported
// apart as the queue's capacity: there each claim waits for the 49 others, so its latency is queueing.

import { performance } from "node:perf_hooks";
import { createLogger } from "../src/lib/log.js";
import { createCallingLaw } from "../src/services/compliance/calling-law.js";
import { createComplianceStore } from "../src/services/compliance/compliance-store.js";
import { createLeadService } from "../src/services/leads/lead-service.js";
import { createLeadStore } from "../src/services/leads/lead-store.js";
import { createClaimStore } from "../src/services/queues/claim-store.js";
import { createQueueClaims, type QueueClaims } from "../src/services/queues/queue-claims.js";
import { type QueueOrder, queueSettingsSchema } from "../src/services/queues/queue-filter.js";
import { createQueueStore } from "../src/services/queues/queue-store.js";
import type { SettingsService } from "../src/services/setup/settings.js";
import { type BenchDb, createWorkspace, seedLeads } from "./database.js";
import { CALLING_TIME } from "./harness.js";
import { sleep, summarize } from "./lib.js";

const LEADS = Number(process.env.BENCH_QUEUE_LEADS ?? 100_000);
const AGENTS = 50;
const ROUNDS = Number(process.env.BENCH_QUEUE_ROUNDS ?? 8);
/** A call's mean length between the dial and the outcome (uniform over ±50%). */
const CALL_MS = Number(process.env.BENCH_QUEUE_CALL_MS ?? 500);
/** The agents press Start over this long. */
const START_SPREAD_MS = 1_000;
const ORDER = (process.env.BENCH_QUEUE_ORDER ?? "callbacks") as QueueOrder;

type Queue = Parameters<QueueClaims["next"]>[0];

/** Every agent's run: claim, dial, (the call), outcome, next claim; returns the timings. */
async function work(claims: QueueClaims, queue: Queue, tag: string, paced: boolean) {
  const claimMs: number[] = [];
  const outcomeToNextMs: number[] = [];
  const began = performance.now();
  await Promise.all(
    Array.from({ length: AGENTS }, async (_, a) => {
      const agentId = `U0${tag}${String(a).padStart(3, "0")}`;
      if (paced) await sleep(Math.random() * START_SPREAD_MS);
      let started = performance.now();
      let offer = await claims.next(queue, null, agentId);
      claimMs.push(performance.now() - started);
      for (let round = 0; round < ROUNDS && offer; round += 1) {
        const ref = { id: offer.claim.id, agentId, runId: null };
        await claims.beginDial(queue, ref);
        if (paced) await sleep(CALL_MS * (0.5 + Math.random()));
        started = performance.now();
        await claims.outcome(queue, ref, "not_interested");
        const between = performance.now();
        offer = await claims.next(queue, null, agentId);
        const done = performance.now();
        claimMs.push(done - between);
        outcomeToNextMs.push(done - started);
      }
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  return {
    claim: summarize(claimMs),
    outcomeToNext: summarize(outcomeToNextMs),
    claimsPerSecond: claimMs.length / seconds,
  };
}

export async function benchQueue(bench: BenchDb) {
  const database = await bench.open();
  try {
    const ws = await createWorkspace(database, "T0QUEUEBENCH");
    await seedLeads(bench, ws, LEADS, (i) => ({
      name: `Queue lead ${i}`,
      phone: `+1212${String(2_000_000 + i).padStart(7, "0")}`,
      source: "zillow",
      state: "NY",
      zip: "10001",
    }));
    const settings = { get: async () => ({}) } as unknown as SettingsService;
    const law = createCallingLaw({ store: createComplianceStore(database), settings });
    const clock = { now: () => new Date(), callingNow: () => CALLING_TIME };
    const claims = createQueueClaims({
      store: createClaimStore(database),
      leads: createLeadService({ store: createLeadStore(database), defaultCountry: "US" }),
      law,
      clock,
      log: createLogger("silent"),
    });
    const queue = (await createQueueStore(database).create(
      ws,
      queueSettingsSchema.parse({ name: "Bench", orderBy: ORDER }),
      "U0B",
    ))!;
    // Warm: the process's first claims plan and compile what every later claim reuses.
    for (let i = 0; i < 5; i += 1) {
      const offer = await claims.next(queue, null, "U0WARM");
      if (!offer) break;
      await claims.beginDial(queue, { id: offer.claim.id, agentId: "U0WARM", runId: null });
      await claims.outcome(queue, { id: offer.claim.id, agentId: "U0WARM" }, "not_interested");
    }
    const paced = await work(claims, queue, "PACED", true);
    const flat = await work(claims, queue, "FLAT", false);
    return { leads: LEADS, agents: AGENTS, order: ORDER, callMs: CALL_MS, ...paced, saturated: flat };
  } finally {
    await database.close();
  }
}
