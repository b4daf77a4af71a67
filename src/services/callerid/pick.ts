import { localTime } from "../compliance/local-time.js";
import { candidateZones } from "../compliance/zones.js";

/** Why a number was chosen; the call's post says it ("from +1 305 555 0100, local"). */
export type CallerIdRule = "sticky" | "local" | "state" | "team";

/** The default number of calls a pool number places per day (its own local day) before it rests. */
export const DEFAULT_DAILY_CAP = 75;

/** A number of the workspace's Twilio account, as the picker sees it. */
export interface PoolNumber {
  number: string;
  /** The NANP area code ("305"), when the number is North American. */
  areaCode: string | null;
  /** The area code's US state or Canadian province ("FL"). */
  state: string | null;
  /** The number's own zone: its day (and its cap) starts at midnight there. */
  timeZone: string;
  /** Its Voice URL routes to Leadline: a lead calling it back reaches the team. */
  routesInbound: boolean;
  inPool: boolean;
}

/** Calls placed from a number on one local day ("2026-12-07" in the number's zone). */
export interface DayCount {
  day: string;
  count: number;
}

export interface PickInput {
  lead: { phone: string; state?: string | null; zip?: string | null };
  pool: readonly PoolNumber[];
  /** The number this lead saw last, if any. */
  sticky?: string | null;
  /** Each number's latest day count; a count of another day than the number's today is zero. */
  counts: ReadonlyMap<string, DayCount>;
  cap: number;
  teamNumber: string;
  now: Date;
}

export interface CallerIdPick {
  number: string;
  rule: CallerIdRule;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The number's local date now: its count resets when this changes (local midnight). */
export function localDay(timeZone: string, now: Date): string {
  const local = localTime(now.getTime(), timeZone);
  return `${local.year}-${pad(local.month)}-${pad(local.day)}`;
}

export function callsToday(number: PoolNumber, counts: ReadonlyMap<string, DayCount>, now: Date): number {
  const count = counts.get(number.number);
  return count && count.day === localDay(number.timeZone, now) ? count.count : 0;
}

/** The NANP area code of an E.164 number ("+13055550100" → "305"). */
export function areaCodeOf(e164: string): string | null {
  const nanp = /^\+1(\d{3})\d{7}$/.exec(e164);
  return nanp ? (nanp[1] as string) : null;
}

/** What the picker needs to know of a number: its area code, state and zone (from the area code's map). */
export function placeOf(e164: string): Pick<PoolNumber, "areaCode" | "state" | "timeZone"> {
  const candidates = candidateZones(e164);
  const region = candidates.states[0] ?? null;
  return {
    areaCode: areaCodeOf(e164),
    state: region,
    timeZone: candidates.numberZones.length > 0 ? (candidates.numberZones[0] as string) : "America/New_York",
  };
}

/**
 * The caller ID for a call to this lead: the number the lead saw last (sticky); else a pool number
 * with the lead's area code; else one in the lead's state (by its number or its address); else the
 * team number. A number that does not route inbound calls to Leadline, or has placed `cap` calls
 * today (its local day), is never picked. Among equals, the one with the fewest calls today.
 */
export function pickCallerId(input: PickInput): CallerIdPick {
  const { lead, counts, cap, now } = input;
  const usable = input.pool.filter(
    (n) => n.inPool && n.routesInbound && n.number !== lead.phone && callsToday(n, counts, now) < cap,
  );
  const sticky = input.sticky ? usable.find((n) => n.number === input.sticky) : undefined;
  if (sticky) return { number: sticky.number, rule: "sticky" };
  const leastUsed = (numbers: PoolNumber[]) =>
    numbers.sort(
      (a, b) => callsToday(a, counts, now) - callsToday(b, counts, now) || a.number.localeCompare(b.number),
    )[0];
  const areaCode = areaCodeOf(lead.phone);
  const local = areaCode ? leastUsed(usable.filter((n) => n.areaCode === areaCode)) : undefined;
  if (local) return { number: local.number, rule: "local" };
  const states = new Set(candidateZones(lead.phone, { state: lead.state, zip: lead.zip }).states);
  const inState = leastUsed(usable.filter((n) => n.state !== null && states.has(n.state)));
  if (inState) return { number: inState.number, rule: "state" };
  return { number: input.teamNumber, rule: "team" };
}
