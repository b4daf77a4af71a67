import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@prisma/client";
import Database from "better-sqlite3";
import { projectRoot } from "../../lib/paths.js";

export type Db = PrismaClient;

const MIGRATIONS_DIR = join(projectRoot(), "prisma", "migrations");

/** `file:./data/leadline.db` → absolute path (relative to the working directory, like the CLI). */
export function sqlitePath(databaseUrl: string): string {
  const raw = databaseUrl.replace(/^file:/, "").split("?")[0] ?? "";
  return isAbsolute(raw) ? raw : resolve(process.cwd(), raw);
}

/**
 * Applies committed migrations the way `prisma migrate deploy` does, recording them in Prisma's own
 * `_prisma_migrations` table (same checksum), so the CLI and the app agree on what is applied.
 */
export function applyMigrations(file: string, migrationsDir = MIGRATIONS_DIR): string[] {
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
    const applied = new Map(
      (
        sqlite
          .prepare(
            `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`,
          )
          .all() as { migration_name: string; checksum: string }[]
      ).map((row) => [row.migration_name, row.checksum]),
    );
    const names = existsSync(migrationsDir)
      ? readdirSync(migrationsDir, { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => entry.name)
          .sort()
      : [];
    const ran: string[] = [];
    for (const name of names) {
      const sql = readFileSync(join(migrationsDir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      const known = applied.get(name);
      if (known !== undefined) {
        if (known !== checksum) throw new Error(`migration ${name} was changed after it was applied`);
        continue;
      }
      const apply = sqlite.transaction(() => {
        sqlite.exec(sql);
        sqlite
          .prepare(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
             VALUES (?, ?, ?, ?, 1, ?)`,
          )
          .run(randomUUID(), checksum, Date.now(), name, Date.now());
      });
      apply();
      ran.push(name);
    }
    return ran;
  } finally {
    sqlite.close();
  }
}

export async function createDb(databaseUrl: string): Promise<Db> {
  const adapter = new PrismaBetterSQLite3({ url: `file:${sqlitePath(databaseUrl)}`, timeout: 5000 });
  const db = new PrismaClient({ adapter });
  // WAL makes NORMAL safe against corruption; a power cut can lose only the last moments of writes.
  await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  return db;
}

/** A read-only connection for hot-path queries that skip the ORM (lead search). */
/** A second connection for the status-callback fast path; it never waits for a lock (see call-status-store). */
export function openWriter(file: string): Database.Database {
  const writer = new Database(file, { fileMustExist: true });
  writer.pragma("busy_timeout = 0");
  writer.pragma("synchronous = NORMAL");
  return writer;
}

export function openReader(file: string): Database.Database {
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  reader.pragma("busy_timeout = 5000");
  return reader;
}

/** For /healthz: the database answers a query. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.$queryRawUnsafe("SELECT 1");
}
