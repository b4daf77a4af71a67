/** SQLite's lead reads: prepared statements on a read-only connection, the FTS5 trigram index for words. */
import type Database from "better-sqlite3";
import type { Db } from "../store/db.js";
import { lastNotesFrom, ormLeadStore } from "./lead-orm-store.js";
import type { LeadStore, LeadWithLastNote } from "./lead-rows.js";

interface SqliteLeadRow {
  id: number;
  workspaceId: number;
  name: string;
  nameSearch: string;
  searchText: string;
  phone: string | null;
  phoneExt: string | null;
  phoneLast4: string | null;
  email: string | null;
  source: string | null;
  ownerSlackId: string | null;
  state: string | null;
  zip: string | null;
  phoneWrongAt: string | null;
  lastContactedAt: string | null;
  createdAt: string;
  updatedAt: string;
  noteId: number | null;
  noteAuthor: string | null;
  noteBody: string | null;
  noteCreatedAt: string | null;
}

/** A row read straight from SQLite, in the shape Prisma gives (dates as Date, booleans as boolean). */
function leadFromSqlite(row: SqliteLeadRow): LeadWithLastNote {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    nameSearch: row.nameSearch,
    searchText: row.searchText,
    phone: row.phone,
    phoneExt: row.phoneExt,
    phoneLast4: row.phoneLast4,
    email: row.email,
    source: row.source,
    ownerSlackId: row.ownerSlackId,
    state: row.state,
    zip: row.zip,
    phoneWrongAt: row.phoneWrongAt ? new Date(row.phoneWrongAt) : null,
    lastContactedAt: row.lastContactedAt ? new Date(row.lastContactedAt) : null,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    lastNote:
      row.noteId === null
        ? undefined
        : {
            id: row.noteId,
            leadId: row.id,
            author: row.noteAuthor!,
            body: row.noteBody!,
            createdAt: new Date(row.noteCreatedAt!),
          },
  };
}

const SQLITE_WITH_LAST_NOTE = `SELECT l.*, n."id" AS noteId, n."author" AS noteAuthor, n."body" AS noteBody, n."createdAt" AS noteCreatedAt
  FROM "Lead" l LEFT JOIN "Note" n ON n."id" = (
    SELECT n2."id" FROM "Note" n2 WHERE n2."leadId" = l."id" ORDER BY n2."createdAt" DESC, n2."id" DESC LIMIT 1)`;

/** The trigram index needs 3 characters (code points: an emoji is one, though two UTF-16 units). */
const indexable = (word: string) => [...word].length >= 3;
export const likePattern = (word: string) => `%${word.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/**
 * Reads on the hot path of /lead and /call-lead answered straight from SQLite: statements prepared
 * once on a read-only connection (tens of microseconds, against about a millisecond per ORM query).
 * Words of 3+ characters go through the FTS5 trigram index, shorter ones through LIKE.
 */
export function createSqliteLeadStore(db: Db, reader: Database.Database): LeadStore {
  const cache = new Map<string, { rows: Database.Statement; count: Database.Statement }>();
  const statements = (indexed: number, short: number) => {
    const key = `${indexed}:${short}`;
    let found = cache.get(key);
    if (!found) {
      const where = [
        `l."workspaceId" = ?`,
        ...(indexed > 0 ? [`l."id" IN (SELECT rowid FROM "LeadSearch" WHERE "LeadSearch" MATCH ?)`] : []),
        ...Array.from({ length: short }, () => `l."searchText" LIKE ? ESCAPE '\\'`),
      ].join(" AND ");
      found = {
        rows: reader.prepare(
          `${SQLITE_WITH_LAST_NOTE} WHERE ${where} ORDER BY l."updatedAt" DESC, l."id" DESC LIMIT ?`,
        ),
        count: reader.prepare(`SELECT count(*) AS n FROM "Lead" l WHERE ${where}`),
      };
      cache.set(key, found);
    }
    return found;
  };
  const byId = reader.prepare(`${SQLITE_WITH_LAST_NOTE} WHERE l."workspaceId" = ? AND l."id" = ?`);
  const byPhone = reader.prepare(`${SQLITE_WITH_LAST_NOTE} WHERE l."workspaceId" = ? AND l."phone" = ?`);
  const byLast4 = reader.prepare(
    `${SQLITE_WITH_LAST_NOTE} WHERE l."workspaceId" = ? AND l."phoneLast4" = ? ORDER BY l."updatedAt" DESC, l."id" DESC LIMIT ?`,
  );
  const one = (row: unknown) => (row ? leadFromSqlite(row as SqliteLeadRow) : undefined);
  const orm = ormLeadStore(db, lastNotesFrom(db));
  return {
    ...orm,
    async byWords(ws, words, limit) {
      const indexed = words.filter(indexable);
      const short = words.filter((word) => !indexable(word));
      const params = [
        ws,
        ...(indexed.length > 0 ? [indexed.map((word) => `"${word.replace(/"/g, '""')}"`).join(" AND ")] : []),
        ...short.map(likePattern),
      ];
      const { rows, count } = statements(indexed.length > 0 ? 1 : 0, short.length);
      const leads = (rows.all(...params, limit) as SqliteLeadRow[]).map(leadFromSqlite);
      // A page that is not full is the whole result, so only a full one needs counting.
      const total = leads.length < limit ? leads.length : (count.get(...params) as { n: number }).n;
      return { leads, total };
    },
    async byId(ws, id) {
      return one(byId.get(ws, id));
    },
    async byPhone(ws, e164) {
      return one(byPhone.get(ws, e164));
    },
    async byLast4(ws, digits, limit) {
      return (byLast4.all(ws, digits, limit) as SqliteLeadRow[]).map(leadFromSqlite);
    },
  };
}

// ---------------------------------------------------------------- PostgreSQL
