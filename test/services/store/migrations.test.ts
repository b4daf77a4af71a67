import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { postgresSchema } from "../../../scripts/db-schemas.mjs";
import { applyPostgresMigrations, applySqliteMigrations } from "../../../src/services/store/migrations.js";
import { dropSchema, testEngine, withSchema } from "../../helpers/app.js";

const root = join(import.meta.dirname, "..", "..", "..");
const dir = mkdtempSync(join(tmpdir(), "leadline-migrations-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What Prisma would create for the schema from nothing: the model, as SQL. */
function fullScript(config: string, schemaFile: string, env: Record<string, string> = {}): string {
  return execFileSync(
    process.execPath,
    [
      join(root, "node_modules", "prisma", "build", "index.js"),
      "migrate",
      "diff",
      "--config",
      config,
      "--from-empty",
      "--to-schema-datamodel",
      schemaFile,
      "--script",
    ],
    { cwd: root, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  );
}

describe("one model, two engines", () => {
  it("the PostgreSQL schema is generated from the SQLite one (npm run db:schemas)", () => {
    const source = readFileSync(join(root, "prisma", "schema.prisma"), "utf8");
    const generated = readFileSync(join(root, "prisma", "postgresql", "schema.prisma"), "utf8");
    expect(generated).toBe(postgresSchema(source));
  });

  it("the SQLite migrations build exactly the model: tables, columns, defaults, indexes", () => {
    const migrated = join(dir, "migrated.db");
    const modelled = join(dir, "modelled.db");
    applySqliteMigrations(migrated);
    const model = new Database(modelled);
    model.exec(fullScript("prisma.config.ts", "prisma/schema.prisma", { DATABASE_URL: `file:${join(dir, "cli.db")}` }));
    const shape = (db: Database.Database) => {
      const tables = db
        .prepare(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'LeadSearch%' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name`,
        )
        .all() as { name: string }[];
      return Object.fromEntries(
        tables.map(({ name }) => [
          name,
          {
            columns: (db.prepare(`PRAGMA table_info("${name}")`).all() as Record<string, unknown>[])
              .map((c) => `${c.name} ${c.type} notnull=${c.notnull} default=${c.dflt_value} pk=${c.pk}`)
              .sort(),
            indexes: (
              db.prepare(`PRAGMA index_list("${name}")`).all() as { name: string; unique: number; origin: string }[]
            )
              .filter((index) => index.origin !== "pk")
              .map(
                (index) =>
                  `${index.name} unique=${index.unique} (${(db.prepare(`PRAGMA index_info("${index.name}")`).all() as { name: string }[]).map((c) => c.name).join(",")})`,
              )
              .sort(),
            foreignKeys: (db.prepare(`PRAGMA foreign_key_list("${name}")`).all() as Record<string, unknown>[])
              .map((fk) => `${fk.from}->${fk.table}.${fk.to} ${fk.on_delete}`)
              .sort(),
          },
        ]),
      );
    };
    const migratedDb = new Database(migrated);
    expect(shape(migratedDb)).toEqual(shape(model));
    migratedDb.close();
    model.close();
  }, 60_000);

  it.runIf(testEngine() === "postgresql")(
    "the PostgreSQL migrations build exactly the model: tables, columns, defaults, indexes",
    async () => {
      const url = process.env.TEST_DATABASE_URL!;
      const migrated = `m_${Date.now()}`;
      const modelled = `d_${Date.now()}`;
      await applyPostgresMigrations(url, migrated);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA "${modelled}"`);
        await client.query(`SET search_path TO "${modelled}"`);
        await client.query(
          fullScript("prisma.postgresql.config.ts", "prisma/postgresql/schema.prisma", { DATABASE_URL: url }).replace(
            /CREATE SCHEMA IF NOT EXISTS "public";/,
            "",
          ),
        );
        const shape = async (schema: string) => {
          const { rows: columns } = await client.query(
            `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
             WHERE table_schema = $1 AND table_name <> '_prisma_migrations' ORDER BY table_name, column_name`,
            [schema],
          );
          const { rows: indexes } = await client.query(
            `SELECT tablename, indexname, regexp_replace(indexdef, ' ON "?[a-z_0-9]+"?\\.', ' ON ') AS def FROM pg_indexes
             WHERE schemaname = $1 AND tablename <> '_prisma_migrations' AND indexname <> 'Lead_searchText_trgm_idx'
             ORDER BY indexname`,
            [schema],
          );
          return {
            columns: columns.map((c) => ({
              ...c,
              column_default: String(c.column_default).replaceAll(`"${schema}".`, "").replaceAll(`${schema}.`, ""),
            })),
            indexes,
          };
        };
        expect(await shape(migrated)).toEqual(await shape(modelled));
      } finally {
        await client.end();
        await dropSchema(withSchema(url, migrated));
        await dropSchema(withSchema(url, modelled));
      }
    },
    60_000,
  );
});
