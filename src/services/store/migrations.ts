import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { projectRoot } from "../../lib/paths.js";

export const SQLITE_MIGRATIONS = join(projectRoot(), "prisma", "migrations");
export const POSTGRES_MIGRATIONS = join(projectRoot(), "prisma", "postgresql", "migrations");

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** The committed migrations of an engine, in order, with Prisma's checksum (sha256 of the file). */
export function migrationsIn(dir: string): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const pending = (all: Migration[], applied: Map<string, string>): Migration[] =>
  all.filter((migration) => {
    const known = applied.get(migration.name);
    if (known === undefined) return true;
    if (known !== migration.checksum) throw new Error(`migration ${migration.name} was changed after it was applied`);
    return false;
  });

/**
 * Applies committed migrations the way `prisma migrate deploy` does, recording them in Prisma's own
 * `_prisma_migrations` table (same checksum), so the CLI and the app agree on what is applied.
 */
export function applySqliteMigrations(file: string, dir = SQLITE_MIGRATIONS): string[] {
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  try {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("busy_timeout = 5000");
    sqlite.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "checksum" TEXT NOT NULL,
      "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL,
      "logs" TEXT,
      "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
      "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
    )`);
    // As `prisma migrate` does on SQLite: foreign keys off while tables are rebuilt (a rebuilt table
    // is dropped and renamed; with them on, the drop would cascade-delete the rows that point at it),
    // then checked once the migrations are in.
    sqlite.pragma("foreign_keys = OFF");
    // IMMEDIATE: two instances starting at once apply each migration once, one after the other.
    const run = sqlite.transaction(() => {
      const applied = new Map(
        (
          sqlite
            .prepare(
              `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`,
            )
            .all() as { migration_name: string; checksum: string }[]
        ).map((row) => [row.migration_name, row.checksum]),
      );
      const todo = pending(migrationsIn(dir), applied);
      for (const migration of todo) {
        sqlite.exec(migration.sql);
        sqlite
          .prepare(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
             VALUES (?, ?, ?, ?, 1, ?)`,
          )
          .run(randomUUID(), migration.checksum, Date.now(), migration.name, Date.now());
      }
      // Only after a migration ran: the check reads every table, which at each start would page the
      // whole database through memory (a million calls: seconds, and tens of MB kept by the allocator).
      const broken = todo.length > 0 ? (sqlite.pragma("foreign_key_check") as unknown[]) : [];
      if (broken.length > 0)
        throw new Error(`migrations left ${broken.length} rows pointing at nothing; nothing was applied`);
      return todo.map((migration) => migration.name);
    });
    const ran = run.immediate();
    sqlite.pragma("foreign_keys = ON");
    return ran;
  } finally {
    sqlite.close();
  }
}

/** Any fixed number: the advisory lock every instance takes while migrating one PostgreSQL database. */
const MIGRATION_LOCK = 7_482_301;

/**
 * The same for PostgreSQL, through node-postgres (Prisma 6.19's `migrate deploy` cannot run through
 * the pg adapter). An advisory lock makes instances that start together apply each migration once;
 * each migration runs in its own transaction (PostgreSQL's DDL is transactional).
 */
export async function applyPostgresMigrations(
  connectionString: string,
  schema: string,
  dir = POSTGRES_MIGRATIONS,
): Promise<string[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`SET search_path TO ${quoteIdent(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const { rows } = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`,
    );
    const todo = pending(migrationsIn(dir), new Map(rows.map((row) => [row.migration_name, row.checksum])));
    for (const migration of todo) {
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
           VALUES ($1, $2, now(), $3, 1, now())`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`);
      }
    }
    return todo.map((migration) => migration.name);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
