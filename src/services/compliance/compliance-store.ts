import type { Consent, DncEntry, RegistryImport } from "@prisma/client";
import type Database from "better-sqlite3";
import { type DatabaseHandle, type Db, pooled, sqliteDate, statements } from "../store/db.js";

/** A Prisma client or the client of an interactive transaction: the facts a call is checked on are read in its own transaction. */
export type Reader = Pick<Db, "dncEntry" | "consent" | "call" | "$queryRawUnsafe">;

export interface CallFacts {
  onDoNotCallList: boolean;
  consent: { scope: "prerecorded" | "calls" } | null;
  /** This lead's call attempts in the 24 hours before `now`. */
  attempts: Date[];
  /** This lead's outbound texts in the same 24 hours (a text refused before Twilio is not one). */
  textAttempts?: Date[];
  /** Active consent of scope `texts` for the number. */
  textConsent?: boolean;
  /** The lead texted START after the number was put on the do-not-call list: texts only may go again. */
  textsResumed?: boolean;
}

export type DncSource = "keypress" | "card" | "command" | "api" | "outcome" | "registry";

export interface NewConsent {
  leadId: number;
  phone: string;
  scope: "prerecorded" | "calls" | "texts" | "autodial";
  method: string;
  text: string;
  at: Date;
  sourceUrl?: string | null;
  recordedBy: string;
}

/**
 * Every query of the calling-law domain: the do-not-call list (keyed by phone), registry imports,
 * consent records, and the facts a call is checked on. The registry import is engine-specific
 * (batched inserts that skip numbers already listed).
 */
export interface ComplianceStore {
  facts(tx: Reader, ws: number, lead: { id: number; phone: string }, since: Date): Promise<CallFacts>;
  /** The same facts outside any transaction, as a prepared statement (the pool's, or SQLite's read-only connection). */
  factsNow(ws: number, lead: { id: number; phone: string }, since: Date): Promise<CallFacts>;
  /** The same facts for many leads at once (the cards of a search), by lead id. */
  factsAmong(ws: number, leads: { id: number; phone: string }[], since: Date): Promise<Map<number, CallFacts>>;
  listed(ws: number, phone: string): Promise<DncEntry | undefined>;
  /** Of these numbers, the ones on the list (for cards). */
  listedAmong(ws: number, phones: string[]): Promise<Set<string>>;
  /** Adds a number; the existing entry when it was already listed. Revokes every consent for it. */
  add(
    ws: number,
    entry: { phone: string; source: DncSource; reason?: string | null; addedBy: string },
    now: Date,
    audit: { actor: string; action: string; detail: string },
  ): Promise<{ entry: DncEntry; added: boolean }>;
  remove(
    ws: number,
    phone: string,
    audit: { actor: string; action: string; detail: string },
  ): Promise<DncEntry | undefined>;
  startImport(ws: number, file: string, fetchedAt: Date): Promise<RegistryImport>;
  /** Adds a batch of registry numbers (E.164); returns how many were new. */
  importBatch(ws: number, importId: number, phones: string[], now: Date): Promise<number>;
  finishImport(importId: number, numbers: number): Promise<void>;
  latestImport(ws: number): Promise<RegistryImport | undefined>;
  addConsent(ws: number, consent: NewConsent, audit: { actor: string; detail: string }): Promise<Consent>;
  consents(ws: number, leadId: number): Promise<Consent[]>;
  /** Of these numbers, the ones with active consent to prerecorded calls (for cards). */
  consentedAmong(ws: number, phones: string[]): Promise<Set<string>>;
  revokeConsents(ws: number, phone: string, how: string, now: Date): Promise<number>;
}

const truthy = (value: unknown) => Boolean(value) && Number(value) !== 0;
const datesOf = (text: string | null | undefined) =>
  (text ?? "")
    .split(",")
    .filter(Boolean)
    .map((at) => new Date(at))
    .sort((a, b) => a.getTime() - b.getTime());

const consentOf = (scopes: Set<string>): CallFacts["consent"] =>
  scopes.has("prerecorded") ? { scope: "prerecorded" } : scopes.has("calls") ? { scope: "calls" } : null;

/**
 * The facts a call is checked on, in one statement per engine. Attempts are calls that rang or were
 * meant to: a call refused before Twilio is not one. SQLite keeps Prisma's DateTime as ISO text, so the
 * times come back as that text; PostgreSQL's are formatted the same way.
 */
const FACTS_SQL = {
  sqlite: `SELECT
      (SELECT 1 FROM "DncEntry" WHERE "workspaceId" = ? AND "phone" = ?) AS "dnc",
      (SELECT group_concat("scope") FROM "Consent" WHERE "workspaceId" = ? AND "phone" = ? AND "revokedAt" IS NULL) AS "scopes",
      (SELECT group_concat("createdAt") FROM "Call" WHERE "leadId" = ? AND "createdAt" > ?
        AND NOT ("twilioSid" IS NULL AND "status" = 'failed')) AS "attempts",
      (SELECT group_concat("createdAt") FROM "Text" WHERE "leadId" = ? AND "direction" = 'outbound'
        AND "createdAt" > ? AND "status" <> 'not_sent') AS "textAttempts",
      (SELECT 1 FROM "TextOptOut" o JOIN "DncEntry" d ON d."workspaceId" = o."workspaceId" AND d."phone" = o."phone"
        WHERE o."workspaceId" = ? AND o."phone" = ? AND o."status" = 'started' AND o."updatedAt" > d."createdAt") AS "resumed"`,
  postgresql: `SELECT
      EXISTS (SELECT 1 FROM "DncEntry" WHERE "workspaceId" = $1 AND "phone" = $2) AS "dnc",
      (SELECT string_agg("scope", ',') FROM "Consent" WHERE "workspaceId" = $1 AND "phone" = $2 AND "revokedAt" IS NULL) AS "scopes",
      (SELECT string_agg(to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), ',') FROM "Call"
        WHERE "leadId" = $3 AND "createdAt" > $4::timestamp(3) AND NOT ("twilioSid" IS NULL AND "status" = 'failed')) AS "attempts",
      (SELECT string_agg(to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), ',') FROM "Text"
        WHERE "leadId" = $3 AND "direction" = 'outbound' AND "createdAt" > $4::timestamp(3) AND "status" <> 'not_sent') AS "textAttempts",
      EXISTS (SELECT 1 FROM "TextOptOut" o JOIN "DncEntry" d ON d."workspaceId" = o."workspaceId" AND d."phone" = o."phone"
        WHERE o."workspaceId" = $1 AND o."phone" = $2 AND o."status" = 'started' AND o."updatedAt" > d."createdAt") AS "resumed"`,
};

/**
 * PostgreSQL's facts statement, for a statement that writes beside it (the call guard's): parameters $1
 * workspace, $2 phone, $3 lead id, $4 since (ISO); columns "dnc", "scopes", "attempts", "textAttempts", "resumed" for `factsOf`.
 */
export const POSTGRES_FACTS_SQL = FACTS_SQL.postgresql;

/** The facts from a row of the facts statement. */
export function factsOf(
  row:
    | {
        dnc: unknown;
        scopes: string | null;
        attempts: string | null;
        textAttempts?: string | null;
        resumed?: unknown;
      }
    | undefined,
): CallFacts {
  const scopes = new Set((row?.scopes ?? "").split(",").filter(Boolean));
  return {
    onDoNotCallList: truthy(row?.dnc),
    consent: consentOf(scopes),
    attempts: datesOf(row?.attempts),
    textAttempts: datesOf(row?.textAttempts),
    textConsent: scopes.has("texts"),
    textsResumed: truthy(row?.resumed),
  };
}

export function createComplianceStore(database: DatabaseHandle): ComplianceStore {
  const db = database.prisma;
  const factsSql = FACTS_SQL[database.engine];
  const { rows } = statements(database);
  // Under WAL the read-only connection sees every committed write and never waits for the writer.
  const factsRead = database.sqlite?.reader.prepare(FACTS_SQL.sqlite);
  const pool = database.postgres?.pool;
  const pooledFacts = async (ws: number, phone: string, id: number, since: Date) =>
    pool ? (await pooled(pool, FACTS_SQL.postgresql, [ws, phone, id, since.toISOString()])).rows : [];
  const bulk = database.sqlite ? sqliteBulkInsert(database.sqlite.writer) : postgresBulkInsert(db);

  const revoke = async (tx: Pick<Db, "consent">, ws: number, phone: string, how: string, now: Date) =>
    (
      await tx.consent.updateMany({
        where: { workspaceId: ws, phone, revokedAt: null },
        data: { revokedAt: now, revokedHow: how },
      })
    ).count;

  return {
    async facts(tx, ws, lead, since) {
      // One round trip inside the call guard's transaction: the list, consent and the last 24 hours' attempts.
      const [row] = await tx.$queryRawUnsafe<
        {
          dnc: unknown;
          scopes: string | null;
          attempts: string | null;
          textAttempts: string | null;
          resumed: unknown;
        }[]
      >(
        factsSql,
        // SQLite's statement takes each value where it is used; PostgreSQL's numbers them.
        ...(database.engine === "sqlite"
          ? [ws, lead.phone, ws, lead.phone, lead.id, sqliteDate(since), lead.id, sqliteDate(since), ws, lead.phone]
          : [ws, lead.phone, lead.id, since.toISOString()]),
      );
      return factsOf(row);
    },
    async factsNow(ws, lead, since) {
      if (factsRead) {
        const at = sqliteDate(since);
        return factsOf(
          factsRead.get(ws, lead.phone, ws, lead.phone, lead.id, at, lead.id, at, ws, lead.phone) as
            | Parameters<typeof factsOf>[0]
            | undefined,
        );
      }
      const [row] = await pooledFacts(ws, lead.phone, lead.id, since);
      return factsOf(row);
    },
    async factsAmong(ws, leads, since) {
      if (leads.length === 0) return new Map();
      const phones = [...new Set(leads.map((lead) => lead.phone))];
      const ids = [...new Set(leads.map((lead) => lead.id))];
      const list = (n: number) => Array.from({ length: n }, () => "?").join(", ");
      const at = database.engine === "sqlite" ? `"createdAt"` : `to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
      // One statement for every card: the listed numbers, the consent scopes and each lead's attempts.
      const found = await rows<{ kind: string; k: string; v: string | null }>(
        `SELECT 'dnc' AS "kind", "phone" AS "k", NULL AS "v" FROM "DncEntry"
          WHERE "workspaceId" = ? AND "phone" IN (${list(phones.length)})
         UNION ALL
         SELECT 'consent', "phone", "scope" FROM "Consent"
          WHERE "workspaceId" = ? AND "revokedAt" IS NULL AND "phone" IN (${list(phones.length)})
         UNION ALL
         SELECT 'call', CAST("leadId" AS TEXT), ${at} FROM "Call"
          WHERE "leadId" IN (${list(ids.length)}) AND "createdAt" > ?::timestamp(3)
            AND NOT ("twilioSid" IS NULL AND "status" = 'failed')
         UNION ALL
         SELECT 'text', CAST("leadId" AS TEXT), ${at} FROM "Text"
          WHERE "leadId" IN (${list(ids.length)}) AND "direction" = 'outbound' AND "createdAt" > ?::timestamp(3)
            AND "status" <> 'not_sent'`,
        ws,
        ...phones,
        ws,
        ...phones,
        ...ids,
        since,
        ...ids,
        since,
      );
      const listed = new Set<string>();
      const scopes = new Map<string, Set<string>>();
      const attempts = new Map<number, Date[]>();
      const texts = new Map<number, Date[]>();
      for (const row of found) {
        if (row.kind === "dnc") listed.add(row.k);
        else if (row.kind === "consent") scopes.set(row.k, (scopes.get(row.k) ?? new Set()).add(String(row.v)));
        else {
          const into = row.kind === "text" ? texts : attempts;
          into.set(Number(row.k), [...(into.get(Number(row.k)) ?? []), new Date(String(row.v))]);
        }
      }
      return new Map(
        leads.map((lead) => [
          lead.id,
          {
            onDoNotCallList: listed.has(lead.phone),
            consent: consentOf(scopes.get(lead.phone) ?? new Set()),
            attempts: (attempts.get(lead.id) ?? []).sort((a, b) => a.getTime() - b.getTime()),
            textAttempts: (texts.get(lead.id) ?? []).sort((a, b) => a.getTime() - b.getTime()),
            textConsent: scopes.get(lead.phone)?.has("texts") ?? false,
            // Cards judge calls, which a START never re-enables.
            textsResumed: false,
          },
        ]),
      );
    },
    async listed(ws, phone) {
      return (await db.dncEntry.findUnique({ where: { workspaceId_phone: { workspaceId: ws, phone } } })) ?? undefined;
    },
    async listedAmong(ws, phones) {
      if (phones.length === 0) return new Set();
      const rows = await db.dncEntry.findMany({
        where: { workspaceId: ws, phone: { in: phones } },
        select: { phone: true },
      });
      return new Set(rows.map((row) => row.phone));
    },
    async add(ws, entry, now, audit) {
      return db.$transaction(async (tx) => {
        const existing = await tx.dncEntry.findUnique({
          where: { workspaceId_phone: { workspaceId: ws, phone: entry.phone } },
        });
        // Revocation by any reasonable means ends consent (FCC 24-24): at once, for every lead with the number.
        const revoked = await revoke(tx, ws, entry.phone, `do-not-call (${entry.source})`, now);
        if (revoked > 0) {
          await tx.auditLog.create({
            data: {
              workspaceId: ws,
              actor: audit.actor,
              action: "consent.revoked",
              detail: JSON.stringify({
                phone: `***${entry.phone.slice(-4)}`,
                how: `do-not-call (${entry.source})`,
                records: revoked,
              }),
            },
          });
        }
        if (existing) return { entry: existing, added: false };
        const created = await tx.dncEntry.create({
          data: {
            workspaceId: ws,
            phone: entry.phone,
            source: entry.source,
            reason: entry.reason ?? null,
            addedBy: entry.addedBy,
          },
        });
        await tx.auditLog.create({ data: { workspaceId: ws, ...audit } });
        return { entry: created, added: true };
      });
    },
    async remove(ws, phone, audit) {
      return db.$transaction(async (tx) => {
        const existing = await tx.dncEntry.findUnique({ where: { workspaceId_phone: { workspaceId: ws, phone } } });
        if (!existing) return undefined;
        await tx.dncEntry.delete({ where: { id: existing.id } });
        await tx.auditLog.create({ data: { workspaceId: ws, ...audit } });
        return existing;
      });
    },
    async startImport(ws, file, fetchedAt) {
      return db.registryImport.create({ data: { workspaceId: ws, file, numbers: 0, fetchedAt } });
    },
    importBatch: (ws, importId, phones, now) => bulk(ws, importId, phones, now),
    async finishImport(importId, numbers) {
      await db.registryImport.update({ where: { id: importId }, data: { numbers } });
    },
    async latestImport(ws) {
      return (
        // Only a finished import counts (its count is written last): a run killed midway is not a fresh copy.
        (await db.registryImport.findFirst({
          where: { workspaceId: ws, numbers: { gt: 0 } },
          orderBy: { fetchedAt: "desc" },
        })) ?? undefined
      );
    },
    async addConsent(ws, consent, audit) {
      return db.$transaction(async (tx) => {
        const created = await tx.consent.create({
          data: { workspaceId: ws, ...consent, sourceUrl: consent.sourceUrl ?? null },
        });
        await tx.auditLog.create({
          data: { workspaceId: ws, actor: audit.actor, action: "consent.recorded", detail: audit.detail },
        });
        return created;
      });
    },
    async consents(ws, leadId) {
      return db.consent.findMany({ where: { workspaceId: ws, leadId }, orderBy: { at: "desc" } });
    },
    async consentedAmong(ws, phones) {
      if (phones.length === 0) return new Set();
      const rows = await db.consent.findMany({
        where: { workspaceId: ws, phone: { in: phones }, scope: "prerecorded", revokedAt: null },
        select: { phone: true },
      });
      return new Set(rows.map((row) => row.phone));
    },
    revokeConsents: (ws, phone, how, now) => revoke(db, ws, phone, how, now),
  };
}

/** SQLite: one prepared INSERT OR IGNORE per number inside one transaction per batch. */
function sqliteBulkInsert(writer: Database.Database) {
  const insert = writer.prepare(
    `INSERT OR IGNORE INTO "DncEntry" ("workspaceId", "phone", "source", "addedBy", "importId", "createdAt") VALUES (?, ?, 'registry', 'registry import', ?, ?)`,
  );
  const many = writer.transaction((ws: number, importId: number, phones: string[], now: string) => {
    let added = 0;
    for (const phone of phones) added += insert.run(ws, phone, importId, now).changes;
    return added;
  });
  return async (ws: number, importId: number, phones: string[], now: Date) => {
    // The fast-path connection never waits for a lock; an import is not in a hurry, so it waits its turn.
    writer.pragma("busy_timeout = 10000");
    try {
      return many(ws, importId, phones, now.toISOString().replace("Z", "+00:00"));
    } finally {
      writer.pragma("busy_timeout = 0");
    }
  };
}

/** PostgreSQL: one INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING per batch. */
function postgresBulkInsert(db: Db) {
  return async (ws: number, importId: number, phones: string[], now: Date) => {
    if (phones.length === 0) return 0;
    return db.$executeRawUnsafe(
      `INSERT INTO "DncEntry" ("workspaceId", "phone", "source", "addedBy", "importId", "createdAt")
       SELECT $1, phone, 'registry', 'registry import', $2, $3::timestamp(3) FROM unnest(string_to_array($4, ',')) AS phone
       ON CONFLICT ("workspaceId", "phone") DO NOTHING`,
      ws,
      importId,
      now.toISOString(),
      phones.join(","),
    );
  };
}
