// Issue 26: the call queue's hot paths with 50 agents working one 100,000-lead queue at once, in-process
// over the services the app builds (the real calling law over the real compliance store): the next-lead
// claim (pick + claim + the law), and an outcome → the next lead's offer (release, standing, claim, law).
// Slack's edit of the card is not included (it is one chat.update after the offer).

import { performance } from "node:perf_hooks";
import { createLogger } from "../src/lib/log.js";
import { createCallingLaw } from "../src/services/compliance/calling-law.js";
import { createComplianceStore } from "../src/services/compliance/compliance-store.js";
import { createClaimStore } from "../src/services/queues/claim-store.js";
import { createQueueClaims } from "../src/services/queues/queue-claims.js";
import { queueSettingsSchema } from "../src/services/queues/queue-filter.js";
import { createQueueStore } from "../src/services/queues/queue-store.js";
import type { SettingsService } from "../src/services/setup/settings.js";
import { type BenchDb, createWorkspace, seedLeads } from "./database.js";
import { CALLING_TIME } from "./harness.js";
import { summarize } from "./lib.js";

const LEADS = Number(process.env.BENCH_QUEUE_LEADS ?? 100_000);
const AGENTS = 50;
const ROUNDS = Number(process.env.BENCH_QUEUE_ROUNDS ?? 4);

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
    const law = createCallingLaw({ store: createComplianceStore(database), settings, reader: database.prisma });
    const clock = { now: () => new Date(), callingNow: () => CALLING_TIME };
    const claims = createQueueClaims({
      store: createClaimStore(database),
      leads: { get: (w, id) => database.prisma.lead.findFirst({ where: { id, workspaceId: w } }) },
      law,
      clock,
      log: createLogger("silent"),
    });
    const queue = (await createQueueStore(database).create(ws, queueSettingsSchema.parse({ name: "Bench" }), "U0B"))!;
    const claimMs: number[] = [];
    const outcomeToNextMs: number[] = [];
    await Promise.all(
      Array.from({ length: AGENTS }, async (_, a) => {
        const agentId = `U0BENCH${String(a).padStart(3, "0")}`;
        let started = performance.now();
        let offer = await claims.next(queue, null, agentId);
        claimMs.push(performance.now() - started);
        for (let round = 0; round < ROUNDS && offer; round += 1) {
          const ref = { id: offer.claim.id, agentId, runId: null };
          await claims.beginDial(queue, ref);
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
    return { leads: LEADS, agents: AGENTS, claim: summarize(claimMs), outcomeToNext: summarize(outcomeToNextMs) };
  } finally {
    await database.close();
  }
}
