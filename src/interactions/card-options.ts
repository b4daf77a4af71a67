import type { Deps } from "../deps.js";
import { browserCallsReady } from "../services/setup/settings.js";
import type { LeadCardOptions } from "../views/lead-card.js";

/** What every lead card needs to know about now: the time, and whether browser calls are set up. */
export async function cardOptions(
  deps: Pick<Deps, "settings" | "clock" | "config">,
  ws: number,
  extra: Partial<LeadCardOptions> = {},
): Promise<LeadCardOptions> {
  const settings = await deps.settings.get(ws);
  return { now: deps.clock(), browserEnabled: browserCallsReady(settings, deps.config.PUBLIC_BASE_URL), ...extra };
}
