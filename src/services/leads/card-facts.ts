import type { Clock } from "../../lib/clock.js";
import type { CallMode } from "../calls/modes.js";
import type { CallingLaw } from "../compliance/calling-law.js";
import type { ConsentService } from "../compliance/consent-service.js";
import type { DncService } from "../compliance/dnc-service.js";
import type { Verdict } from "../compliance/verdict.js";
import { browserCallsReady, type SettingsService, type TwilioSettings } from "../setup/settings.js";

/** What lead cards need to know about now, as data; views/lead-card.ts turns it into buttons and words. */
export interface CardFacts {
  now: Date;
  /** The instant calling hours are judged at (the verdicts' now). */
  callingNow: Date;
  browserEnabled: boolean;
  /** Numbers (E.164) on the do-not-call list. */
  listed: Set<string>;
  /** Numbers whose consent covers prerecorded calls. */
  consented: Set<string>;
  /** The calling-law verdict per lead id, for the mode asked for (absent for listed numbers). */
  verdicts?: Map<number, { verdict: Verdict; phone: string }>;
}

type CardLead = { id: number; phone: string | null; state?: string | null; zip?: string | null };

export interface CardFactsService {
  /**
   * One read for all the cards of an answer: the list, consent and, with `verdictFor`, each lead's
   * verdict; with the settings the request already read (`settings`), they are not read again.
   */
  forLeads(
    ws: number,
    leads: readonly CardLead[],
    verdictFor?: CallMode,
    settings?: TwilioSettings,
  ): Promise<CardFacts>;
}

export function createCardFacts(deps: {
  settings: SettingsService;
  dnc: Pick<DncService, "listedAmong">;
  consents: Pick<ConsentService, "consentedAmong">;
  law: Pick<CallingLaw, "verdicts" | "teamWindowOf">;
  clock: Clock;
  publicBaseUrl?: string;
}): CardFactsService {
  return {
    async forLeads(ws, leads, verdictFor, known) {
      const now = deps.clock.now();
      const callingNow = deps.clock.callingNow();
      const phones = [...new Set(leads.flatMap((lead) => (lead.phone ? [lead.phone] : [])))];
      if (!verdictFor || verdictFor === "browser") {
        const [settings, listed, consented] = await Promise.all([
          known ?? deps.settings.get(ws),
          deps.dnc.listedAmong(ws, phones),
          deps.consents.consentedAmong(ws, phones),
        ]);
        return {
          now,
          callingNow,
          browserEnabled: browserCallsReady(settings, deps.publicBaseUrl),
          listed,
          consented,
        };
      }
      // The verdict reads the do-not-call list and consent for every card anyway: the buttons use the same facts.
      const judged = leads.flatMap((lead) =>
        lead.phone ? [{ id: lead.id, phone: lead.phone, state: lead.state ?? null, zip: lead.zip ?? null }] : [],
      );
      const settings = known ?? (await deps.settings.get(ws));
      const found = await deps.law.verdicts(
        ws,
        judged,
        verdictFor,
        callingNow,
        deps.law.teamWindowOf(settings) ?? null,
      );
      const listed = new Set<string>();
      const consented = new Set<string>();
      const verdicts = new Map<number, { verdict: Verdict; phone: string }>();
      for (const lead of judged) {
        const { verdict, facts } = found.get(lead.id)!;
        if (facts.consent?.scope === "prerecorded") consented.add(lead.phone);
        // A listed number's card says so instead (its Call buttons are gone).
        if (facts.onDoNotCallList) listed.add(lead.phone);
        else verdicts.set(lead.id, { verdict, phone: lead.phone });
      }
      return {
        now,
        callingNow,
        browserEnabled: browserCallsReady(settings, deps.publicBaseUrl),
        listed,
        consented,
        verdicts,
      };
    },
  };
}
