import type { Lead } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import type { EventBus, LeadOriginEvent } from "../../lib/events.js";
import type { ConsentInput, ConsentService } from "../compliance/consent-service.js";
import { validateConsent } from "../compliance/consent-service.js";
import type { DncService } from "../compliance/dnc-service.js";
import { DuplicateLeadError, type LeadService, LeadValidationError, validateNewLead } from "./lead-service.js";

/** Where a new lead came from: a person in Slack, the lead API, or (release 3) the team's CRM. */
export type LeadOrigin = LeadOriginEvent;

export interface IntakeInput {
  name: string;
  phone?: string;
  email?: string;
  source?: string;
  note?: string;
  state?: string;
  zip?: string;
  ownerSlackId?: string;
  consent?: ConsentInput;
  /** The lead asked not to be called (the lead API's doNotCall). */
  doNotCall?: boolean;
}

/** Field errors of an intake, keyed by the intake's own field names (consent included). */
export type IntakeErrors = Partial<Record<keyof IntakeInput | "consentText", string>>;

export class IntakeRefused extends LeadValidationError {
  constructor(readonly fields: IntakeErrors) {
    super(fields as Record<string, string>);
  }
}

export interface LeadIntake {
  /**
   * Adds a lead from any door (the Add lead form, the lead API, the CRM): every check first (the
   * lead's fields, its consent, do-not-call against consent), then the lead, then its consent and
   * do-not-call entry, so a refusal never leaves a lead half-added. `ifExists: "return"` answers a
   * phone already on file with that lead (the API's idempotency); "refuse" raises DuplicateLeadError.
   * `lead.created` is emitted after the lead is stored, once, only for a new lead.
   */
  intake(
    ws: number,
    input: IntakeInput,
    how: { origin: LeadOrigin; author: string; ifExists: "refuse" | "return"; requirePhone?: boolean },
  ): Promise<{ lead: Lead; created: boolean }>;
  /**
   * Edit: the lead's details as the form submitted them, and a consent record if one was given (checked
   * before anything is saved). The phone changes only over the number the form showed. Emits
   * `lead.changed` when something changed.
   */
  edit(
    ws: number,
    leadId: number,
    input: Omit<IntakeInput, "note" | "doNotCall">,
    how: { author: string; shownPhone: string | null },
  ): Promise<{ lead: Lead; changed: string[] }>;
}

export function createLeadIntake(deps: {
  leads: LeadService;
  consents: ConsentService;
  dnc: DncService;
  events: EventBus;
  clock: Clock;
  defaultCountry: string;
}): LeadIntake {
  const check = async (ws: number, input: IntakeInput, requirePhone: boolean): Promise<IntakeErrors> => {
    const checked = validateNewLead(input, deps.defaultCountry);
    const errors: IntakeErrors = { ...checked.errors };
    if (requirePhone && !input.phone?.trim()) errors.phone = "Give the lead's phone number.";
    if (!input.consent) return errors;
    if (input.doNotCall) errors.doNotCall = "A lead cannot both consent to calls and ask not to be called: send one.";
    try {
      validateConsent(input.consent, deps.clock.now());
    } catch (error) {
      const message = (error as Error).message;
      errors[message.startsWith("consent.text") ? "consentText" : "consent"] = message;
    }
    if (!input.phone?.trim()) errors.phone ??= "Consent covers a phone number: add the lead's phone.";
    else if (checked.phone && (await deps.dnc.listedAmong(ws, [checked.phone])).has(checked.phone))
      errors.consent ??=
        "This number is on the team's do-not-call list, so consent cannot be recorded for it. An admin can take it off the list if the lead asked to be called again.";
    return errors;
  };

  return {
    async intake(ws, input, how) {
      const errors = await check(ws, input, how.requirePhone ?? false);
      if (Object.keys(errors).length > 0) throw new IntakeRefused(errors);
      const fields = { ...input, author: how.author };
      let lead: Lead;
      let created = true;
      try {
        lead = await deps.leads.create(ws, fields);
      } catch (error) {
        if (!(error instanceof DuplicateLeadError) || how.ifExists === "refuse") throw error;
        lead = error.existing;
        created = false;
      }
      if (lead.phone && input.doNotCall)
        await deps.dnc.add(
          ws,
          lead.phone,
          how.origin.kind === "slack" ? "card" : "api",
          how.author,
          "doNotCall on intake",
        );
      if (input.consent) await deps.consents.record(ws, lead, input.consent, how.author);
      if (created) deps.events.emit("lead.created", { ws, leadId: lead.id, origin: how.origin });
      return { lead, created };
    },
    async edit(ws, leadId, input, how) {
      const { consent, ...fields } = input;
      if (consent) {
        try {
          validateConsent(consent, deps.clock.now());
        } catch (error) {
          const message = (error as Error).message;
          throw new IntakeRefused({ [message.startsWith("consent.text") ? "consentText" : "consent"]: message });
        }
      }
      const saved = await deps.leads.edit(ws, leadId, fields, how.author, how.shownPhone);
      if (consent) await deps.consents.record(ws, saved.lead, consent, how.author, "consentText");
      const changed = consent ? [...saved.changed, "consent"] : saved.changed;
      if (changed.length > 0) deps.events.emit("lead.changed", { ws, leadId, fields: changed, by: how.author });
      return { lead: saved.lead, changed };
    },
  };
}
