/**
 * Verdict reasons in plain English for a person. Plain text: the Slack view escapes and formats it.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { DateTime } from "luxon";
import { clockText } from "../services/compliance/rules.js";
import type { CallMode, Reason, RuleRef, Verdict } from "../services/compliance/verdict.js";

export interface DescribeOptions {
  /** The lead's number, E.164; named in the sentence when given. */
  phone?: string;
  /** Every zone the lead may be in (verdict.zones): "one of the zones … may be in", and a cap's next time. */
  zones?: readonly string[];
  /** The agent's IANA zone, to add "your time" to next-allowed times. */
  agentZone?: string;
  /** For "in 20 min" and "tomorrow". */
  now?: Date;
  /** Overrides the reason's own opening time for "Next allowed"; null leaves the sentence out. */
  next?: Date | null;
  /** "texts are allowed …" for a text's verdict; calls by default. */
  channel?: "call" | "text";
}

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** People know Honolulu's zone as Hawaii time; Intl calls it Hawaii-Aleutian Standard Time. */
const ZONE_NAME_OVERRIDES: Readonly<Record<string, string>> = { "Pacific/Honolulu": "Hawaii" };

function intlZoneName(zone: string, style: "longGeneric" | "shortGeneric" | "short", at: Date): string {
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: style }).formatToParts(at);
    return parts.find((part) => part.type === "timeZoneName")?.value ?? "";
  } catch {
    return "";
  }
}

/** "America/Chicago" → "Chicago"; "America/Indiana/Knox" → "Knox, Indiana". */
function cityOf(zone: string): string {
  const parts = zone.split("/").map((part) => part.replaceAll("_", " "));
  const city = parts[parts.length - 1] ?? zone;
  return parts.length > 2 ? `${city}, ${parts[parts.length - 2]}` : city;
}

const labels = new Map<string, string>();

/** "Chicago (Central)", "Honolulu (Hawaii)", "Phoenix (Mountain Standard)", "London (United Kingdom)". */
export function zoneLabel(zone: string): string {
  let label = labels.get(zone);
  if (!label) {
    // A January date keeps the generic name stable (no "Daylight" variants).
    const generic = ZONE_NAME_OVERRIDES[zone] ?? intlZoneName(zone, "longGeneric", new Date(Date.UTC(2026, 0, 15)));
    const name = generic.replace(/ Time$/, "");
    label = name && !/^GMT/.test(name) ? `${cityOf(zone)} (${name})` : cityOf(zone);
    labels.set(zone, label);
  }
  return label;
}

/** "CT", "HST", "AKT"; where Intl has no short name, "London time". */
export function zoneAbbreviation(zone: string, at: Date): string {
  for (const style of ["shortGeneric", "short"] as const) {
    const name = intlZoneName(zone, style, at);
    if (/^[A-Z]{2,5}$/.test(name)) return name;
  }
  return `${cityOf(zone)} time`;
}

function phoneText(phone: string): string {
  return parsePhoneNumberFromString(phone)?.formatInternational() ?? phone;
}

/** "in 20 min", "in 3 h 5 min", "in 2 days 1 h". */
export function untilText(at: Date, now: Date): string {
  const minutes = Math.ceil((at.getTime() - now.getTime()) / 60_000);
  if (minutes <= 0) return "now";
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `in ${hours} h` : `in ${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  const rest = hours % 24 === 0 ? "" : ` ${hours % 24} h`;
  return `in ${days} ${days === 1 ? "day" : "days"}${rest}`;
}

/** "8:00 AM CT", "tomorrow 8:00 AM CT" or "Mon Jun 8, 8:00 AM CT", in one zone. */
function timeIn(at: Date, zone: string, now?: Date): string {
  const local = DateTime.fromJSDate(at, { zone });
  const clock = `${clockText(local.hour * 60 + local.minute)} ${zoneAbbreviation(zone, at)}`;
  if (!now) return `${local.toFormat("ccc LLL d")}, ${clock}`;
  const today = DateTime.fromJSDate(now, { zone }).startOf("day");
  const days = Math.round(local.startOf("day").diff(today, "days").days);
  if (days === 0) return clock;
  if (days === 1) return `tomorrow ${clock}`;
  return `${local.toFormat("ccc LLL d")}, ${clock}`;
}

/**
 * The next allowed time in the lead's zone(s) and the agent's: "8:00 AM CT (9:00 AM ET your time, in 20 min)".
 */
export function describeNextAllowed(at: Date, zones: readonly string[], agentZone?: string, now?: Date): string {
  const leadTimes = [...new Set(zones.map((zone) => timeIn(at, zone, now)))];
  const notes: string[] = [];
  if (agentZone) {
    const agentTime = timeIn(at, agentZone, now);
    if (!leadTimes.includes(agentTime)) notes.push(`${agentTime} your time`);
  }
  if (now) notes.push(untilText(at, now));
  return notes.length > 0 ? `${leadTimes.join(" / ")} (${notes.join(", ")})` : leadTimes.join(" / ");
}

function ruleText(rule: RuleRef): string {
  return `${rule.label} (${rule.source}${rule.secondary ? ", from secondary tables" : ""})`;
}

/** "2026-06-07T07:40" → { clock: "7:40 AM", weekday: 0 }. */
function wallTime(local: string): { clock: string; weekday: number } {
  const [date = "", time = "00:00"] = local.split("T");
  const [hour = 0, minute = 0] = time.split(":").map(Number);
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return { clock: clockText(hour * 60 + minute), weekday };
}

function whereText(zone: string, options: DescribeOptions): string {
  const label = zoneLabel(zone);
  if (!options.phone) return label;
  const phone = phoneText(options.phone);
  return (options.zones?.length ?? 1) > 1
    ? `${label}, one of the zones ${phone} may be in`
    : `${label}, where ${phone} is`;
}

function nextText(opens: Date | undefined, zones: readonly string[], options: DescribeOptions): string {
  const at = options.next === undefined ? opens : options.next;
  if (!at) return "";
  return ` Next allowed: ${describeNextAllowed(at, zones, options.agentZone, options.now)}.`;
}

const MODE_NAMES: Readonly<Record<CallMode, string>> = {
  live: "live call",
  browser: "browser call",
  message: "message call",
  bridge: "voice bridge",
};

/**
 * "It is" for the time now; "It will be" for a later time being judged (a booked call), so a
 * sentence about 9:00 PM tomorrow does not read as if it were 9:00 PM now.
 */
function itIs(reason: { local: string; zone: string }, options: DescribeOptions): string {
  if (!options.now) return "It is";
  const judged = DateTime.fromISO(reason.local, { zone: reason.zone });
  return judged.isValid && judged.toMillis() > options.now.getTime() + 60_000 ? "It will be" : "It is";
}

/**
 * One reason as a sentence: "It is 7:40 AM in Chicago (Central), one of the zones +1 850 555 0101 may be
 * in; calls are allowed 8:00 AM until 9:00 PM there under US federal law (47 CFR 64.1200(c)(1)). Next allowed:
 * 8:00 AM CT (in 20 min)."
 */
export function describeReason(reason: Reason, options: DescribeOptions = {}): string {
  switch (reason.kind) {
    case "hours": {
      const { clock, weekday } = wallTime(reason.local);
      const onDay = reason.allowed === reason.rule.window ? "" : ` on ${DAY_NAMES[weekday]}s`;
      return `${itIs(reason, options)} ${clock} in ${whereText(reason.zone, options)}; ${options.channel === "text" ? "texts" : "calls"} are allowed ${reason.allowed} there${onDay} under ${ruleText(reason.rule)}.${nextText(reason.opens, [reason.zone], options)}`;
    }
    case "day": {
      const { clock, weekday } = wallTime(reason.local);
      const day = reason.holiday ?? DAY_NAMES[weekday];
      const banned = reason.holiday ? "holidays" : `${DAY_NAMES[weekday]}s`;
      return `${itIs(reason, options)} ${day}, ${clock} in ${whereText(reason.zone, options)}; ${ruleText(reason.rule)} allows no ${options.channel === "text" ? "texts" : "calls"} on ${banned}.${nextText(reason.opens, [reason.zone], options)}`;
    }
    case "team_window": {
      const { clock, weekday } = wallTime(reason.local);
      return `${itIs(reason, options)} ${DAY_NAMES[weekday]}, ${clock} in ${whereText(reason.zone, options)}; the team's calling window, set by an admin, is ${reason.window}.${nextText(reason.opens, [reason.zone], options)}`;
    }
    case "cap": {
      const who = options.phone ? phoneText(options.phone) : "This lead";
      const what = reason.counted && reason.counted !== "calls" ? reason.counted : "call attempts";
      return `${who} has had ${reason.attempts} ${what} in the last 24 hours; ${ruleText(reason.rule)} allows 3 per 24 hours.${nextText(reason.until, options.zones ?? [], options)}`;
    }
    case "unknown_zone": {
      const phone = phoneText(reason.phone);
      const spread = reason.zoneCount > 0 ? ` (its number could be in any of ${reason.zoneCount} time zones)` : "";
      return `Leadline cannot tell which time zone ${phone} is in${spread}; add the lead's ZIP code or state.`;
    }
    case "dnc":
      return `${options.phone ? phoneText(options.phone) : "This number"} is on the team's do-not-call list.`;
    case "consent":
      return `A ${MODE_NAMES[reason.mode]} plays a recorded voice, which needs the lead's prior express consent to prerecorded calls, and there is none on record; a live call needs none.`;
    case "text_consent":
      return "A marketing text needs the lead's prior express written consent to texts, and there is none on record (record it with scope texts in the lead's consent or the lead API); a reply to the lead's own text needs none.";
  }
}

/**
 * Every line a compliance card shows for a verdict: one per reason, then the next allowed time for all of
 * them together (folded into the reason when there is only one).
 */
export function describeVerdict(verdict: Verdict, options: Omit<DescribeOptions, "next" | "zones"> = {}): string[] {
  if (verdict.allowed) return [];
  const shared = { ...options, zones: verdict.zones };
  const [only] = verdict.reasons;
  if (only && verdict.reasons.length === 1)
    return [describeReason(only, { ...shared, next: verdict.nextAllowedAt ?? null })];
  const lines = verdict.reasons.map((reason) => describeReason(reason, { ...shared, next: null }));
  if (verdict.nextAllowedAt) {
    lines.push(
      `Next allowed: ${describeNextAllowed(verdict.nextAllowedAt, verdict.zones, options.agentZone, options.now)}.`,
    );
  }
  return lines;
}
