// Generates the two Prisma clients (SQLite from prisma/schema.prisma, PostgreSQL from
// prisma/postgresql/schema.prisma: Prisma takes one provider per schema, so one `prisma generate`
// each) when the schemas changed since the last time, and says nothing when they are current.
// `npm install` runs it with --force (postinstall); every npm script that needs the clients runs it
// once, instead of regenerating both on every start. Plain JavaScript: production installs run it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Each client: the Prisma config that generates it, and a file that exists once it is generated. */
export const CLIENTS = [
  { config: "prisma.config.ts", schema: "prisma/schema.prisma", output: "node_modules/.prisma/client/index.js" },
  {
    config: "prisma.postgresql.config.ts",
    schema: "prisma/postgresql/schema.prisma",
    output: "node_modules/@leadline/prisma-postgresql/index.js",
  },
];

/** Where the hash of what the clients were generated from is kept (inside node_modules: a fresh install has none). */
const STAMP = "node_modules/.leadline-prisma-clients";

/** A hash of what generating reads: the schemas, the configs and the Prisma version. */
function inputsHash(root) {
  const hash = createHash("sha256");
  for (const client of CLIENTS) {
    for (const file of [client.config, client.schema])
      hash
        .update(file)
        .update("\0")
        .update(readFileSync(join(root, file)));
  }
  const prisma = join(root, "node_modules", "prisma", "package.json");
  hash.update(existsSync(prisma) ? JSON.parse(readFileSync(prisma, "utf8")).version : "");
  return hash.digest("hex");
}

/** Runs `prisma generate` for one config; its chatter is shown only when it fails. */
function prismaGenerate(root, config) {
  const cli = createRequire(join(root, "package.json")).resolve("prisma/build/index.js");
  try {
    execFileSync(process.execPath, [cli, "generate", "--no-hints", "--config", config], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
    });
  } catch (error) {
    process.stderr.write(`${error.stdout ?? ""}${error.stderr ?? ""}`);
    throw new Error(`prisma generate --config ${config} failed`);
  }
}

/**
 * Generates the clients unless they exist and were generated from the schemas as they are now (or
 * always, with `force`). Returns the configs it generated. `run` and `log` are for tests.
 */
export function ensureClients({ root = ROOT, force = false, run = prismaGenerate, log = console.error } = {}) {
  const wanted = inputsHash(root);
  const stampFile = join(root, STAMP);
  const current =
    !force &&
    existsSync(stampFile) &&
    readFileSync(stampFile, "utf8").trim() === wanted &&
    CLIENTS.every((client) => existsSync(join(root, client.output)));
  if (current) return [];
  log("Leadline: generating the database clients (SQLite and PostgreSQL)…");
  for (const client of CLIENTS) run(root, client.config);
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, `${wanted}\n`);
  return CLIENTS.map((client) => client.config);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureClients({ force: process.argv.includes("--force") });
  } catch (error) {
    console.error(`Leadline: ${error.message}`);
    process.exit(1);
  }
}
