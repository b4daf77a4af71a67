import type { Lead, Note } from "@prisma/client";
import { UserError } from "../../lib/errors.js";
import type { EventBus } from "../../lib/events.js";
import { parsePhone } from "../../lib/phone.js";
import { normalizeRegion } from "../compliance/zones.js";
import type { LeadDetail, LeadStore, LeadWithLastNote } from "./lead-store.js";

export type { LeadDetail, LeadWithLastNote };

export interface NewLead {
  name: string;
  phone?: string;
  email?: string;
  source?: string;
  note?: string;
  /** US state or Canadian province, as a code or a name ("FL", "Florida"): the calling-hours rules of the lead's address. */
  state?: string;
  /** US ZIP code or Canadian postal code: the lead's time zone when its number alone cannot tell. */
  zip?: string;
  ownerSlackId?: string;
  author: string;
}

export type LeadFieldErrors = Partial<Record<"name" | "phone" | "email" | "source" | "note" | "state" | "zip", string>>;

/** "fl" / "Florida" → "FL"; "33101-1234" → "33101"; "m5v 2t6" → "M5V 2T6". Errors say what to fix. */
export function validateAddress(input: { state?: string | null; zip?: string | null }): {
  errors: LeadFieldErrors;
  state: string | null;
  zip: string | null;
} {
  const errors: LeadFieldErrors = {};
  let state: string | null = null;
  let zip: string | null = null;
  const rawState = (input.state ?? "").trim();
  if (rawState) {
    state = normalizeRegion(rawState) ?? null;
    if (!state)
      errors.state = `"${rawState.slice(0, 40)}" is not a US state or Canadian province; use its two-letter code, e.g. FL.`;
  }
  const rawZip = (input.zip ?? "").trim();
  if (rawZip) {
    const us = /^(\d{5})(?:-\d{4})?$/.exec(rawZip);
    const ca = /^([A-Za-z]\d[A-Za-z])\s?(\d[A-Za-z]\d)$/.exec(rawZip);
    if (us) zip = us[1]!;
    else if (ca) zip = `${ca[1]!.toUpperCase()} ${ca[2]!.toUpperCase()}`;
    else
      errors.zip = `"${rawZip.slice(0, 20)}" is not a ZIP code (12345 or 12345-6789) or Canadian postal code (A1A 1A1).`;
  }
  return { errors, state, zip };
}

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
): { errors: LeadFieldErrors; phone?: string; phoneExt?: string; state: string | null; zip: string | null } {
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
  const address = validateAddress(input);
  Object.assign(errors, address.errors);
  return { errors, phone, phoneExt, state: address.state, zip: address.zip };
}

export class DuplicateLeadError extends UserError {
  constructor(readonly existing: Lead) {
    super("duplicate_lead", {
      field: "phone",
      code: "duplicate_lead",
      data: { leadName: existing.name, leadId: existing.id },
      typed: true,
    });
  }
}

export class LeadValidationError extends UserError {
  constructor(readonly errors: LeadFieldErrors) {
    super(Object.values(errors).join(" "));
  }
}

/** Everything about leads, always within one workspace (`ws`): nothing crosses to another team's leads. */
export interface LeadService {
  /** Creates a lead; a phone already on file raises DuplicateLeadError naming that lead. */
  create(ws: number, input: NewLead): Promise<Lead>;
  /** Like create, but returns the existing lead for a phone already on file. */
  createOrGet(ws: number, input: NewLead): Promise<{ lead: Lead; created: boolean }>;
  get(ws: number, id: number): Promise<LeadWithLastNote | undefined>;
  detail(ws: number, id: number): Promise<LeadDetail | undefined>;
  findByPhone(ws: number, e164: string): Promise<Lead | undefined>;
  search(
    ws: number,
    query: string,
    limit?: number,
  ): Promise<{ leads: LeadWithLastNote[]; total: number; phone?: string }>;
  recent(ws: number, limit: number): Promise<LeadWithLastNote[]>;
  addNote(ws: number, leadId: number, author: string, body: string): Promise<Note>;
  /**
   * Edit: the lead's details as the form submitted them, validated like Add. The phone changes only
   * over the number the form showed (`shownPhone`); every change is noted and audited.
   */
  edit(
    ws: number,
    leadId: number,
    input: Omit<NewLead, "author" | "note">,
    author: string,
    shownPhone: string | null,
  ): Promise<{ lead: Lead; changed: string[] }>;
  /** "Wrong number": the lead's phone (if it is still `phone`) is marked wrong until a new one is saved. */
  markPhoneWrong(ws: number, leadId: number, phone: string, by: string): Promise<boolean>;
  /** Sets the lead's state and ZIP (either may be cleared); errors name the field to fix. */
  setAddress(ws: number, leadId: number, input: { state?: string; zip?: string }, author: string): Promise<Lead>;
  /**
   * Sets a lead's phone from what a person typed; refuses an invalid number, one another lead has,
   * and a change to a number the person did not see (`expected` is the phone their form showed).
   */
  setPhone(
    ws: number,
    leadId: number,
    rawPhone: string,
    author: string,
    expected: string | null,
  ): Promise<{ lead: Lead; previous: string | null }>;
}

export function createLeadService({
  store,
  defaultCountry,
  events,
}: {
  store: LeadStore;
  defaultCountry: string;
  /** `lead.changed` for the changes made here directly (a phone, an address, a wrong number); lead intake tells its own. */
  events?: Pick<EventBus, "emit">;
}): LeadService {
  const told = (ws: number, leadId: number, fields: string[], by: string) =>
    events?.emit("lead.changed", { ws, leadId, fields, by });
  const service: LeadService & { changePhone: LeadService["setPhone"] } = {
    async create(ws, input) {
      const { errors, phone, phoneExt, state, zip } = validateNewLead(input, defaultCountry);
      if (Object.keys(errors).length > 0) throw new LeadValidationError(errors);
      if (phone) {
        const existing = await store.byPhone(ws, phone);
        if (existing) throw new DuplicateLeadError(existing);
      }
      const name = input.name.trim();
      const email = input.email?.trim() || null;
      const source = input.source?.trim() || null;
      const note = input.note?.trim();
      const created = await store.create(
        ws,
        {
          name,
          nameSearch: searchForm(name),
          searchText: searchTextOf({ name, email, source }),
          phone: phone ?? null,
          phoneExt: phone ? (phoneExt ?? null) : null,
          phoneLast4: phone ? phone.slice(-4) : null,
          email,
          source,
          state,
          zip,
          ownerSlackId: input.ownerSlackId ?? null,
        },
        note ? { author: input.author, body: note } : undefined,
      );
      if ("phoneTaken" in created) throw new DuplicateLeadError(created.phoneTaken);
      return created;
    },
    async createOrGet(ws, input) {
      try {
        return { lead: await service.create(ws, input), created: true };
      } catch (error) {
        if (error instanceof DuplicateLeadError) return { lead: error.existing, created: false };
        throw error;
      }
    },
    get: (ws, id) => store.byId(ws, id),
    detail: (ws, id) => store.detail(ws, id),
    findByPhone: (ws, e164) => store.byPhone(ws, e164),
    async search(ws, query, limit = 10) {
      const text = query.trim();
      // Exactly four digits are the end of a phone number (what people remember); #1234 is a lead id.
      if (/^\d{4}$/.test(text)) {
        const leads = await store.byLast4(ws, text, limit);
        if (leads.length > 0) return { leads, total: leads.length };
      }
      const byId = /^#?(\d{1,9})$/.exec(text);
      if (byId) {
        const lead = await store.byId(ws, Number(byId[1]));
        if (lead) return { leads: [lead], total: 1 };
      }
      const phone = /\d{3}/.test(text) && !text.includes("@") ? parsePhone(text, defaultCountry) : undefined;
      if (phone?.ok) {
        const lead = await store.byPhone(ws, phone.e164);
        return { leads: lead ? [lead] : [], total: lead ? 1 : 0, phone: phone.e164 };
      }
      const words = queryWords(text);
      if (words.length === 0) return { leads: [], total: 0 };
      return store.byWords(ws, words, limit);
    },
    recent: (ws, limit) => store.recent(ws, limit),
    async addNote(ws, leadId, author, body) {
      const text = body.trim();
      if (!text) throw UserError.of("note_empty", {}, { field: "note" });
      if (text.length > LIMITS.note) throw UserError.of("note_too_long", { max: LIMITS.note }, { field: "note" });
      const note = await store.addNote(ws, leadId, author, text);
      if (!note) throw UserError.of("lead_missing");
      return note;
    },
    async edit(ws, leadId, input, author, shownPhone) {
      const current = await store.byId(ws, leadId);
      if (!current) throw UserError.of("lead_missing");
      const { errors, phone, phoneExt, state, zip } = validateNewLead(input, defaultCountry);
      if (current.phone && !input.phone?.trim())
        errors.phone = "A lead keeps its number: type the right one, or use Wrong number on its last call.";
      if (Object.keys(errors).length > 0) throw new LeadValidationError(errors);
      const changed: string[] = [];
      let lead: Lead = current;
      if (phone && (phone !== current.phone || (phoneExt ?? null) !== current.phoneExt)) {
        lead = (await service.changePhone(ws, leadId, input.phone!, author, shownPhone)).lead;
        changed.push("phone");
      }
      const name = input.name.trim();
      const email = input.email?.trim() || null;
      const source = input.source?.trim() || null;
      const owner = input.ownerSlackId?.trim() || null;
      const next = { name, email, source, ownerSlackId: owner, state, zip };
      const fields = (Object.keys(next) as (keyof typeof next)[]).filter((key) => (current[key] ?? null) !== next[key]);
      if (fields.length > 0) {
        const updated = await store.update(
          ws,
          leadId,
          { ...next, nameSearch: searchForm(name), searchText: searchTextOf({ name, email, source }) },
          {
            author,
            body: `[Edit] ${fields
              .map((key) => `${key === "ownerSlackId" ? "owner" : key}: ${current[key] ?? "—"} → ${next[key] ?? "—"}`)
              .join("; ")}`,
          },
          { actor: author, action: "lead.edited", detail: JSON.stringify({ leadId, fields }) },
        );
        if (!updated) throw UserError.of("lead_missing");
        lead = updated;
        changed.push(...fields.map((key) => (key === "ownerSlackId" ? "owner" : key)));
      }
      return { lead, changed };
    },
    async markPhoneWrong(ws, leadId, phone, by) {
      const marked = await store.markPhoneWrong(ws, leadId, phone, new Date(), {
        author: by,
        body: `[Phone] ${phone} marked as a wrong number; the next call asks for a new one.`,
      });
      if (marked) told(ws, leadId, ["phoneWrong"], by);
      return marked;
    },
    async setAddress(ws, leadId, input, author) {
      const { errors, state, zip } = validateAddress(input);
      if (Object.keys(errors).length > 0) throw new LeadValidationError(errors);
      const where = [state, zip].filter(Boolean).join(" ") || "none";
      const lead = await store.setAddress(ws, leadId, { state, zip }, { author, body: `Address set: ${where}.` });
      if (!lead) throw UserError.of("lead_missing");
      told(ws, leadId, ["state", "zip"], author);
      return lead;
    },
    async setPhone(ws, leadId, rawPhone, author, expected) {
      const result = await service.changePhone(ws, leadId, rawPhone, author, expected);
      told(ws, leadId, ["phone"], author);
      return result;
    },
    /** The phone change itself, told by whoever called it (setPhone here, lead intake for an edit). */
    async changePhone(ws, leadId, rawPhone, author, expected) {
      const parsed = parsePhone(rawPhone, defaultCountry);
      if (!parsed.ok)
        throw UserError.of("phone_not_callable", { raw: rawPhone.trim(), reason: parsed.reason }, { field: "phone" });
      const existing = await store.byPhone(ws, parsed.e164);
      if (existing && existing.id !== leadId) throw new DuplicateLeadError(existing);
      const shown = parsed.ext ? `${parsed.e164} ext. ${parsed.ext}` : parsed.e164;
      const result = await store.setPhone(ws, leadId, { e164: parsed.e164, ext: parsed.ext }, expected, (current) => ({
        note: {
          author,
          body: current.phone ? `[Phone] Changed from ${current.phone} to ${shown}` : `[Phone] Set to ${shown}`,
        },
        audit: {
          actor: author,
          action: current.phone ? "lead.phone_changed" : "lead.phone_set",
          detail: JSON.stringify({
            leadId,
            from: current.phone ? `***${current.phone.slice(-4)}` : null,
            to: `***${parsed.e164.slice(-4)}`,
          }),
        },
      }));
      if ("missing" in result) throw UserError.of("lead_missing");
      if ("phoneTaken" in result) throw new DuplicateLeadError(result.phoneTaken);
      if ("stale" in result) {
        // The form showed `expected`: a number changed since then is never overwritten unseen.
        throw UserError.of(
          "stale_phone",
          { leadName: result.stale.name, current: result.stale.phone },
          { field: "phone" },
        );
      }
      return result;
    },
  };
  return service;
}
