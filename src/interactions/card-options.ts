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
  const now = deps.clock();
  const lawNow = deps.law.now();
  const phones = [...new Set(leads.flatMap((lead) => (lead.phone ? [lead.phone] : [])))];
  const [settings, listed, consented] = await Promise.all([
    deps.settings.get(ws),
    deps.dnc.listedAmong(ws, phones),
    deps.consents.consentedAmong(ws, phones),
  ]);
  let verdicts: Map<number, string[]> | undefined;
  if (verdictFor && verdictFor !== "browser") {
    const judged = leads.flatMap((lead) =>
      lead.phone && !listed.has(lead.phone)
        ? [{ id: lead.id, phone: lead.phone, state: lead.state ?? null, zip: lead.zip ?? null }]
        : [],
    );
    const found = await deps.law.verdicts(ws, judged, verdictFor, lawNow);
    verdicts = new Map(
      judged.map((lead) => [lead.id, describeVerdict(found.get(lead.id)!, { phone: lead.phone, now: lawNow })]),
    );
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
