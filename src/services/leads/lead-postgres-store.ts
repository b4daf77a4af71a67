/** PostgreSQL's lead reads: the ORM by key, one query per search over the pg_trgm index. */
import type { Db } from "../store/db.js";
import { lastNotesFrom, ormLeadStore } from "./lead-orm-store.js";
import type { LeadStore } from "./lead-rows.js";
import { likePattern } from "./lead-sqlite-store.js";

/**
 * PostgreSQL: the ORM for reads by key, and one query per search over the pg_trgm index
 * ("searchText" LIKE '%word%' for every word; the index serves words of 3+ characters).
 */
export function createPostgresLeadStore(db: Db): LeadStore {
  const withLastNote = lastNotesFrom(db);
  const orm = ormLeadStore(db, withLastNote);
  return {
    ...orm,
    async byWords(ws, words, limit) {
      const where = words.map((_, i) => `"searchText" LIKE $${i + 2} ESCAPE '\\'`).join(" AND ");
      const params = [ws, ...words.map(likePattern)];
      const ids = await db.$queryRawUnsafe<{ id: number }[]>(
        `SELECT "id" FROM "Lead" WHERE "workspaceId" = $1 AND ${where} ORDER BY "updatedAt" DESC, "id" DESC LIMIT ${Number(limit)}`,
        ...params,
      );
      const byId = new Map(
        (await db.lead.findMany({ where: { id: { in: ids.map((row) => Number(row.id)) } } })).map((lead) => [
          lead.id,
          lead,
        ]),
      );
      const leads = await withLastNote(ids.map((row) => byId.get(Number(row.id))!).filter(Boolean));
      if (leads.length < limit) return { leads, total: leads.length };
      const [counted] = await db.$queryRawUnsafe<{ n: bigint | number }[]>(
        `SELECT count(*) AS n FROM "Lead" WHERE "workspaceId" = $1 AND ${where}`,
        ...params,
      );
      return { leads, total: Number(counted?.n ?? leads.length) };
    },
    async byId(ws, id) {
      const lead = await db.lead.findFirst({ where: { id, workspaceId: ws } });
      return lead ? (await withLastNote([lead]))[0] : undefined;
    },
    async byPhone(ws, e164) {
      const lead = await orm.findByPhone(ws, e164);
      return lead ? (await withLastNote([lead]))[0] : undefined;
    },
    async byLast4(ws, digits, limit) {
      return withLastNote(
        await db.lead.findMany({
          where: { workspaceId: ws, phoneLast4: digits },
          orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
          take: limit,
        }),
      );
    },
  };
}
