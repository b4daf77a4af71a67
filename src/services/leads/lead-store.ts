import type { Lead, Note } from "@prisma/client";
import type Database from "better-sqlite3";

export type LeadWithLastNote = Lead & { lastNote?: Note };

/** The reads on the hot path of /lead and /call-lead, answered straight from SQLite, each lead with its last note. */
export interface LeadReader {
  /** Leads whose name, email or source holds every word, newest first, and how many there are. */
  byWords(words: string[], limit: number): { leads: LeadWithLastNote[]; total: number };
  byId(id: number): LeadWithLastNote | undefined;
  byPhone(e164: string): LeadWithLastNote | undefined;
  byLast4(digits: string, limit: number): LeadWithLastNote[];
}

interface LeadRow {
  id: number;
  name: string;
  nameSearch: string;
  searchText: string;
  phone: string | null;
  phoneExt: string | null;
  phoneLast4: string | null;
  email: string | null;
  source: string | null;
  ownerSlackId: string | null;
  doNotCall: number;
  lastContactedAt: string | null;
  createdAt: string;
  updatedAt: string;
  noteId: number | null;
  noteAuthor: string | null;
  noteBody: string | null;
  noteCreatedAt: string | null;
}

/** A row read straight from SQLite, in the shape Prisma gives (dates as Date, booleans as boolean). */
function leadFromRow(row: LeadRow): LeadWithLastNote {
  return {
    id: row.id,
    name: row.name,
    nameSearch: row.nameSearch,
    searchText: row.searchText,
    phone: row.phone,
    phoneExt: row.phoneExt,
    phoneLast4: row.phoneLast4,
    email: row.email,
    source: row.source,
    ownerSlackId: row.ownerSlackId,
    doNotCall: row.doNotCall === 1,
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

const SELECT_WITH_LAST_NOTE = `SELECT l.*, n."id" AS noteId, n."author" AS noteAuthor, n."body" AS noteBody, n."createdAt" AS noteCreatedAt
  FROM "Lead" l LEFT JOIN "Note" n ON n."id" = (
    SELECT n2."id" FROM "Note" n2 WHERE n2."leadId" = l."id" ORDER BY n2."createdAt" DESC, n2."id" DESC LIMIT 1)`;

/**
 * Lead reads on the hot path of /lead and /call-lead: the trigram index answers name words of 3+
 * letters, LIKE the shorter ones; statements are prepared once on a read-only connection, so no ORM
 * round trip per query (about 1 ms each with Prisma's JS engine, against tens of microseconds here).
 */
export function createLeadReader(reader: Database.Database): LeadReader {
  const cache = new Map<string, { rows: Database.Statement; count: Database.Statement }>();
  const statements = (indexed: number, short: number) => {
    const key = `${indexed}:${short}`;
    let found = cache.get(key);
    if (!found) {
      const where = [
        ...(indexed > 0 ? [`l."id" IN (SELECT rowid FROM "LeadSearch" WHERE "LeadSearch" MATCH ?)`] : []),
        ...Array.from({ length: short }, () => `l."searchText" LIKE ? ESCAPE '\\'`),
      ].join(" AND ");
      found = {
        rows: reader.prepare(
          `${SELECT_WITH_LAST_NOTE} WHERE ${where} ORDER BY l."updatedAt" DESC, l."id" DESC LIMIT ?`,
        ),
        count: reader.prepare(`SELECT count(*) AS n FROM "Lead" l WHERE ${where}`),
      };
      cache.set(key, found);
    }
    return found;
  };
  const byId = reader.prepare(`${SELECT_WITH_LAST_NOTE} WHERE l."id" = ?`);
  const byPhone = reader.prepare(`${SELECT_WITH_LAST_NOTE} WHERE l."phone" = ?`);
  const byLast4 = reader.prepare(
    `${SELECT_WITH_LAST_NOTE} WHERE l."phoneLast4" = ? ORDER BY l."updatedAt" DESC, l."id" DESC LIMIT ?`,
  );
  const one = (row: unknown) => (row ? leadFromRow(row as LeadRow) : undefined);
  return {
    byWords(words, limit) {
      // The trigram index needs 3 characters (code points: an emoji is one, though two UTF-16 units).
      const indexed = words.filter((word) => [...word].length >= 3);
      const short = words.filter((word) => [...word].length < 3);
      const params = [
        ...(indexed.length > 0 ? [indexed.map((word) => `"${word.replace(/"/g, '""')}"`).join(" AND ")] : []),
        ...short.map((word) => `%${word.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`),
      ];
      const { rows, count } = statements(indexed.length > 0 ? 1 : 0, short.length);
      const leads = (rows.all(...params, limit) as LeadRow[]).map(leadFromRow);
      // A page that is not full is the whole result, so only a full one needs counting.
      const total = leads.length < limit ? leads.length : (count.get(...params) as { n: number }).n;
      return { leads, total };
    },
    byId: (id) => one(byId.get(id)),
    byPhone: (e164) => one(byPhone.get(e164)),
    byLast4: (digits, limit) => (byLast4.all(digits, limit) as LeadRow[]).map(leadFromRow),
  };
}
