import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CLIENTS, ensureClients } from "../../scripts/generate.mjs";

// Issue 23, items 1 and 9: operator scripts ended with "tsx: not found" on a production install, and
// every npm script regenerated both Prisma clients (four `prisma generate` runs on the way to a start).
// .ci/production-check.sh runs each operator script on a real `npm ci --omit=dev` install.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> })
  .scripts;

const OPERATOR_SCRIPTS = {
  "dnc:import": "dnc-import",
  "leads:import": "import-leads",
  "secrets:rotate": "rotate-secrets",
  "secrets:forget": "forget-secrets",
  "workspace:remove": "remove-workspace",
};

describe("package.json", () => {
  it("runs every operator script through scripts/run.mjs (tsx in development, dist/ in production), never tsx itself", () => {
    for (const [script, file] of Object.entries(OPERATOR_SCRIPTS)) {
      expect(scripts[script], script).toBe(`node scripts/run.mjs ${file}`);
      expect(existsSync(join(ROOT, "src", "scripts", `${file}.ts`)), file).toBe(true);
    }
  });

  it("generates the database clients from one place, at most once per script", () => {
    for (const [name, command] of Object.entries(scripts)) {
      expect(command, name).not.toMatch(/prisma generate|npm run db:generate/);
      expect(command.split("scripts/generate.mjs").length - 1, name).toBeLessThanOrEqual(1);
    }
    expect(scripts.postinstall).toBe("node scripts/generate.mjs --force");
  });
});

describe("scripts/generate.mjs", () => {
  const root = mkdtempSync(join(tmpdir(), "leadline-generate-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  for (const client of CLIENTS) {
    for (const file of [client.config, client.schema]) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      copyFileSync(join(ROOT, file), join(root, file));
    }
  }
  const generated: string[] = [];
  const lines: string[] = [];
  const run = (at: string, config: string) => {
    // Stands in for `prisma generate`: writes the client's file, as it would.
    const client = CLIENTS.find((c) => c.config === config)!;
    mkdirSync(dirname(join(at, client.output)), { recursive: true });
    writeFileSync(join(at, client.output), "generated");
    generated.push(config);
  };
  const ensure = (force = false) => {
    generated.length = 0;
    lines.length = 0;
    return ensureClients({ root, force, run, log: (line) => lines.push(line) });
  };

  it("generates each client once, then nothing and says nothing while the schemas are unchanged", () => {
    expect(ensure()).toEqual(["prisma.config.ts", "prisma.postgresql.config.ts"]);
    expect(generated).toEqual(["prisma.config.ts", "prisma.postgresql.config.ts"]);
    expect(lines).toHaveLength(1);
    for (let i = 0; i < 3; i += 1) {
      expect(ensure()).toEqual([]);
      expect(lines).toEqual([]);
    }
  });

  it("generates again when a schema changes, when a client is missing, and when forced (npm install)", () => {
    ensure();
    writeFileSync(join(root, "prisma/schema.prisma"), `${readFileSync(join(root, "prisma/schema.prisma"), "utf8")}\n`);
    expect(ensure()).toHaveLength(2);
    expect(ensure()).toEqual([]);
    rmSync(join(root, CLIENTS[1]!.output));
    expect(ensure()).toHaveLength(2);
    expect(ensure(true)).toHaveLength(2);
    expect(ensure()).toEqual([]);
  });
});
