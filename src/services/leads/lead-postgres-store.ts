/** PostgreSQL's lead reads: one statement each (the lead with its last note), straight on the pool. */
import type { Lead, Note } from "@prisma/client";
import type pg from "pg";
import { type DatabaseHandle, pooled } from "../store/db.js";
import { ormLeadStore } from "./lead-orm-store.js";
import type { LeadStore, LeadWithLastNote } from "./lead-rows.js";
import { likePattern } from "./lead-sqlite-store.js";

/** Each lead of `page` (a CTE) with its last note, newest first. */
const WITH_LAST_NOTE = `SELECT p.*, n."id" AS "_noteId", n."author" AS "_noteAuthor", n."body" AS "_noteBody",
    n."createdAt" AS "_noteAt"
  FROM page p LEFT JOIN LATERAL (
    SELECT "id", "author", "body", "createdAt" FROM "Note" WHERE "leadId" = p."id"
    ORDER BY "createdAt" DESC, "id" DESC LIMIT 1) n ON true`;
const NEWEST = `ORDER BY "updatedAt" DESC, "id" DESC`;

type Row = Lead & { _noteId: number | null; _noteAuthor: string; _noteBody: string; _noteAt: Date; _total?: bigint };

function leadOf(row: Row): LeadWithLastNote {
  const { _noteId, _noteAuthor, _noteBody, _noteAt, _total, ...lead } = row;
  if (_noteId === null) return lead;
  const lastNote: Note = { id: _noteId, leadId: lead.id, author: _noteAuthor, body: _noteBody, createdAt: _noteAt };
  return { ...lead, lastNote };
}

/**
 * PostgreSQL: every read of the lead cards is one statement on the pool (prepared, skipping the ORM's
 * query compiler); a search is one statement over the pg_trgm index ("searchText" LIKE '%word%' for
 * every word; the index serves words of 3+ characters), counting every match only when the page is full.
 */
export function createPostgresLeadStore(database: DatabaseHandle & { postgres: { pool: pg.Pool } }): LeadStore {
  const db = database.prisma;
  const pool = database.postgres.pool;
  const withLastNote = async (leads: Lead[]): Promise<LeadWithLastNote[]> => {
    if (leads.length === 0) return [];
    const { rows } = await pooled(
      pool,
      `WITH page AS (SELECT * FROM "Lead" WHERE "id" = ANY($1::int[])) ${WITH_LAST_NOTE}`,
      [leads.map((lead) => lead.id)],
    );
    const notes = new Map((rows as Row[]).map((row) => [row.id, leadOf(row).lastNote]));
    return leads.map((lead) => ({ ...lead, lastNote: notes.get(lead.id) }));
  };
  const orm = ormLeadStore(db, withLastNote);
  const page = async (where: string, values: unknown[], options?: { prepared?: boolean }) =>
    (
      (
        await pooled(
          pool,
          `WITH page AS (SELECT * FROM "Lead" WHERE ${where}) ${WITH_LAST_NOTE} ${NEWEST}`,
          values,
          options,
        )
      ).rows as Row[]
    ).map(leadOf);
  return {
    ...orm,
    recent: (ws, limit) => page(`"workspaceId" = $1 ${NEWEST} LIMIT $2`, [ws, limit]),
    async byWords(ws, words, limit) {
      const matching = `"workspaceId" = $1 AND ${words.map((_, i) => `"searchText" LIKE $${i + 3} ESCAPE '\\'`).join(" AND ")}`;
      const { rows } = await pooled(
        pool,
        `WITH page AS (SELECT * FROM "Lead" WHERE ${matching} ${NEWEST} LIMIT $2)
         SELECT q.*, CASE WHEN (SELECT count(*) FROM page) < $2 THEN NULL
           ELSE (SELECT count(*) FROM "Lead" WHERE ${matching}) END AS "_total"
         FROM (${WITH_LAST_NOTE}) q ${NEWEST}`,
        [ws, limit, ...words.map(likePattern)],
        // Planned for these words: how many leads hold them decides between the index and the newest first.
        { prepared: false },
      );
      const found = rows as Row[];
      const leads = found.map(leadOf);
      return { leads, total: leads.length < limit ? leads.length : Number(found[0]?._total ?? leads.length) };
    },
    async byId(ws, id) {
      return (await page(`"id" = $1 AND "workspaceId" = $2`, [id, ws]))[0];
    },
    async byPhone(ws, e164) {
      return (await page(`"workspaceId" = $1 AND "phone" = $2`, [ws, e164]))[0];
    },
    byLast4: (ws, digits, limit) =>
      page(`"workspaceId" = $1 AND "phoneLast4" = $2 ${NEWEST} LIMIT $3`, [ws, digits, limit]),
  };
}
