import { DateTime } from "luxon";
import { z } from "zod";
import { callingVerdict } from "../src/services/compliance/verdict.js";
import type { Address } from "../src/services/compliance/zones.js";

/** The zones the console offers for "pretend it is", with the city the page names. */
export const CLOCK_ZONES = {
  "America/New_York": "New York (Eastern)",
  "America/Chicago": "Chicago (Central)",
  "America/Denver": "Denver (Mountain)",
  "America/Los_Angeles": "Los Angeles (Pacific)",
  "America/Anchorage": "Anchorage (Alaska)",
  "Pacific/Honolulu": "Honolulu (Hawaii)",
} as const;

export type ClockZone = keyof typeof CLOCK_ZONES;

const NEW_YORK: ClockZone = "America/New_York";
/** Real time is used when it is inside this part of the day in New York (and the demo leads may be called). */
const REAL_DAY = { from: 9 * 60, to: 20 * 60 };
const PRETEND_HOUR = 11;

const clockSetting = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("real") }),
  z.object({
    mode: z.literal("pretend"),
    /** A wall time in `zone`, as a datetime-local input gives it: "2026-11-27T06:00". */
    local: z
      .string()
      .regex(/^(19[7-9]\d|20\d\d)-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/, "a date and time such as 2026-11-27T11:00"),
    zone: z.enum(Object.keys(CLOCK_ZONES) as [ClockZone, ...ClockZone[]]),
  }),
]);

export type ClockSetting = z.infer<typeof clockSetting>;

/** What the console page shows and fills its form with. */
export interface ClockView {
  mode: "real" | "pretend";
  /** The instant calling hours are judged at, when this view was made. */
  now: string;
  /** Calling time minus this machine's clock: the page adds it to its own clock to keep the time shown moving. */
  offsetMs: number;
  /** The zone the time is shown in: the pretend zone, or New York for real time. */
  zone: ClockZone;
  /** That zone's wall time, to the minute ("2026-11-27T11:00"), for the datetime-local input. */
  local: string;
  /** "Friday, November 27, 11:00 AM EST in New York (Eastern)" */
  label: string;
  /** Why the sandbox chose this setting by itself; gone once someone sets the clock. */
  note?: string;
  /** Bumped by every change, so the page refills its form only when the clock was set. */
  version: number;
  zones: { id: ClockZone; label: string }[];
}

export interface CallingClock {
  /** The calling clock handed to Leadline (`LeadlineOptions.callingClock`). */
  now(): Date;
  view(): ClockView;
  /** Sets the clock from what the console sent; an error names what to fix. */
  set(input: unknown): { ok: true; clock: ClockView } | { ok: false; error: string };
}

const describe = (at: DateTime, zone: ClockZone) =>
  `${at.setZone(zone).toFormat("cccc, LLLL d, h:mm a ZZZZ")} in ${CLOCK_ZONES[zone]}`;

/**
 * The sandbox's calling clock: real time, or a pretend instant that moves on with real time from the
 * moment it was set. Only calling hours read it (Leadline's `callingClock`); everything else is real.
 */
export function createCallingClock(options: { initial: ClockSetting; note?: string; real?: () => Date }): CallingClock {
  const real = options.real ?? (() => new Date());
  let state: { zone: ClockZone; offsetMs: number; mode: "real" | "pretend" } = {
    zone: NEW_YORK,
    offsetMs: 0,
    mode: "real",
  };
  let note = options.note;
  let version = 0;

  const apply = (setting: ClockSetting): string | undefined => {
    if (setting.mode === "real") {
      state = { zone: NEW_YORK, offsetMs: 0, mode: "real" };
      return undefined;
    }
    const at = DateTime.fromISO(setting.local, { zone: setting.zone });
    if (!at.isValid) return `${setting.local} is not a time in ${CLOCK_ZONES[setting.zone]}.`;
    state = { zone: setting.zone, offsetMs: at.toMillis() - real().getTime(), mode: "pretend" };
    return undefined;
  };

  const clock: CallingClock = {
    now: () => new Date(real().getTime() + state.offsetMs),
    view() {
      const at = clock.now();
      const now = DateTime.fromJSDate(at);
      return {
        mode: state.mode,
        now: now.toUTC().toISO()!,
        offsetMs: at.getTime() - Date.now(),
        zone: state.zone,
        local: now.setZone(state.zone).toFormat("yyyy-LL-dd'T'HH:mm"),
        label: describe(now, state.zone),
        ...(note ? { note } : {}),
        version,
        zones: Object.entries(CLOCK_ZONES).map(([id, label]) => ({ id: id as ClockZone, label })),
      };
    },
    set(input) {
      const parsed = clockSetting.safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join(".") || "mode";
        return {
          ok: false,
          error: `The clock was not changed: ${field} should be ${
            field === "zone"
              ? `one of ${Object.keys(CLOCK_ZONES).join(", ")}`
              : field === "local"
                ? "a date and time such as 2026-11-27T11:00"
                : '"real" or "pretend"'
          }.`,
        };
      }
      const error = apply(parsed.data);
      if (error) return { ok: false, error };
      note = undefined;
      version += 1;
      return { ok: true, clock: clock.view() };
    },
  };
  const error = apply(options.initial);
  if (error) throw new Error(error);
  return clock;
}

/**
 * Where the sandbox's calling clock starts: real time when it is daytime in New York and every demo
 * lead may be called now; otherwise the next weekday at 11:00 AM New York time (today, if that is
 * still ahead) on which every demo lead may be called, so a newcomer at midnight can place calls.
 */
export function defaultClockSetting(
  realNow: Date,
  leads: readonly ({ phone: string } & Address)[],
): { setting: ClockSetting; note?: string } {
  const callable = (at: Date) =>
    leads.every(
      (lead) =>
        callingVerdict({
          phone: lead.phone,
          address: { state: lead.state, zip: lead.zip },
          now: at,
          mode: "live",
          attempts: [],
          onDoNotCallList: false,
        }).allowed,
    );
  const here = DateTime.fromJSDate(realNow, { zone: NEW_YORK });
  const minutes = here.hour * 60 + here.minute;
  const daytime = minutes >= REAL_DAY.from && minutes < REAL_DAY.to;
  if (daytime && callable(realNow)) return { setting: { mode: "real" } };
  let day = here.set({ hour: PRETEND_HOUR, minute: 0, second: 0, millisecond: 0 });
  if (day < here) day = day.plus({ days: 1 });
  for (let tries = 0; tries < 21; tries += 1, day = day.plus({ days: 1 })) {
    if (day.weekday > 5 || !callable(day.toJSDate())) continue;
    const why = daytime
      ? "a demo lead may not be called right now"
      : "that is outside the sandbox's calling day (9 AM – 8 PM there)";
    return {
      setting: { mode: "pretend", local: day.toFormat("yyyy-LL-dd'T'HH:mm"), zone: NEW_YORK },
      note:
        `For real it is ${here.toFormat("cccc h:mm a")} in New York, and ${why}, so the sandbox pretends it is ` +
        `${day.toFormat("cccc, LLLL d, h:mm a")} there. Choose "Real time" to watch calling law block a call.`,
    };
  }
  return { setting: { mode: "real" } };
}
