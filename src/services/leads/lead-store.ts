import type { DatabaseHandle } from "../store/db.js";
import { createPostgresLeadStore } from "./lead-postgres-store.js";
import type { LeadStore } from "./lead-rows.js";
import { createSqliteLeadStore } from "./lead-sqlite-store.js";

export type { LeadDetail, LeadRow, LeadStore, LeadWithLastNote, PhoneTaken } from "./lead-rows.js";

export function createLeadStore(database: DatabaseHandle): LeadStore {
  return database.sqlite
    ? createSqliteLeadStore(database.prisma, database.sqlite.reader)
    : createPostgresLeadStore(database.prisma);
}
