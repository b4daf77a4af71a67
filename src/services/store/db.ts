import { randomBytes } from "node:crypto";
import { isAbsolute, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import type { PrismaClient } from "@prisma/client";
import Database from "better-sqlite3";
import pg from "pg";
import { DatabaseFull, diskFullCode } from "../../lib/errors.js";
import { applyPostgresMigrations, applySqliteMigrations, quoteIdent } from "./migrations.js";
import { recoveringAdapter } from "./sqlite-adapter.js";

/**
 * The ORM client. Typed as the SQLite client: the PostgreSQL client, generated from the same model,
 * has the same API for everything Leadline uses (engine-specific SQL lives in the store modules).
 */
export type Db = PrismaClient;

export type Engine = "sqlite" | "postgresql";

/** How Prisma keeps a DateTime in SQLite (ISO text): for hand-written statements that compare or write one. */
export const sqliteDate = (date: Date) => date.toISOString().replace("Z", "+00:00");

/**
 * Hand-written statements for the store modules' hot paths, written once with `?` placeholders (and
 * `?::type` where PostgreSQL needs a cast): PostgreSQL's are numbered and its dates passed as
 * timestamps, SQLite's dates as Prisma's text. They skip the ORM's query compiler (most of a small
 * query's cost) and the transaction it puts around a conditional update. `write` returns the rows
 * changed; `rows` the rows read. On PostgreSQL, outside a transaction, they go straight to the
 * connection pool as prepared statements (parsed and planned once per connection), with the ORM's
 * types: timestamps as Dates, bigints as BigInts. On SQLite (and inside `on(tx)`) they run through
 * the ORM's raw queries, whose SQLite dates come back as text.
 */
export function statements(database: Pick<DatabaseHandle, "engine" | "prisma" | "postgres">) {
  const sqlite = database.engine === "sqlite";
  const texts = new Map<string, string>();
  const prepare = (sql: string) => {
    let text = texts.get(sql);
    if (text === undefined) {
      let n = 0;
      text = sqlite
        ? sql.replace(/::[a-z0-9]+(?:\(\d+\))?/g, "")
        : sql.replace(/\?(::[a-z0-9]+(?:\(\d+\))?)?/g, (_match, cast: string | undefined) => `$${++n}${cast ?? ""}`);
      texts.set(sql, text);
    }
    return text;
  };
  const values = (params: unknown[]) =>
    params.map((value) => (value instanceof Date ? (sqlite ? sqliteDate(value) : value.toISOString()) : value));
  type Client = Pick<Db, "$executeRawUnsafe" | "$queryRawUnsafe">;
  const on = (client: Client) => ({
    write: (sql: string, ...params: unknown[]): Promise<number> =>
      client.$executeRawUnsafe(prepare(sql), ...values(params)),
    rows: <T>(sql: string, ...params: unknown[]): Promise<T[]> =>
      client.$queryRawUnsafe<T[]>(prepare(sql), ...values(params)),
  });
  const pool = database.postgres?.pool;
  const direct = pool
    ? {
        write: async (sql: string, ...params: unknown[]): Promise<number> =>
          (await pooled(pool, prepare(sql), values(params))).rowCount ?? 0,
        rows: async <T>(sql: string, ...params: unknown[]): Promise<T[]> =>
          (await pooled(pool, prepare(sql), values(params))).rows as T[],
      }
    : on(database.prisma);
  const orm = on(database.prisma);
  /**
   * Statements run in order in one transaction, each sent once the last has answered and nothing of the
   * caller's in between; each one's rows (`rows`) or rows changed (`write`). PostgreSQL: BEGIN … COMMIT on
   * one pooled connection, prepared as `pooled` prepares them; SQLite: the ORM's array transaction.
   */
  const atomically = async (list: Atomic[]): Promise<(number | unknown[])[]> => {
    const sqlOf = (item: Atomic) => ("write" in item ? item.write : item.rows);
    if (!pool)
      return (await database.prisma.$transaction(
        list.map((item) => ("write" in item ? orm.write : orm.rows)(sqlOf(item), ...item.params)) as never[],
      )) as unknown as (number | unknown[])[];
    const client = await pool.connect();
    const run = (text: string, params: unknown[], prepared = true) =>
      pooled(client, text, params, { prepared, owner: pool });
    let broken: Error | undefined;
    try {
      await run("BEGIN", [], false);
      const out: (number | unknown[])[] = [];
      for (const item of list) {
        const result = await run(prepare(sqlOf(item)), values(item.params));
        out.push("write" in item ? (result.rowCount ?? 0) : result.rows);
      }
      await run("COMMIT", [], false); // A full disk refuses the COMMIT itself: DatabaseFull, as on the ORM's path.
      return out;
    } catch (error) {
      await client.query("ROLLBACK").catch((failed: Error) => {
        broken = failed; // A connection that could not even roll back is not given to the next user.
      });
      throw error;
    } finally {
      client.release(broken);
    }
  };
  /** The same statements inside an interactive transaction (`tx`). */
  return { ...direct, on, atomically };
}

/** One statement of `atomically`: rows read (`rows`) or a write whose changed rows count (`write`). */
export type Atomic = { rows: string; params: unknown[] } | { write: string; params: unknown[] };

/** Names of the prepared statements, by text; texts past the cap (built per call) run unnamed. */
const preparedNames = new Map<string, string>();
const MAX_PREPARED = 500;

/**
 * One statement on the pool, prepared under a name per text (node-postgres parses and plans it once per
 * connection), or unnamed (`prepared: false`: planned for its values each time, for a search whose best
 * plan depends on the words); a full disk becomes DatabaseFull as on the ORM's path.
 */
export async function pooled(
  pool: pg.Pool | pg.PoolClient,
  text: string,
  values: unknown[],
  { prepared = true, owner }: { prepared?: boolean; owner?: pg.Pool } = {},
): Promise<pg.QueryResult> {
  let name = prepared ? preparedNames.get(text) : undefined;
  if (prepared && name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `leadline_${preparedNames.size + 1}`;
    preparedNames.set(text, name);
  }
  try {
    return await pool.query({ ...(name ? { name } : {}), text, values });
  } catch (error) {
    const code = diskFullCode(error);
    if (code) {
      const seen = poolSeen.get(owner ?? (pool as pg.Pool));
      if (seen) seen.full = true;
      throw new DatabaseFull(code, { cause: error });
    }
    throw error;
  }
}

/**
 * What the ORM's raw queries return on PostgreSQL, for the pool's own statements: timestamps (kept
 * without a zone, in UTC) as Dates, bigints as BigInts. The ORM's adapter sets its own parsers per query.
 */
const POOL_TYPES = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === 1114) return (text: string) => new Date(`${text.replace(" ", "T")}Z`);
    if (oid === 20) return (text: string) => BigInt(text);
    return pg.types.getTypeParser(oid, format as "text");
  }) as pg.CustomTypesConfig["getTypeParser"],
};

export function engineOf(databaseUrl: string): Engine {
  return /^postgres(ql)?:\/\//.test(databaseUrl) ? "postgresql" : "sqlite";
}

/** `file:./data/leadline.db` → absolute path (relative to the working directory, like the CLI). */
export function sqlitePath(databaseUrl: string): string {
  const raw = databaseUrl.replace(/^file:/, "").split("?")[0] ?? "";
  return isAbsolute(raw) ? raw : resolve(process.cwd(), raw);
}

/** How long a write waits for another writer (another instance, a script) before giving up clearly. */
export const BUSY_TIMEOUT_MS = 2_000;

/**
 * The ORM client as the stores use it: a driver's disk-full error (on any operation, raw statement or
 * transaction: a COMMIT that fails comes out of $transaction itself) becomes a DatabaseFull, which
 * src/views/errors.ts words for people; every other error passes as it is.
 */
function raisingDatabaseFull(prisma: PrismaClient): Db {
  const seen = { full: false };
  const raise = (error: unknown): never => {
    const code = error instanceof DatabaseFull ? undefined : diskFullCode(error);
    if (code || error instanceof DatabaseFull) seen.full = true;
    throw code ? new DatabaseFull(code, { cause: error }) : error;
  };
  const extended = prisma.$extends({
    query: {
      async $allOperations({ args, query }) {
        try {
          return await query(args);
        } catch (error) {
          return raise(error);
        }
      },
    },
  });
  const transaction = extended.$transaction.bind(extended) as (...args: unknown[]) => Promise<unknown>;
  const db = Object.assign(extended, {
    $transaction: (...args: unknown[]) => transaction(...args).catch(raise),
  }) as unknown as Db;
  diskSeen.set(db, seen);
  return db;
}

/** Per client: whether a write failed for a full disk since /healthz last proved there is room. */
const diskSeen = new WeakMap<Db, { full: boolean }>();
/** The same for statements sent straight to a PostgreSQL pool (shared with its ORM client's). */
const poolSeen = new WeakMap<pg.Pool, { full: boolean }>();
/** What /healthz writes after a full disk: enough pages that a nearly full disk refuses it. */
const PROBE_BYTES = 64 * 1024;

/**
 * The ORM's query compiler is WebAssembly (about 2 MB). V8 compiles it with its baseline compiler, then
 * recompiles the functions it runs often with its optimising one: that second copy of the code added 15–20 MB
 * of resident memory for no CPU measured (6,000 ORM queries: the same CPU time ±10%; the hot paths send their own
 * statements). Set before the compiler's module is compiled, and only for WebAssembly (Leadline has no other).
 */
function baselineWasmOnly(): void {
  setFlagsFromString("--liftoff-only");
}

// Each engine's ORM client (its generated code and query compiler) is loaded only when that engine is
// opened: a process uses one, and the other's would stay resident for nothing.
async function createSqliteDb(databaseUrl: string): Promise<Db> {
  baselineWasmOnly();
  const [{ PrismaClient }, { PrismaBetterSQLite3 }] = await Promise.all([
    import("@prisma/client"),
    import("@prisma/adapter-better-sqlite3"),
  ]);
  const adapter = recoveringAdapter(
    new PrismaBetterSQLite3({ url: `file:${sqlitePath(databaseUrl)}`, timeout: BUSY_TIMEOUT_MS }),
  );
  const db = raisingDatabaseFull(new PrismaClient({ adapter }));
  // WAL makes NORMAL safe against corruption; a power cut can lose only the last moments of writes.
  await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  return db;
}

/** A second connection for the status-callback fast path; it never waits for a lock (see call-store). */
function openWriter(file: string): Database.Database {
  const writer = new Database(file, { fileMustExist: true });
  writer.pragma("busy_timeout = 0");
  writer.pragma("synchronous = NORMAL");
  return writer;
}

/**
 * `work` as one synchronous IMMEDIATE transaction of prepared statements on the writer connection. The
 * connection never waits inside SQLite (busy_timeout 0: a synchronous wait would block the event loop that
 * an ORM transaction holding the lock needs to finish); when the database is busy the same transaction is
 * tried again after a short, growing pause, with the event loop free, until BUSY_TIMEOUT_MS has passed.
 */
export function immediateWrite<A extends unknown[], R>(
  writer: Database.Database,
  work: (...args: A) => R,
): (...args: A) => Promise<R> {
  const apply = writer.transaction(work);
  return async (...args) => {
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      try {
        // IMMEDIATE takes the write lock up front, so a busy database is found before anything is written.
        return apply.immediate(...args);
      } catch (error) {
        if ((error as { code?: string }).code !== "SQLITE_BUSY" || Date.now() > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  };
}

/** A read-only connection for hot-path queries that skip the ORM (lead search). */
function openReader(file: string): Database.Database {
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  // Under WAL a reader never waits for writers; this only bounds a rare recovery or checkpoint.
  reader.pragma("busy_timeout = 1000");
  return reader;
}

/**
 * For /healthz: the database answers and takes a write (a one-row heartbeat). After a write failed
 * for a full disk, the heartbeat carries 64 KiB (cleared again): a one-page write can still fit where
 * real writes do not. "cannot-write" lasts until that write succeeds, and no longer.
 */
/** What the health probe learns of the database. */
export type DatabaseHealth = "ok" | "unreachable" | "cannot-write";

export async function pingDatabase({ prisma: db }: DatabaseHandle): Promise<DatabaseHealth> {
  try {
    await db.$queryRawUnsafe("SELECT 1");
  } catch {
    return "unreachable";
  }
  const seen = diskSeen.get(db);
  const full = seen?.full === true;
  const at = new Date();
  const probe = full ? new Uint8Array(randomBytes(PROBE_BYTES)) : null;
  try {
    await db.heartbeat.upsert({ where: { id: 1 }, create: { id: 1, at, probe }, update: { at, probe } });
    if (full) await db.heartbeat.update({ where: { id: 1 }, data: { probe: null } });
  } catch {
    return "cannot-write";
  }
  if (seen) seen.full = false;
  return "ok";
}

/** An open database: the ORM client for either engine, and what each engine's stores use besides. */
export interface DatabaseHandle {
  engine: Engine;
  prisma: Db;
  /** SQLite: the file, a read-only connection for hot reads and the status write's own connection. */
  sqlite?: { file: string; reader: Database.Database; writer: Database.Database };
  /**
   * PostgreSQL: the schema Leadline's tables live in (`?schema=` in DATABASE_URL, default public), and
   * the connection pool the ORM shares with the hot paths' prepared statements.
   */
  postgres?: { schema: string; pool: pg.Pool };
  /** Where, for logs: the file, or host/database/schema (never the password). */
  where: string;
  close(): Promise<void>;
}

/** Applies the engine's migrations, then connects. `DATABASE_URL=postgresql://…` selects PostgreSQL. */
export async function openDatabase(databaseUrl: string): Promise<{ database: DatabaseHandle; migrated: string[] }> {
  if (engineOf(databaseUrl) === "sqlite") {
    const file = sqlitePath(databaseUrl);
    const migrated = applySqliteMigrations(file);
    const prisma = await createSqliteDb(databaseUrl);
    const reader = openReader(file);
    const writer = openWriter(file);
    return {
      migrated,
      database: {
        engine: "sqlite",
        prisma,
        sqlite: { file, reader, writer },
        where: file,
        async close() {
          await prisma.$disconnect();
          reader.close();
          writer.close();
        },
      },
    };
  }
  const { connectionString, schema } = postgresTarget(databaseUrl);
  const migrated = await applyPostgresMigrations(connectionString, schema);
  // The ORM names the schema in every query; raw SQL (search, the status write) finds it on the search path.
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: 5_000, // A row lock held elsewhere fails a statement after 1.5 s ("database busy", told to the user in time
    // for Slack's 3 s), instead of waiting past Slack's deadline.
    options: `-c search_path=${quoteIdent(schema)} -c lock_timeout=1500`,
    types: POOL_TYPES,
  });
  baselineWasmOnly();
  const [{ PrismaClient: PostgresClient }, { PrismaPg }] = await Promise.all([
    import("@leadline/prisma-postgresql"),
    import("@prisma/adapter-pg"),
  ]);
  const adapter = new PrismaPg(pool, { schema });
  const prisma = raisingDatabaseFull(new PostgresClient({ adapter }) as unknown as PrismaClient);
  // One flag for both paths: /healthz probes after a full disk seen on either.
  poolSeen.set(pool, diskSeen.get(prisma)!);
  const url = new URL(connectionString);
  return {
    migrated,
    database: {
      engine: "postgresql",
      prisma,
      postgres: { schema, pool },
      where: `${url.hostname}:${url.port || 5432}${url.pathname} (schema ${schema})`,
      async close() {
        await prisma.$disconnect();
        await pool.end();
      },
    },
  };
}

/** `postgresql://…/db?schema=x` → the connection string node-postgres takes, and the schema. */
export function postgresTarget(databaseUrl: string): { connectionString: string; schema: string } {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get("schema") || "public";
  url.searchParams.delete("schema");
  return { connectionString: url.toString(), schema };
}
