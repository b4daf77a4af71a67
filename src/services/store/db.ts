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

/** How long a write waits for another writer (another instance, a script) before giving up clearly. */
export const BUSY_TIMEOUT_MS = 2_000;

type SqlQuery = { sql: string };
type Transaction = {
  executeRaw(query: SqlQuery): Promise<number>;
  queryRaw(query: SqlQuery): Promise<unknown>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
};
type Adapter = { client: Database.Database; startTransaction(level?: string): Promise<Transaction> };

/**
 * Prisma's better-sqlite3 adapter holds a mutex for each transaction and frees it when Prisma says
 * commit or rollback. When COMMIT itself fails (SQLITE_FULL: the disk is full), Prisma reports the
 * error and says neither, so the mutex stayed taken and every later transaction waited for ever.
 * This wrapper rolls the failed transaction back and frees the mutex: the write fails, clearly, and
 * the next one works as soon as there is room again.
 */
function recoveringAdapter(factory: PrismaBetterSQLite3, health: WriteHealth): PrismaBetterSQLite3 {
  const connect = factory.connect.bind(factory);
  return Object.assign(Object.create(Object.getPrototypeOf(factory)), factory, {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connectToShadowDb: factory.connectToShadowDb.bind(factory),
    async connect() {
      const adapter = (await connect()) as unknown as Adapter;
      const start = adapter.startTransaction.bind(adapter);
      adapter.startTransaction = async (level?: string) => {
        const tx = await start(level);
        const guard =
          <T>(run: (query: SqlQuery) => Promise<T>) =>
          async (query: SqlQuery) => {
            try {
              return await run(query);
            } catch (error) {
              health.noteError(error);
              if (/^\s*COMMIT\b/i.test(query.sql)) {
                try {
                  if (adapter.client.inTransaction) adapter.client.exec("ROLLBACK");
                } catch {
                  // The connection will say what is wrong on its next statement.
                }
                await tx.rollback();
              }
              throw error;
            }
          };
        tx.executeRaw = guard(tx.executeRaw.bind(tx));
        tx.queryRaw = guard(tx.queryRaw.bind(tx));
        return tx;
      };
      return adapter as never;
    },
  });
}

/** Disk errors seen on writes (SQLITE_FULL, SQLITE_IOERR…): /healthz says the database cannot write. */
interface WriteHealth {
  noteError(error: unknown): void;
  lastDiskError(): { at: number; code: string } | undefined;
  clear(): void;
}

function createWriteHealth(): WriteHealth {
  let last: { at: number; code: string } | undefined;
  return {
    noteError(error) {
      const text = `${(error as { code?: string })?.code ?? ""} ${(error as Error)?.message ?? ""} ${JSON.stringify((error as { cause?: unknown })?.cause ?? "")}`;
      const code = /SQLITE_(FULL|IOERR\w*|READONLY\w*|CORRUPT)|disk is full|disk I\/O error|readonly database/i.exec(
        text,
      )?.[0];
      if (code) last = { at: Date.now(), code };
    },
    lastDiskError: () => last,
    clear() {
      last = undefined;
    },
  };
}

const writeHealth = new WeakMap<Db, WriteHealth>();

export async function createDb(databaseUrl: string): Promise<Db> {
  const health = createWriteHealth();
  const adapter = recoveringAdapter(
    new PrismaBetterSQLite3({ url: `file:${sqlitePath(databaseUrl)}`, timeout: BUSY_TIMEOUT_MS }),
    health,
  );
  const db = new PrismaClient({ adapter });
  writeHealth.set(db, health);
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
  // Under WAL a reader never waits for writers; this only bounds a rare recovery or checkpoint.
  reader.pragma("busy_timeout = 1000");
  return reader;
}

/**
 * For /healthz: the database answers and takes a write (a one-row heartbeat). A disk error on any
 * write in the last minute counts as "cannot write" until a write succeeds again.
 */
export async function pingDatabase(db: Db): Promise<"ok" | "unreachable" | "cannot-write"> {
  try {
    await db.$queryRawUnsafe("SELECT 1");
  } catch {
    return "unreachable";
  }
  const health = writeHealth.get(db);
  try {
    await db.heartbeat.upsert({ where: { id: 1 }, create: { id: 1, at: new Date() }, update: { at: new Date() } });
  } catch (error) {
    health?.noteError(error);
    return "cannot-write";
  }
  const last = health?.lastDiskError();
  if (last && Date.now() - last.at < 60_000) return "cannot-write";
  health?.clear();
  return "ok";
}
