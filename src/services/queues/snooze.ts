import type { Lead } from "@prisma/client";
import { DateTime } from "luxon";
import type { Clock } from "../../lib/clock.js";
import { UserError } from "../../lib/errors.js";
import type { CallingLaw } from "../compliance/calling-law.js";

/** The times Snooze offers on the queue card. */
export const SNOOZE_CHOICES = ["1h", "3h", "tomorrow", "next_week"] as const;
export type SnoozeChoice = (typeof SNOOZE_CHOICES)[number];

/** A snooze shorter than this is no snooze (the lead would be back before the card is redrawn). */
export const SNOOZE_MIN_MS = 5 * 60_000;
/** The longest snooze: past a month the lead is better skipped (or taken out of the queue by an outcome). */
export const SNOOZE_MAX_DAYS = 30;

/** When the lead may be called at or after `from`, by the law (its hours and days in the lead's zone). */
export interface SnoozeTimes {
  /** The snooze's end: a choice resolved in the lead's zone, or a time picked; refused when past or too far. */
  until(ws: number, lead: Lead, choice: SnoozeChoice | Date): Promise<Date>;
}

export function createSnoozeTimes(deps: { law: Pick<CallingLaw, "verdict">; clock: Clock }): SnoozeTimes {
  /**
   * The first moment the law allows a call from `from` on (the lead's first allowed hour that day, in
   * their zone); `from` itself when it is allowed; `fallback` when the law gives no time (zone unknown).
   */
  const firstAllowed = async (ws: number, lead: Lead, from: Date, fallback: Date) => {
    const verdict = await deps.law.verdict(ws, lead, "live", from);
    if (verdict.allowed) return from;
    return verdict.nextAllowedAt ?? fallback;
  };

  const checked = (until: Date, now: Date) => {
    if (Number.isNaN(until.getTime()) || until.getTime() < now.getTime() + SNOOZE_MIN_MS)
      throw UserError.of("queue_snooze_past", { minMinutes: SNOOZE_MIN_MS / 60_000 });
    if (until.getTime() > now.getTime() + SNOOZE_MAX_DAYS * 86_400_000)
      throw UserError.of("queue_snooze_too_far", { maxDays: SNOOZE_MAX_DAYS });
    return until;
  };

  return {
    async until(ws, lead, choice) {
      // Claims compare with the app's clock; the law reads its own now (the sandbox's pretend time): a time
      // the law gives is moved by the difference, so "tomorrow 8 AM" is that in the lead's day either way.
      const now = deps.clock.now();
      const lawNow = deps.clock.callingNow();
      const toApp = (at: Date) => new Date(at.getTime() + now.getTime() - lawNow.getTime());
      if (choice instanceof Date) return checked(choice, now);
      if (choice === "1h" || choice === "3h")
        return checked(new Date(now.getTime() + (choice === "1h" ? 1 : 3) * 3_600_000), now);
      // Tomorrow morning and next week are the lead's days: their zone as the law reads it (the first one).
      const verdict = await deps.law.verdict(ws, lead, "live", lawNow);
      const zone = verdict.zones[0];
      const here = DateTime.fromJSDate(lawNow, { zone: zone ?? "UTC" });
      const start =
        choice === "tomorrow" ? here.plus({ days: 1 }).startOf("day") : here.startOf("week").plus({ weeks: 1 });
      const fallback = start.plus({ hours: 9 }).toJSDate();
      if (!zone) return checked(toApp(fallback), now);
      return checked(toApp(await firstAllowed(ws, lead, start.toJSDate(), fallback)), now);
    },
  };
}
