// The suite, on SQLite; then again on PostgreSQL when TEST_DATABASE_URL names one (CI always does).
// Prints both counts; fails when either run fails, or when PostgreSQL was asked for and did not answer.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const extra = process.argv.slice(2);
const out = mkdtempSync(join(tmpdir(), "leadline-test-"));

function run(engine) {
  const report = join(out, `${engine}.json`);
  const result = spawnSync(
    process.execPath,
    [
      "node_modules/vitest/vitest.mjs",
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...extra,
    ],
    { stdio: "inherit", env: { ...process.env, LEADLINE_TEST_ENGINE: engine } },
  );
  let counts = { passed: 0, failed: 0, skipped: 0, total: 0 };
  try {
    const json = JSON.parse(readFileSync(report, "utf8"));
    counts = {
      passed: json.numPassedTests,
      failed: json.numFailedTests,
      skipped: json.numPendingTests + json.numTodoTests,
      total: json.numTotalTests,
    };
  } catch {
    // No report: vitest itself failed; its exit code says so.
  }
  return { ok: result.status === 0, counts };
}

const lines = [];
const sqlite = run("sqlite");
lines.push(
  `SQLite:     ${sqlite.counts.passed} passed, ${sqlite.counts.failed} failed, ${sqlite.counts.skipped} skipped`,
);
let ok = sqlite.ok;

const url = process.env.TEST_DATABASE_URL;
if (url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    console.error(`TEST_DATABASE_URL is set but PostgreSQL does not answer there: ${error.message}`);
    process.exit(1);
  }
  const postgres = run("postgresql");
  lines.push(
    `PostgreSQL: ${postgres.counts.passed} passed, ${postgres.counts.failed} failed, ${postgres.counts.skipped} skipped`,
  );
  ok &&= postgres.ok;
} else {
  lines.push("PostgreSQL: not run (set TEST_DATABASE_URL=postgresql://… to run the suite on it too)");
}
rmSync(out, { recursive: true, force: true });
console.log(`\n${lines.join("\n")}`);
process.exit(ok ? 0 : 1);
