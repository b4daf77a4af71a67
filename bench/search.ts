// Lead search over 100,000 leads: our own time for /lead <query>, measured in-process.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createLeadService } from "../src/services/leads/lead-service.js";
import { createLeadStore } from "../src/services/leads/lead-store.js";
import { openDatabase } from "../src/services/store/db.js";
import { seedLeads, summarize } from "./lib.js";

export async function benchSearch(count = 100_000, rounds = 300) {
  const dir = mkdtempSync(join(tmpdir(), "leadline-bench-search-"));
  const file = join(dir, "bench.db");
  await (await openDatabase(`file:${file}`)).database.close();
  seedLeads(file, count);
  const { database } = await openDatabase(`file:${file}`);
  const leads = createLeadService({ store: createLeadStore(database), defaultCountry: "US" });
  const queries = ["jane", "maria garcia", "zoe", "okafor 4242", "(201) 550-0042", "#54321", "nobody-here", "smith"];
  for (const q of queries) await leads.search(1, q); // warm up
  const perQuery: Record<string, ReturnType<typeof summarize>> = {};
  const all: number[] = [];
  for (const q of queries) {
    const samples: number[] = [];
    for (let i = 0; i < rounds / queries.length; i += 1) {
      const start = performance.now();
      await leads.search(1, q);
      samples.push(performance.now() - start);
    }
    perQuery[q] = summarize(samples);
    all.push(...samples);
  }
  await database.close();
  rmSync(dir, { recursive: true, force: true });
  return { leads: count, overall: summarize(all), perQuery };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchSearch();
  console.log(
    `lead search over ${result.leads} leads: p50 ${result.overall.p50.toFixed(2)} ms, p99 ${result.overall.p99.toFixed(2)} ms`,
  );
  for (const [q, s] of Object.entries(result.perQuery))
    console.log(`  ${q.padEnd(16)} p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms`);
}
