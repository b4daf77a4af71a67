/** The lead store's shapes: what is written, what comes back, and the store's promises. */
import type { Call, Lead, Note } from "@prisma/client";

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
