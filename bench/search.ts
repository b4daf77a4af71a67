// Lead search over 100,000 leads: our own time for /lead <query>, measured in-process, per engine.
import { performance } from "node:perf_hooks";
import { createLeadService } from "../src/services/leads/lead-service.js";
import { createLeadStore } from "../src/services/leads/lead-store.js";
import { createBenchDb, createWorkspace, type Engine, enginesToRun, seedLeads } from "./database.js";
import { summarize } from "./lib.js";

export async function benchSearch(engine: Engine, count = 100_000, rounds = 400) {
  const bench = await createBenchDb(engine, "search");
  try {
    const seeding = await bench.open();
    const ws = await createWorkspace(seeding, "T0SEARCH");
    await seeding.close();
    await seedLeads(bench, ws, count);
    const database = await bench.open();
    try {
      if (engine === "postgresql") await database.prisma.$executeRawUnsafe(`ANALYZE "Lead"`);
      const leads = createLeadService({ store: createLeadStore(database), defaultCountry: "US" });
      const queries = [
        "jane",
        "maria garcia",
        "zoe",
        "okafor 4242",
        "(201) 550-0042",
        "#54321",
        "nobody-here",
        "smith",
      ];
      for (const q of queries) await leads.search(ws, q); // warm up
      const perQuery: Record<string, ReturnType<typeof summarize>> = {};
      const all: number[] = [];
      for (const q of queries) {
        const samples: number[] = [];
        for (let i = 0; i < rounds / queries.length; i += 1) {
          const start = performance.now();
          await leads.search(ws, q);
          samples.push(performance.now() - start);
        }
        perQuery[q] = summarize(samples);
        all.push(...samples);
      }
      return { leads: count, overall: summarize(all), perQuery };
    } finally {
      await database.close();
    }
  } finally {
    await bench.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const engine of enginesToRun()) {
    const result = await benchSearch(engine);
    console.log(
      `[${engine}] lead search over ${result.leads} leads: p50 ${result.overall.p50.toFixed(2)} ms, p99 ${result.overall.p99.toFixed(2)} ms`,
    );
    for (const [q, s] of Object.entries(result.perQuery))
      console.log(`  ${q.padEnd(16)} p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms`);
  }
}
