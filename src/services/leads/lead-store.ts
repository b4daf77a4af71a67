import type { Call, Lead, Note } from "@prisma/client";
import type Database from "better-sqlite3";
import type { DatabaseHandle, Db } from "../store/db.js";

export type LeadWithLastNote = Lead & { lastNote?: Note };
export type LeadDetail = Lead & { notes: Note[]; calls: Call[] };

export interface LeadRow {
  name: string;
  nameSearch: string;
  searchText: string;
  phone: string | null;
  phoneExt: string | null;
  phoneLast4: string | null;
  email: string | null;
  source: string | null;
  ownerSlackId?: string | null;
  state?: string | null;
  zip?: string | null;
}

/** The outcome of a write that a unique phone can refuse: the lead that already has it. */
export type PhoneTaken = { phoneTaken: Lead };

/**
 * Every query of the leads domain, scoped to one workspace. Search is engine-specific (a trigram
 * FTS5 index on SQLite, pg_trgm on PostgreSQL) with one contract: leads whose name, email or source
 * holds every word (as a substring), newest first (updatedAt, then id), and how many there are.
 */
export interface LeadStore {
  create(ws: number, row: LeadRow, note?: { author: string; body: string }): Promise<Lead | PhoneTaken>;
  byId(ws: number, id: number): Promise<LeadWithLastNote | undefined>;
  byPhone(ws: number, e164: string): Promise<LeadWithLastNote | undefined>;
  byLast4(ws: number, digits: string, limit: number): Promise<LeadWithLastNote[]>;
  byWords(ws: number, words: string[], limit: number): Promise<{ leads: LeadWithLastNote[]; total: number }>;
  recent(ws: number, limit: number): Promise<LeadWithLastNote[]>;
  detail(ws: number, id: number): Promise<LeadDetail | undefined>;
  addNote(ws: number, leadId: number, author: string, body: string): Promise<Note | undefined>;
  /** Updates a lead's details with a note and an audit row, in one transaction; undefined when it is gone. */
  update(
    ws: number,
    leadId: number,
    data: Partial<
      Pick<Lead, "name" | "nameSearch" | "searchText" | "email" | "source" | "ownerSlackId" | "state" | "zip">
    >,
    note: { author: string; body: string },
    audit: { actor: string; action: string; detail: string },
  ): Promise<Lead | undefined>;
  /** Marks the lead's phone wrong if it is still `phone`, with a note. */
  markPhoneWrong(
    ws: number,
    leadId: number,
    phone: string,
    at: Date,
    note: { author: string; body: string },
  ): Promise<boolean>;
  /** Sets the lead's state and ZIP, with a note, in one transaction; undefined when the lead is gone. */
  setAddress(
    ws: number,
    leadId: number,
    address: { state: string | null; zip: string | null },
    note: { author: string; body: string },
  ): Promise<Lead | undefined>;
  /** Sets the phone if it is still `expected`; a note and an audit row in the same transaction. */
  setPhone(
    ws: number,
    leadId: number,
    phone: { e164: string; ext?: string },
    expected: string | null,
    record: (current: Lead) => {
      note: { author: string; body: string };
      audit: { actor: string; action: string; detail: string };
    },
  ): Promise<{ lead: Lead; previous: string | null } | { stale: Lead } | { missing: true } | PhoneTaken>;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === "P2002";

/** The ORM part, the same on both engines. */
function ormLeadStore(db: Db, withLastNote: (leads: Lead[]) => Promise<LeadWithLastNote[]>) {
  const findByPhone = async (ws: number, e164: string) =>
    (await db.lead.findUnique({ where: { workspaceId_phone: { workspaceId: ws, phone: e164 } } })) ?? undefined;
  return {
    findByPhone,
    async create(ws: number, row: LeadRow, note?: { author: string; body: string }): Promise<Lead | PhoneTaken> {
      try {
        return await db.$transaction(async (tx) => {
          const lead = await tx.lead.create({ data: { ...row, workspaceId: ws } });
          if (note) await tx.note.create({ data: { leadId: lead.id, author: note.author, body: note.body } });
          return lead;
        });
      } catch (error) {
        // Two creates for one phone at once: the unique index decides, the loser names the winner.
        if (row.phone && isUniqueViolation(error)) {
          const winner = await findByPhone(ws, row.phone);
          if (winner) return { phoneTaken: winner };
        }
        throw error;
      }
    },
    async recent(ws: number, limit: number) {
      return withLastNote(
        await db.lead.findMany({
          where: { workspaceId: ws },
          orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
          take: limit,
        }),
      );
    },
    async detail(ws: number, id: number) {
      const lead = await db.lead.findFirst({
        where: { id, workspaceId: ws },
        include: {
          notes: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
          calls: { orderBy: { createdAt: "asc" } },
        },
      });
      return lead ?? undefined;
    },
    async addNote(ws: number, leadId: number, author: string, body: string) {
      return db.$transaction(async (tx) => {
        const touched = await tx.lead.updateMany({
          where: { id: leadId, workspaceId: ws },
          data: { updatedAt: new Date() },
        });
        if (touched.count === 0) return undefined;
        return tx.note.create({ data: { leadId, author, body } });
      });
    },
    async update(
      ws: number,
      leadId: number,
      data: Parameters<LeadStore["update"]>[2],
      note: { author: string; body: string },
      audit: { actor: string; action: string; detail: string },
    ) {
      return db.$transaction(async (tx) => {
        const changed = await tx.lead.updateMany({ where: { id: leadId, workspaceId: ws }, data });
        if (changed.count === 0) return undefined;
        await tx.note.create({ data: { leadId, author: note.author, body: note.body } });
        await tx.auditLog.create({ data: { workspaceId: ws, ...audit } });
        return tx.lead.findUniqueOrThrow({ where: { id: leadId } });
      });
    },
    async markPhoneWrong(ws: number, leadId: number, phone: string, at: Date, note: { author: string; body: string }) {
      return db.$transaction(async (tx) => {
        const changed = await tx.lead.updateMany({
          where: { id: leadId, workspaceId: ws, phone },
          data: { phoneWrongAt: at },
        });
        if (changed.count === 0) return false;
        await tx.note.create({ data: { leadId, author: note.author, body: note.body } });
        return true;
      });
    },
    async setAddress(
      ws: number,
      leadId: number,
      address: { state: string | null; zip: string | null },
      note: { author: string; body: string },
    ) {
      return db.$transaction(async (tx) => {
        const changed = await tx.lead.updateMany({ where: { id: leadId, workspaceId: ws }, data: address });
        if (changed.count === 0) return undefined;
        await tx.note.create({ data: { leadId, author: note.author, body: note.body } });
        return tx.lead.findUniqueOrThrow({ where: { id: leadId } });
      });
    },
    async setPhone(
      ws: number,
      leadId: number,
      phone: { e164: string; ext?: string },
      expected: string | null,
      record: Parameters<LeadStore["setPhone"]>[4],
    ): ReturnType<LeadStore["setPhone"]> {
      try {
        return await db.$transaction(async (tx) => {
          const current = await tx.lead.findFirst({ where: { id: leadId, workspaceId: ws } });
          if (!current) return { missing: true as const };
          if (current.phone !== expected) return { stale: current };
          // Only if the phone is still what the form showed: a concurrent change makes this update miss.
          const changed = await tx.lead.updateMany({
            where: { id: leadId, workspaceId: ws, phone: expected },
            // A new number is a fresh start: a "wrong number" mark was about the old one.
            data: {
              phone: phone.e164,
              phoneExt: phone.ext ?? null,
              phoneLast4: phone.e164.slice(-4),
              phoneWrongAt: null,
            },
          });
          if (changed.count === 0) return { stale: (await tx.lead.findFirst({ where: { id: leadId } }))! };
          const { note, audit } = record(current);
          await tx.note.create({ data: { leadId, author: note.author, body: note.body } });
          await tx.auditLog.create({ data: { workspaceId: ws, ...audit } });
          return { lead: await tx.lead.findUniqueOrThrow({ where: { id: leadId } }), previous: current.phone };
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          const winner = await findByPhone(ws, phone.e164);
          if (winner) return { phoneTaken: winner };
        }
        throw error;
      }
    },
  };
}

/** Each lead with its last note, in one more query for the whole page. */
function lastNotesFrom(db: Db) {
  return async (leads: Lead[]): Promise<LeadWithLastNote[]> => {
    if (leads.length === 0) return [];
    const notes = await db.note.findMany({
      where: { leadId: { in: leads.map((lead) => lead.id) } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    });
    const last = new Map<number, Note>();
    for (const note of notes) if (!last.has(note.leadId)) last.set(note.leadId, note);
    return leads.map((lead) => ({ ...lead, lastNote: last.get(lead.id) }));
  };
}

export function createLeadStore(database: DatabaseHandle): LeadStore {
  return database.sqlite
    ? createSqliteLeadStore(database.prisma, database.sqlite.reader)
    : createPostgresLeadStore(database.prisma);
}

// ---------------------------------------------------------------- SQLite

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
const likePattern = (word: string) => `%${word.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/**
 * Reads on the hot path of /lead and /call-lead answered straight from SQLite: statements prepared
 * once on a read-only connection (tens of microseconds, against about a millisecond per ORM query).
 * Words of 3+ characters go through the FTS5 trigram index, shorter ones through LIKE.
 */
function createSqliteLeadStore(db: Db, reader: Database.Database): LeadStore {
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

/**
 * PostgreSQL: the ORM for reads by key, and one query per search over the pg_trgm index
 * ("searchText" LIKE '%word%' for every word; the index serves words of 3+ characters).
 */
function createPostgresLeadStore(db: Db): LeadStore {
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
