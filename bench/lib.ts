import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export type Summary = ReturnType<typeof summarize>;

export function summarize(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** "p50 1.23 ms, p99 4.56 ms (n=500)" with the precision the size of the numbers calls for. */
export function ms(summary: Summary, withN = true): string {
  const f = (value: number) => value.toFixed(value < 10 ? 2 : 1);
  return `p50 ${f(summary.p50)} ms, p99 ${f(summary.p99)} ms${withN ? ` (n=${summary.n})` : ""}`;
}

export const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/** Seconds per load (autocannon runs); BENCH_SECONDS=3 for a quick look. */
export const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);

/** One measured figure: printed the moment it is known, gathered for the table and the JSON. */
export interface Row {
  engine: string;
  measure: string;
  result: string;
  goal: string;
  /** undefined: a baseline or a figure without a goal; null: could not be measured. */
  met?: boolean | null;
}

export const rows: Row[] = [];

const status = (met: Row["met"]) => (met === undefined ? "" : met === null ? "not measured" : met ? "met" : "MISSED");

const line = (row: Row) =>
  `${`[${row.engine}]`.padEnd(13)} ${row.measure.padEnd(40)} ${row.result.padEnd(58)} ${row.goal.padEnd(28)} ${status(row.met)}`;

export function report(row: Row): void {
  rows.push(row);
  console.log(line(row));
}

export function printTable(): void {
  console.log(`\n${"engine".padEnd(13)} ${"measure".padEnd(40)} ${"result".padEnd(58)} ${"goal".padEnd(28)} status`);
  for (const row of rows) console.log(line(row));
}

export function writeResults(name: string, data: unknown): string {
  const dir = join(process.cwd(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  return file;
}
