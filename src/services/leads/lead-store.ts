import type { DatabaseHandle } from "../store/db.js";
import { createPostgresLeadStore } from "./lead-postgres-store.js";
import type { LeadStore } from "./lead-rows.js";
import { createSqliteLeadStore } from "./lead-sqlite-store.js";

export type { LeadDetail, LeadRow, LeadStore, LeadWithLastNote, PhoneTaken } from "./lead-rows.js";

export function createLeadStore(database: DatabaseHandle): LeadStore {
  if (database.sqlite) return createSqliteLeadStore(database.prisma, database.sqlite.reader);
  if (!database.postgres) throw new Error("a PostgreSQL database without its pool");
  return createPostgresLeadStore({ ...database, postgres: database.postgres });
}
