// `npm run dnc:import` and the other operator scripts: `node scripts/run.mjs <name> [args…]` runs
// src/scripts/<name>.ts. A development install runs it through tsx, from the source as it is; a
// production install (`npm ci --omit=dev`, or NODE_ENV=production) has no tsx and runs it from the
// build in dist/, building it first when the sources changed, as `npm start` does. Either way the
// database clients are generated first only when the schema changed.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ensureBuild, ROOT } from "./build.mjs";
import { ensureClients } from "./generate.mjs";

const [name, ...args] = process.argv.slice(2);
const source = `src/scripts/${name}.ts`;
if (!name || !/^[a-z-]+$/.test(name) || !existsSync(join(ROOT, source))) {
  console.error(`Usage: node scripts/run.mjs <script> [arguments]: no script ${source}.`);
  process.exit(2);
}

function hasTsx() {
  try {
    createRequire(join(ROOT, "package.json")).resolve("tsx");
    return true;
  } catch {
    return false;
  }
}

try {
  ensureClients();
} catch (error) {
  console.error(`Leadline: ${error.message}`);
  process.exit(1);
}
if (process.env.NODE_ENV !== "production" && hasTsx()) {
  const run = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, source), ...args], { stdio: "inherit" });
  if (run.signal) process.kill(process.pid, run.signal);
  process.exit(run.status ?? 1);
}
const built = ensureBuild(source);
// The script reads its arguments from process.argv as if it had been started itself.
process.argv = [process.argv[0], built, ...args];
await import(pathToFileURL(built).href);
