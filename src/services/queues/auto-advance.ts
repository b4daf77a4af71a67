import type { Lead } from "@prisma/client";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import { candidateZones } from "../compliance/zones.js";

/**
 * Auto-advance: a queue may dial the next lead N seconds after the outcome, without the agent's press.
 * Such a queue picks and dials numbers on its own, so (compliance.md, release 3 "Dialers"):
 * - Florida's FTSA (Fla. Stat. 501.059, as amended 2023) covers "an automated system for the selection
 *   and dialing of telephone numbers": it needs prior express written consent — Leadline asks for a
 *   consent record of scope `autodial` for every lead, and still never auto-dials a lead who may be in
 *   Florida (the consent may not meet Florida's form; the agent's press keeps the call manual);
 * - Oklahoma's OTSA (15 O.S. 775C.3) reads "selection or dialing": no auto-advance to Oklahoma at all.
 * "May be in" is by number (the area code's state) or address (state, ZIP); a lead whose place is not
 * known cannot be ruled out, so it stays agent-paced too.
 */
export type AutoBlock = "no_consent" | "florida" | "oklahoma" | "unknown_place";

export function autoAdvanceBlock(
  lead: Pick<Lead, "phone" | "state" | "zip">,
  hasAutodialConsent: boolean,
): AutoBlock | undefined {
  if (!lead.phone) return "unknown_place";
  const place = candidateZones(lead.phone, { state: lead.state, zip: lead.zip });
  if (place.states.includes("FL")) return "florida";
  if (place.states.includes("OK")) return "oklahoma";
  // A US number with no state known (no geographic area code, no usable address) may be anywhere.
  if (place.unknown || (place.countries.includes("US") && place.states.length === 0)) return "unknown_place";
  if (!hasAutodialConsent) return "no_consent";
  return undefined;
}

/**
 * The waits between an outcome and the next lead's automatic dial: one per run, cancelled when the
 * agent acts first (Call, Skip, Snooze, Stop) or the app stops. A wait that ends runs its dial as a
 * tracked task; the dial itself checks the claim again (one dial per claim, whoever presses first).
 */
export interface AutoAdvance {
  schedule(runId: number, ms: number, dial: () => Promise<void>): void;
  cancel(runId: number): void;
  stop(): void;
  /** Runs with a dial waiting (for the card and tests). */
  pending(runId: number): boolean;
}

export function createAutoAdvance(deps: {
  tasks: TaskTracker;
  log: Logger;
  /** How long a wait of `ms` really lasts (tests shorten it); the real time by default. */
  scale?: (ms: number) => number;
}): AutoAdvance {
  const waits = new Map<number, NodeJS.Timeout>();
  const cancel = (runId: number) => {
    clearTimeout(waits.get(runId));
    waits.delete(runId);
  };
  return {
    schedule(runId, ms, dial) {
      cancel(runId);
      const timer = setTimeout(
        () => {
          if (waits.get(runId) !== timer) return;
          waits.delete(runId);
          deps.tasks.run(() =>
            dial().catch((error: unknown) => deps.log.warn({ err: error, runId }, "auto-advance did not dial")),
          );
        },
        deps.scale ? deps.scale(ms) : ms,
      );
      timer.unref();
      waits.set(runId, timer);
    },
    cancel,
    stop() {
      for (const runId of [...waits.keys()]) cancel(runId);
    },
    pending: (runId) => waits.has(runId),
  };
}

/** The rule with the lead's consent looked up: what the run and the card ask of an offered lead. */
export function createAutoRule(deps: { hasAutodialConsent(ws: number, phone: string): Promise<boolean> }) {
  return async (ws: number, lead: Pick<Lead, "phone" | "state" | "zip">): Promise<AutoBlock | undefined> => {
    const placeBlock = autoAdvanceBlock(lead, true);
    if (placeBlock) return placeBlock;
    return autoAdvanceBlock(lead, await deps.hasAutodialConsent(ws, lead.phone!));
  };
}
export type AutoRule = ReturnType<typeof createAutoRule>;
