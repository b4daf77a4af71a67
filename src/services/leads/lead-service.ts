import type { Call, Lead, Note } from "@prisma/client";
import { UserError } from "../../lib/errors.js";
import { parsePhone } from "../../lib/phone.js";
import type { Db } from "../store/db.js";
import type { LeadReader, LeadWithLastNote } from "./lead-store.js";

export type { LeadWithLastNote };

export type LeadDetail = Lead & { notes: Note[]; calls: Call[] };

export interface NewLead {
  name: string;
  phone?: string;
  email?: string;
  source?: string;
  note?: string;
  ownerSlackId?: string;
  author: string;
}

export type LeadFieldErrors = Partial<Record<"name" | "phone" | "email" | "source" | "note", string>>;

export const LIMITS = { name: 200, email: 254, source: 100, note: 5000 } as const;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** The lowercased, accent-folded form searched by name. */
export function searchForm(name: string): string {
  return name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

/** What the full-text index holds for a lead: its name, email and source, folded like the query. */
export function searchTextOf(lead: { name: string; email?: string | null; source?: string | null }): string {
  return [lead.name, lead.email, lead.source]
    .filter((part): part is string => Boolean(part?.trim()))
    .map((part) => searchForm(part.trim()))
    .join(" ");
}

/** Words of a search query: folded, without characters the full-text syntax or a NUL would choke on. */
export function queryWords(text: string): string[] {
  return (
    searchForm(text)
      // Control characters (a NUL ends the full-text query early) are not part of any word.
      .replace(/\p{Cc}/gu, " ")
      .split(/\s+/)
      .filter((word) => word.length > 0)
      .slice(0, 8)
  );
}

export function validateNewLead(
  input: Partial<NewLead>,
  defaultCountry: string,
): { errors: LeadFieldErrors; phone?: string; phoneExt?: string } {
  const errors: LeadFieldErrors = {};
  const name = (input.name ?? "").trim();
  if (!name) errors.name = "Enter the lead's name.";
  else if (name.length > LIMITS.name)
    errors.name = `Keep the name under ${LIMITS.name} characters (it has ${name.length}).`;
  let phone: string | undefined;
  let phoneExt: string | undefined;
  const rawPhone = (input.phone ?? "").trim();
  if (rawPhone) {
    const parsed = parsePhone(rawPhone, defaultCountry);
    if (parsed.ok) {
      phone = parsed.e164;
      phoneExt = parsed.ext;
    } else errors.phone = `"${rawPhone}" is not a callable number: ${parsed.reason}.`;
  }
  const email = (input.email ?? "").trim();
  if (email && (email.length > LIMITS.email || !EMAIL.test(email)))
    errors.email = `"${email.slice(0, 60)}" is not an email address.`;
  if ((input.source ?? "").trim().length > LIMITS.source)
    errors.source = `Keep the source under ${LIMITS.source} characters.`;
  if ((input.note ?? "").length > LIMITS.note) errors.note = `Keep the note under ${LIMITS.note} characters.`;
  return { errors, phone, phoneExt };
}

export class DuplicateLeadError extends UserError {
  constructor(readonly existing: Lead) {
    super(`${existing.name} (lead #${existing.id}) already has this phone number.`, { field: "phone" });
  }
}

export class LeadValidationError extends UserError {
  constructor(readonly errors: LeadFieldErrors) {
    super(Object.values(errors).join(" "));
  }
}

export interface LeadService {
  /** Creates a lead; a phone already on file raises DuplicateLeadError naming that lead. */
  create(input: NewLead): Promise<Lead>;
  /** Like create, but returns the existing lead for a phone already on file. */
  createOrGet(input: NewLead): Promise<{ lead: Lead; created: boolean }>;
  get(id: number): Promise<LeadWithLastNote | undefined>;
  detail(id: number): Promise<LeadDetail | undefined>;
  findByPhone(e164: string): Promise<Lead | undefined>;
  search(query: string, limit?: number): Promise<{ leads: LeadWithLastNote[]; total: number; phone?: string }>;
  recent(limit: number): Promise<LeadWithLastNote[]>;
  addNote(leadId: number, author: string, body: string): Promise<Note>;
  /**
   * Sets a lead's phone from what a person typed; refuses an invalid number, one another lead has,
   * and a change to a number the person did not see (`expected` is the phone their form showed).
   */
  setPhone(
    leadId: number,
    rawPhone: string,
    author: string,
    expected: string | null,
  ): Promise<{ lead: Lead; previous: string | null }>;
  /** Puts the lead on the do-not-call list with a note, at once. */
  markDoNotCall(leadId: number, author: string, note: string): Promise<void>;
}

export function createLeadService({
  db,
  defaultCountry,
  reads,
}: {
  db: Db;
  defaultCountry: string;
  /** Fast reads for search; without it (some scripts) search goes through the ORM. */
  reads?: LeadReader;
}): LeadService {
  const withLastNote = async (leads: Lead[]): Promise<LeadWithLastNote[]> => {
    if (leads.length === 0) return [];
    const notes = await db.note.findMany({
      where: { leadId: { in: leads.map((lead) => lead.id) } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    });
    const last = new Map<number, Note>();
    for (const note of notes) if (!last.has(note.leadId)) last.set(note.leadId, note);
    return leads.map((lead) => ({ ...lead, lastNote: last.get(lead.id) }));
  };

  const insert = async (input: NewLead, phone: string | undefined, phoneExt: string | undefined): Promise<Lead> =>
    db.$transaction(async (tx) => {
      const name = input.name.trim();
      const email = input.email?.trim() || null;
      const source = input.source?.trim() || null;
      const lead = await tx.lead.create({
        data: {
          name,
          nameSearch: searchForm(name),
          searchText: searchTextOf({ name, email, source }),
          phone,
          phoneExt: phone ? phoneExt : null,
          phoneLast4: phone ? phone.slice(-4) : null,
          email,
          source,
          ownerSlackId: input.ownerSlackId,
        },
      });
      const note = input.note?.trim();
      if (note) await tx.note.create({ data: { leadId: lead.id, author: input.author, body: note } });
      return lead;
    });

  const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === "P2002";

  const service: LeadService = {
    async create(input) {
      const { errors, phone, phoneExt } = validateNewLead(input, defaultCountry);
      if (Object.keys(errors).length > 0) throw new LeadValidationError(errors);
      if (phone) {
        const existing = await service.findByPhone(phone);
        if (existing) throw new DuplicateLeadError(existing);
      }
      try {
        return await insert(input, phone, phoneExt);
      } catch (error) {
        // Two creates for one phone at once: the unique index decides, the loser names the winner.
        if (phone && isUniqueViolation(error)) {
          const existing = await service.findByPhone(phone);
          if (existing) throw new DuplicateLeadError(existing);
        }
        throw error;
      }
    },
    async createOrGet(input) {
      try {
        return { lead: await service.create(input), created: true };
      } catch (error) {
        if (error instanceof DuplicateLeadError) return { lead: error.existing, created: false };
        throw error;
      }
    },
    async get(id) {
      const lead = await db.lead.findUnique({ where: { id } });
      return lead ? (await withLastNote([lead]))[0] : undefined;
    },
    async detail(id) {
      const lead = await db.lead.findUnique({
        where: { id },
        include: { notes: { orderBy: { createdAt: "asc" } }, calls: { orderBy: { createdAt: "asc" } } },
      });
      return lead ?? undefined;
    },
    async findByPhone(e164) {
      return (await db.lead.findUnique({ where: { phone: e164 } })) ?? undefined;
    },
    async search(query, limit = 10) {
      const text = query.trim();
      // Exactly four digits are the end of a phone number (what people remember); #1234 is a lead id.
      const last4 = /^\d{4}$/.exec(text);
      if (last4) {
        const leads = reads
          ? reads.byLast4(text, limit)
          : await withLastNote(
              await db.lead.findMany({
                where: { phoneLast4: text },
                orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
                take: limit,
              }),
            );
        if (leads.length > 0) return { leads, total: leads.length };
      }
      const byId = /^#?(\d{1,9})$/.exec(text);
      if (byId) {
        const lead = reads ? reads.byId(Number(byId[1])) : await service.get(Number(byId[1]));
        if (lead) return { leads: [lead], total: 1 };
      }
      const phone = /\d{3}/.test(text) && !text.includes("@") ? parsePhone(text, defaultCountry) : undefined;
      if (phone?.ok) {
        const lead = reads
          ? reads.byPhone(phone.e164)
          : (await withLastNote(await db.lead.findMany({ where: { phone: phone.e164 } })))[0];
        return { leads: lead ? [lead] : [], total: lead ? 1 : 0, phone: phone.e164 };
      }
      const words = queryWords(text);
      if (words.length === 0) return { leads: [], total: 0 };
      if (reads) return reads.byWords(words, limit);
      const where = { AND: words.map((word) => ({ searchText: { contains: word } })) };
      const [leads, total] = await Promise.all([
        db.lead.findMany({ where, orderBy: [{ updatedAt: "desc" }, { id: "desc" }], take: limit }),
        db.lead.count({ where }),
      ]);
      return { leads: await withLastNote(leads), total };
    },
    async recent(limit) {
      return withLastNote(await db.lead.findMany({ orderBy: [{ updatedAt: "desc" }, { id: "desc" }], take: limit }));
    },
    async addNote(leadId, author, body) {
      const text = body.trim();
      if (!text) throw new UserError("The note is empty.", { field: "note" });
      if (text.length > LIMITS.note)
        throw new UserError(`Keep the note under ${LIMITS.note} characters.`, { field: "note" });
      return db.$transaction(async (tx) => {
        const note = await tx.note.create({ data: { leadId, author, body: text } });
        await tx.lead.update({ where: { id: leadId }, data: { updatedAt: new Date() } });
        return note;
      });
    },
    async setPhone(leadId, rawPhone, author, expected) {
      const parsed = parsePhone(rawPhone, defaultCountry);
      if (!parsed.ok)
        throw new UserError(`"${rawPhone.trim()}" is not a callable number: ${parsed.reason}.`, { field: "phone" });
      const existing = await service.findByPhone(parsed.e164);
      if (existing && existing.id !== leadId) throw new DuplicateLeadError(existing);
      try {
        return await db.$transaction(async (tx) => {
          const current = await tx.lead.findUnique({ where: { id: leadId } });
          if (!current) throw new UserError("That lead no longer exists.", { code: "lead_missing" });
          // The form showed `expected`: a number changed since then is never overwritten unseen.
          if (current.phone !== expected) {
            throw new UserError(
              `${current.name}'s number changed to ${current.phone ?? "none"} while this form was open. Close it and open it again to change it.`,
              { field: "phone", code: "stale_phone", data: { current: current.phone } },
            );
          }
          const lead = await tx.lead.update({
            where: { id: leadId },
            data: { phone: parsed.e164, phoneExt: parsed.ext ?? null, phoneLast4: parsed.e164.slice(-4) },
          });
          const shown = parsed.ext ? `${parsed.e164} ext. ${parsed.ext}` : parsed.e164;
          const body = current.phone ? `[Phone] Changed from ${current.phone} to ${shown}` : `[Phone] Set to ${shown}`;
          await tx.note.create({ data: { leadId, author, body } });
          await tx.auditLog.create({
            data: {
              actor: author,
              action: current.phone ? "lead.phone_changed" : "lead.phone_set",
              detail: JSON.stringify({
                leadId,
                from: current.phone ? `***${current.phone.slice(-4)}` : null,
                to: `***${parsed.e164.slice(-4)}`,
              }),
            },
          });
          return { lead, previous: current.phone };
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          const winner = await service.findByPhone(parsed.e164);
          if (winner) throw new DuplicateLeadError(winner);
        }
        throw error;
      }
    },
    async markDoNotCall(leadId, author, note) {
      await db.$transaction([
        db.lead.update({ where: { id: leadId }, data: { doNotCall: true } }),
        db.note.create({ data: { leadId, author, body: note } }),
      ]);
    },
  };
  return service;
}
