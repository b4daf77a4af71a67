// dist/ from src/ when the sources changed since the last build: what `npm start` (scripts/start.mjs)
// and the operator scripts on a production install (scripts/run.mjs) run. Plain JavaScript on
// purpose: it must run on a production install (`npm ci --omit=dev`), where TypeScript is a
// dependency but tsx is not.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

function* files(dir) {
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) yield* files(path);
    else yield path;
  }
}

/** A hash of everything the build reads: a checkout or an edit changes it, a clock skew does not. */
function sourceHash(root) {
  const hash = createHash("sha256");
  const inputs = [...files(join(root, "src"))].filter((path) => path.endsWith(".ts")).sort();
  for (const path of [...inputs, join(root, "tsconfig.json"), join(root, "tsconfig.build.json")]) {
    hash.update(relative(root, path)).update("\0").update(readFileSync(path)).update("\0");
  }
  return hash.digest("hex");
}

/**
 * Builds dist/ unless it is current (its stamp holds the sources' hash); exits the process with a
 * line saying so when the build fails. Returns the built file of `entry` (a path under src/, .ts).
 */
export function ensureBuild(entry = "src/main.ts", root = ROOT) {
  const stampFile = join(root, "dist", ".build-stamp");
  const built = join(root, "dist", entry.replace(/\.ts$/, ".js"));
  const wanted = sourceHash(root);
  const current = existsSync(stampFile) && existsSync(built) ? readFileSync(stampFile, "utf8").trim() : "";
  if (current !== wanted) {
    console.error("Leadline: building dist/ (the sources changed since the last build)…");
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    try {
      execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
    } catch {
      console.error("Leadline: the build failed (see the errors above); nothing was started.");
      process.exit(1);
    }
    writeFileSync(stampFile, `${wanted}\n`);
  }
  return built;
}
