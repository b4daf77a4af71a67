// The benchmark's databases: a SQLite file or a fresh PostgreSQL schema per run, migrated by Leadline's
// own openDatabase, filled straight through SQL (fast), and dropped at the end.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { createLogger } from "../src/lib/log.js";
import { searchForm, searchTextOf } from "../src/services/leads/lead-service.js";
import {
  type DatabaseHandle,
  type Engine,
  openDatabase,
  postgresTarget,
  sqliteDate,
} from "../src/services/store/db.js";
import { loadKeyring } from "../src/services/store/keyring.js";
import { createSecretStore } from "../src/services/store/secrets.js";

export type { Engine };

/** The PostgreSQL server the benchmark makes its schemas in (trust auth on this machine). */
export const PG_URL = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

/** BENCH_ENGINE=sqlite|postgresql runs one; unset runs both in turn. */
export function enginesToRun(): Engine[] {
  const wanted = process.env.BENCH_ENGINE;
  if (!wanted) return ["sqlite", "postgresql"];
  if (wanted === "sqlite" || wanted === "postgresql") return [wanted];
  throw new Error(`BENCH_ENGINE must be sqlite or postgresql (or unset for both), not "${wanted}"`);
}

export interface BenchDb {
  engine: Engine;
  /** DATABASE_URL for Leadline: file:<dir>/bench.db or postgresql://…?schema=bench_… */
  url: string;
  /** A temporary directory: the SQLite file, and Leadline's data directory. */
  dir: string;
  open(): Promise<DatabaseHandle>;
  drop(): Promise<void>;
}

const live = new Set<BenchDb>();

/** A migrated, empty database on `engine`. */
export async function createBenchDb(engine: Engine, tag: string): Promise<BenchDb> {
  const dir = mkdtempSync(join(tmpdir(), `leadline-bench-${tag}-`));
  let url = `file:${join(dir, "bench.db")}`;
  if (engine === "postgresql") {
    const parsed = new URL(PG_URL);
    parsed.searchParams.set("schema", `bench_${tag}_${randomBytes(4).toString("hex")}`);
    url = parsed.toString();
  }
  const bench: BenchDb = {
    engine,
    url,
    dir,
    open: async () => (await openDatabase(url)).database,
    async drop() {
      live.delete(bench);
      if (engine === "postgresql") {
        const { connectionString, schema } = postgresTarget(url);
        const client = new pg.Client({ connectionString });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '""')}" CASCADE`);
        } finally {
          await client.end();
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(bench);
  await (await bench.open()).close();
  return bench;
}

/** Drops whatever is left (a failed run): schemas and temporary directories. */
export async function dropAllBenchDbs(): Promise<void> {
  for (const bench of [...live])
    await bench.drop().catch((error) => console.error(`could not drop ${bench.url}`, error));
}

/** A node-postgres client on the benchmark schema (its tables found on the search path). */
export async function withPg<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const { connectionString, schema } = postgresTarget(url);
  const client = new pg.Client({ connectionString, options: `-c search_path="${schema.replace(/"/g, '""')}"` });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** The workspace of the fake Slack's team (the one single-workspace Leadline claims at start). */
export async function createWorkspace(database: DatabaseHandle, teamId: string): Promise<number> {
  const workspace = await database.prisma.workspace.upsert({
    where: { enterpriseId_teamId: { enterpriseId: "", teamId } },
    create: { teamId, enterpriseId: "", name: `Bench ${teamId}` },
    update: {},
  });
  return workspace.id;
}

/** Twilio settings through Leadline's own encrypted store (as /twilio-setup saves them). */
export async function saveTwilioSettings(
  database: DatabaseHandle,
  ws: number,
  encryptionKey: string,
  values: Record<string, string>,
): Promise<void> {
  const keyring = loadKeyring({
    currentKey: encryptionKey,
    production: false,
    dataDir: ".",
    log: createLogger("silent"),
  });
  await createSecretStore({ db: database.prisma, keyring }).setMany(ws, values, "bench");
}

export interface SeedLead {
  name: string;
  phone: string;
  source?: string;
  state?: string | null;
  zip?: string | null;
}

const FIRST = ["Jane", "John", "Maria", "Ahmed", "Wei", "Olga", "Carlos", "Zoë", "Priya", "Liam", "Emma", "Noah"];
const FIRST_MORE = ["Ava", "Mia", "Lucas"];
const LAST = ["Doe", "Smith", "García", "Nguyen", "Kowalski", "Okafor", "Rossi", "Müller", "Tanaka", "Brown"];
const LAST_MORE = ["Johnson", "Lee", "Patel"];
const FIRSTS = [...FIRST, ...FIRST_MORE];
const LASTS = [...LAST, ...LAST_MORE];

/** The benchmark's usual lead: varied names, distinct valid New Jersey-area numbers (Eastern time). */
export function usualLead(i: number): SeedLead {
  const name = `${FIRSTS[i % FIRSTS.length]} ${LASTS[Math.floor(i / FIRSTS.length) % LASTS.length]} ${i}`;
  const area = 201 + (Math.floor(i / 100_000) % 700);
  return {
    name,
    phone: `+1${area}55${String(i % 100_000).padStart(5, "0")}`,
    source: i % 3 === 0 ? "Zillow" : "website",
  };
}

/**
 * Inserts `count` leads (newest first by `updatedAt`) straight through SQL, in batches; returns their
 * ids and phones. Search columns are filled as Leadline fills them (FTS5 triggers on SQLite).
 */
export async function seedLeads(
  bench: BenchDb,
  ws: number,
  count: number,
  make: (i: number) => SeedLead = usualLead,
): Promise<{ id: number; phone: string }[]> {
  const now = Date.now();
  const rowOf = (i: number) => {
    const lead = make(i);
    const at = new Date(now - i * 1000);
    return { ...lead, at, searchText: searchTextOf({ name: lead.name, source: lead.source }) };
  };
  if (bench.engine === "sqlite") {
    const db = new Database(bench.url.replace(/^file:/, ""));
    try {
      const insert = db.prepare(
        `INSERT INTO "Lead" ("workspaceId", "name", "nameSearch", "searchText", "phone", "phoneLast4", "source", "state", "zip", "createdAt", "updatedAt")
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id", "phone"`,
      );
      const made: { id: number; phone: string }[] = [];
      db.transaction(() => {
        for (let i = 0; i < count; i += 1) {
          const row = rowOf(i);
          const at = sqliteDate(row.at);
          made.push(
            insert.get(
              ws,
              row.name,
              searchForm(row.name),
              row.searchText,
              row.phone,
              row.phone.slice(-4),
              row.source ?? null,
              row.state ?? null,
              row.zip ?? null,
              at,
              at,
            ) as { id: number; phone: string },
          );
        }
      })();
      return made;
    } finally {
      db.close();
    }
  }
  return withPg(bench.url, async (client) => {
    const made: { id: number; phone: string }[] = [];
    const BATCH = 10_000;
    for (let start = 0; start < count; start += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => rowOf(start + k));
      const { rows } = await client.query<{ id: number; phone: string }>(
        `INSERT INTO "Lead" ("workspaceId", "name", "nameSearch", "searchText", "phone", "phoneLast4", "source", "state", "zip", "createdAt", "updatedAt")
         SELECT $1, n, ns, s, p, right(p, 4), src, st, z, t, t
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamp(3)[])
             AS u(n, ns, s, p, src, st, z, t)
         RETURNING "id", "phone"`,
        [
          ws,
          batch.map((row) => row.name),
          batch.map((row) => searchForm(row.name)),
          batch.map((row) => row.searchText),
          batch.map((row) => row.phone),
          batch.map((row) => row.source ?? null),
          batch.map((row) => row.state ?? null),
          batch.map((row) => row.zip ?? null),
          batch.map((row) => row.at.toISOString()),
        ],
      );
      made.push(...rows.map((row) => ({ id: Number(row.id), phone: row.phone })));
    }
    return made;
  });
}
