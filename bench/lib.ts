import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { searchForm, searchTextOf } from "../src/services/leads/lead-service.js";

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export function summarize(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

const FIRST = [
  "Jane",
  "John",
  "Maria",
  "Ahmed",
  "Wei",
  "Olga",
  "Carlos",
  "Zoë",
  "Priya",
  "Liam",
  "Emma",
  "Noah",
  "Ava",
  "Mia",
  "Lucas",
];
const LAST = [
  "Doe",
  "Smith",
  "García",
  "Nguyen",
  "Kowalski",
  "Okafor",
  "Rossi",
  "Müller",
  "Tanaka",
  "Brown",
  "Johnson",
  "Lee",
  "Patel",
];

/** Fills a migrated SQLite file with `count` leads (distinct valid US numbers) straight through SQL, fast. */
export function seedLeads(file: string, count: number): void {
  const db = new Database(file);
  const insert = db.prepare(
    `INSERT INTO "Lead" (workspaceId, name, nameSearch, searchText, phone, phoneLast4, source, createdAt, updatedAt) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) {
      const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`;
      const area = 201 + (Math.floor(i / 10_000) % 700);
      const phone = `+1${area}55${String(i % 100_000).padStart(5, "0")}`;
      const source = i % 3 === 0 ? "Zillow" : "website";
      insert.run(
        name,
        searchForm(name),
        searchTextOf({ name, source }),
        phone,
        phone.slice(-4),
        source,
        now - i * 1000,
        now - i * 1000,
      );
    }
  })();
  db.close();
}

export function writeResults(name: string, data: unknown): string {
  const dir = join(process.cwd(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  return file;
}
