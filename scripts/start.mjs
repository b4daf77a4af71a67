// `npm start`: build dist/ when the sources changed since the last build, then run the app.
// Plain JavaScript on purpose: it must run on a production install (`npm ci --omit=dev`).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const stampFile = join(root, "dist", ".build-stamp");
const entry = join(root, "dist", "src", "main.js");

function* files(dir) {
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) yield* files(path);
    else yield path;
  }
}

/** A hash of everything the build reads: a checkout or an edit changes it, a clock skew does not. */
function sourceHash() {
  const hash = createHash("sha256");
  const inputs = [...files(join(root, "src"))].filter((path) => path.endsWith(".ts")).sort();
  for (const path of [...inputs, join(root, "tsconfig.json"), join(root, "tsconfig.build.json")]) {
    hash.update(relative(root, path)).update("\0").update(readFileSync(path)).update("\0");
  }
  return hash.digest("hex");
}

const wanted = sourceHash();
const built = existsSync(stampFile) && existsSync(entry) ? readFileSync(stampFile, "utf8").trim() : "";
if (built !== wanted) {
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
await import(pathToFileURL(entry).href);
