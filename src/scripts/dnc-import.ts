// npm run dnc:import -- <registry file or .zip> [--workspace T012345] [--fetched 2026-11-20]
import "dotenv/config";
import { statSync } from "node:fs";
import { createComplianceStore } from "../services/compliance/compliance-store.js";
import { REGISTRY_MAX_AGE_DAYS } from "../services/compliance/dnc-service.js";
import { importRegistry } from "../services/compliance/registry-import.js";
import { pickWorkspace, scriptContext } from "./script-context.js";

const args = process.argv.slice(2);
const file = args[0];
if (!file || file.startsWith("--")) {
  console.error(
    "Usage: npm run dnc:import -- <file.txt or .zip> [--workspace <Slack team id>] [--fetched YYYY-MM-DD]\n" +
      "  The file is an FTC National Do Not Call Registry download: 10-digit lines or NPA,NXXXXXX lines, zipped or not.\n" +
      "  --fetched is the day you downloaded it from the FTC (default: the file's modification date).",
  );
  process.exit(2);
}
const fetchedFlag = args.indexOf("--fetched");
let fetchedAt: Date;
try {
  if (fetchedFlag >= 0) {
    const text = args[fetchedFlag + 1] ?? "";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(new Date(`${text}T12:00:00Z`).getTime()))
      throw new Error(`--fetched must be a date such as 2026-11-20 (got "${text}").`);
    fetchedAt = new Date(`${text}T12:00:00Z`);
  } else {
    fetchedAt = statSync(file).mtime;
  }
  if (fetchedAt.getTime() > Date.now() + 86_400_000) throw new Error("--fetched is in the future.");
} catch (error) {
  console.error(`Import failed: ${(error as Error).message}`);
  process.exit(1);
}
const tty = process.stderr.isTTY;
let lastLine = 0;
try {
  const { database, workspaces } = await scriptContext();
  const workspace = await pickWorkspace(workspaces, args.slice(1));
  const result = await importRegistry({
    store: createComplianceStore(database),
    ws: workspace.id,
    file,
    fetchedAt,
    now: () => new Date(),
    onProgress: ({ numbers, added }) => {
      const line = `Imported ${numbers.toLocaleString("en-US")} numbers (${added.toLocaleString("en-US")} new)…`;
      if (tty) process.stderr.write(`\r${line}`);
      else if (numbers - lastLine >= 100_000) {
        lastLine = numbers;
        process.stderr.write(`${line}\n`);
      }
    },
  });
  await database.close();
  if (tty) process.stderr.write("\n");
  const { stats } = result;
  console.log(
    `Imported ${stats.numbers.toLocaleString("en-US")} numbers from ${file} in ${result.seconds.toFixed(1)} s: ` +
      `${result.added.toLocaleString("en-US")} new on the do-not-call list, ${stats.skipped.toLocaleString("en-US")} lines skipped.`,
  );
  for (const bad of stats.firstBadLines)
    console.log(`  skipped line ${bad.line}${bad.entry ? ` of ${bad.entry}` : ""}: ${JSON.stringify(bad.text)}`);
  const age = Math.floor((Date.now() - fetchedAt.getTime()) / 86_400_000);
  console.log(
    `Registry copy fetched ${fetchedAt.toISOString().slice(0, 10)} (${age} days ago); import a fresh copy at least every ${REGISTRY_MAX_AGE_DAYS} days.`,
  );
  process.exit(0);
} catch (error) {
  if (tty) process.stderr.write("\n");
  console.error(`Import failed: ${(error as Error).message}`);
  process.exit(1);
}
