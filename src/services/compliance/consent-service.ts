import type { Consent } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { UserError } from "../../lib/errors.js";
import type { ComplianceStore } from "./compliance-store.js";

export const CONSENT_SCOPES = ["prerecorded", "calls", "texts", "autodial"] as const;
export const CONSENT_METHODS = ["web form", "signed", "verbal", "other"] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];
/** The longest consent wording kept: Slack's plain-text input takes at most 3,000 characters, so the modal and the lead API agree. */
export const CONSENT_TEXT_MAX = 3000;

/** What a person or the lead API says about a lead's consent, before it is checked. */
export interface ConsentInput {
  scope?: unknown;
  method?: unknown;
  text?: unknown;
  at?: unknown;
  sourceUrl?: unknown;
}

export interface ConsentService {
  /**
   * Records the consent for the lead's current number. The record is evidence: it keeps the words the
   * lead agreed to, how and when; it is never edited, only revoked (key-press 9 or the do-not-call list).
   */
  record(
    ws: number,
    lead: { id: number; phone: string | null },
    input: ConsentInput,
    by: string,
    field?: string,
  ): Promise<Consent>;
  list(ws: number, leadId: number): Promise<Consent[]>;
  consentedAmong(ws: number, phones: string[]): Promise<Set<string>>;
}

/** Checks a consent before anything is saved; throws a UserError naming the field to fix. */
export function validateConsent(
  input: ConsentInput,
  now: Date,
  field = "consent",
): { scope: ConsentScope; method: string; text: string; at: Date; sourceUrl: string | null } {
  const fail = (message: string): never => {
    throw new UserError(message, { field });
  };
  const scope = typeof input.scope === "string" ? input.scope.trim() : "";
  if (!(CONSENT_SCOPES as readonly string[]).includes(scope))
    fail(
      `consent.scope must be "prerecorded" (recorded-voice calls), "calls" (live calls only), "texts" (marketing texts) or "autodial" (calls a queue dials on its own).`,
    );
  const method = typeof input.method === "string" ? input.method.trim().toLowerCase() : "";
  if (!(CONSENT_METHODS as readonly string[]).includes(method))
    fail(`consent.method must be one of: ${CONSENT_METHODS.map((m) => `"${m}"`).join(", ")}.`);
  const text = typeof input.text === "string" ? input.text.trim() : "";
  if (text.length < 10)
    fail("consent.text must be the words the lead agreed to (at least 10 characters), kept as evidence.");
  if (text.length > CONSENT_TEXT_MAX) fail("consent.text is longer than 3,000 characters.");
  let at = now;
  if (input.at !== undefined && input.at !== null && input.at !== "") {
    const parsed = typeof input.at === "string" ? new Date(input.at) : new Date(Number.NaN);
    if (
      typeof input.at !== "string" ||
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(input.at) ||
      Number.isNaN(parsed.getTime())
    )
      fail("consent.at must be an ISO 8601 time with a zone, such as 2026-10-14T19:03:04Z.");
    if (parsed.getTime() > now.getTime() + 5 * 60_000) fail("consent.at is in the future.");
    at = parsed;
  }
  let sourceUrl: string | null = null;
  if (input.sourceUrl !== undefined && input.sourceUrl !== null && input.sourceUrl !== "") {
    const raw = typeof input.sourceUrl === "string" ? input.sourceUrl.trim() : "";
    let ok = false;
    try {
      ok = ["https:", "http:"].includes(new URL(raw).protocol) && raw.length <= 2000;
    } catch {}
    if (!ok) fail("consent.sourceUrl must be an http(s) address of the form or page where the lead agreed.");
    sourceUrl = raw;
  }
  return { scope: scope as ConsentScope, method, text, at, sourceUrl };
}

export function createConsentService(deps: { store: ComplianceStore; clock: Clock }): ConsentService {
  return {
    async record(ws, lead, input, by, field) {
      const consent = validateConsent(input, deps.clock.now(), field);
      if (!lead.phone) throw UserError.of("consent_needs_phone", {}, { field });
      if (await deps.store.listed(ws, lead.phone)) {
        throw UserError.of("dnc_listed", {}, { field });
      }
      // The same record sent again (a form resubmitted, a webhook retried) is kept once.
      const same = (await deps.store.consents(ws, lead.id)).find(
        (existing) =>
          !existing.revokedAt &&
          existing.phone === lead.phone &&
          existing.scope === consent.scope &&
          existing.method === consent.method &&
          existing.text === consent.text &&
          (input.at === undefined || existing.at.getTime() === consent.at.getTime()),
      );
      if (same) return same;
      return deps.store.addConsent(
        ws,
        { ...consent, leadId: lead.id, phone: lead.phone, recordedBy: by },
        {
          actor: by,
          detail: JSON.stringify({
            leadId: lead.id,
            phone: `***${lead.phone.slice(-4)}`,
            scope: consent.scope,
            method: consent.method,
          }),
        },
      );
    },
    list: (ws, leadId) => deps.store.consents(ws, leadId),
    consentedAmong: (ws, phones) => deps.store.consentedAmong(ws, phones),
  };
}
