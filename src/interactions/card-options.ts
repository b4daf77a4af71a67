import type { Deps } from "../deps.js";
import type { CallMode } from "../services/calls/modes.js";
import { describeVerdict } from "../services/compliance/describe.js";
import { browserCallsReady } from "../services/setup/settings.js";
import type { LeadCardOptions } from "../views/lead-card.js";

/**
 * What lead cards need to know about now: the time, whether browser calls are set up, which of these
 * leads' numbers are on the do-not-call list or have consent to recorded calls, and, for the call card
 * of /call-lead (`verdictFor`), the calling-law verdict for the mode asked for.
 */
export async function cardOptions(
  deps: Pick<Deps, "settings" | "clock" | "config" | "dnc" | "consents" | "law">,
  ws: number,
  leads: readonly { id: number; phone: string | null; state?: string | null; zip?: string | null }[],
  extra: Partial<LeadCardOptions> & { verdictFor?: CallMode } = {},
): Promise<LeadCardOptions> {
  const { verdictFor, ...rest } = extra;
  const now = deps.clock.now();
  const lawNow = deps.clock.callingNow();
  const phones = [...new Set(leads.flatMap((lead) => (lead.phone ? [lead.phone] : [])))];
  if (!verdictFor || verdictFor === "browser") {
    const [settings, listed, consented] = await Promise.all([
      deps.settings.get(ws),
      deps.dnc.listedAmong(ws, phones),
      deps.consents.consentedAmong(ws, phones),
    ]);
    return {
      now,
      browserEnabled: browserCallsReady(settings, deps.config.PUBLIC_BASE_URL),
      listed,
      consented,
      ...rest,
    };
  }
  // The verdict reads the do-not-call list and consent for every card anyway: the buttons use the same facts.
  const judged = leads.flatMap((lead) =>
    lead.phone ? [{ id: lead.id, phone: lead.phone, state: lead.state ?? null, zip: lead.zip ?? null }] : [],
  );
  const [settings, found] = await Promise.all([
    deps.settings.get(ws),
    deps.law.verdicts(ws, judged, verdictFor, lawNow),
  ]);
  const listed = new Set<string>();
  const consented = new Set<string>();
  const verdicts = new Map<number, string[]>();
  for (const lead of judged) {
    const { verdict, facts } = found.get(lead.id)!;
    if (facts.consent?.scope === "prerecorded") consented.add(lead.phone);
    // A listed number's card says so instead (its Call buttons are gone).
    if (facts.onDoNotCallList) listed.add(lead.phone);
    else verdicts.set(lead.id, describeVerdict(verdict, { phone: lead.phone, now: lawNow }));
  }
  return {
    now,
    browserEnabled: browserCallsReady(settings, deps.config.PUBLIC_BASE_URL),
    listed,
    consented,
    verdicts,
    ...rest,
  };
}
