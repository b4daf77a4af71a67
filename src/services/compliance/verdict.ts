/**
 * The calling-law verdict: may this lead be called now, and if not, why and from when.
 * Pure: the clock is an argument, the data files are read once (zones.ts), nothing is printed.
 */
import { holidayOn } from "./holidays.js";
import { addDays, instantAt, type LocalTime, localText, localTime } from "./local-time.js";
import {
  CAP_RULES,
  type CapRule,
  type Channel,
  type DayWindow,
  hourRules,
  minutesOf,
  type RuleRef,
  type TimeRule,
  weekText,
  windowText,
} from "./rules.js";
import { type Address, type Candidates, candidateZones } from "./zones.js";

export type { RuleRef } from "./rules.js";

import type { CallMode } from "../calls/modes.js";

export type { CallMode };

/** Set by an admin; applied in each candidate zone's local time on top of the law. */
export interface TeamWindow {
  /** "09:00" */
  start: string;
  /** "19:30"; "24:00" for midnight. */
  end: string;
  /** 0 = Sunday … 6 = Saturday; every day when absent. */
  days?: number[];
}

export interface VerdictInput {
  /** E.164 */
  phone: string;
  address?: Address | null;
  now: Date;
  mode: CallMode;
  teamWindow?: TeamWindow | null;
  /** This lead's call attempts (any agent) in the last 24 h, in any order. */
  attempts: readonly Date[];
  onDoNotCallList: boolean;
  /** Active (not revoked) consent. */
  consent?: { scope: "prerecorded" | "calls" } | null;
  /** A call (default) or a text: texts have their own hours table and caps. */
  channel?: Channel;
  /** This lead's texts sent (or meant to be) in the last 24 h: counted by caps that count texts. */
  textAttempts?: readonly Date[];
  /** A marketing text needs an active consent record of scope `texts`. */
  marketingText?: boolean;
  textConsent?: boolean;
}

interface ZoneFacts {
  zone: string;
  /** The US state whose row applies, for state rules. */
  state?: string;
  country: string;
  /** Local wall time, "2026-03-08T07:40". */
  local: string;
  rule: RuleRef;
  /** When this rule alone would allow a call again in this zone. */
  opens?: Date;
}

export type Reason =
  | ({ kind: "hours" /** That day's window: "8:00 AM until 9:00 PM". */; allowed: string } & ZoneFacts)
  | ({ kind: "day"; weekday: number /** Set when the day is banned as a holiday. */; holiday?: string } & ZoneFacts)
  | { kind: "team_window"; zone: string; local: string; window: string; opens?: Date }
  | {
      kind: "cap";
      state: string;
      attempts: number;
      until: Date;
      rule: RuleRef;
      /** What was counted: "calls", "texts" or "calls and texts". */
      counted?: string;
    }
  | { kind: "unknown_zone"; phone: string; zoneCount: number }
  | { kind: "dnc" }
  | { kind: "consent"; mode: CallMode }
  | { kind: "text_consent" };

export type Verdict =
  | { allowed: true; zones: readonly string[]; states: readonly string[] }
  | {
      allowed: false;
      reasons: Reason[];
      /** Only when every reason is about time; the earliest instant all of them pass. */
      nextAllowedAt?: Date;
      zones: readonly string[];
      states: readonly string[];
    };

export { candidateZones } from "./zones.js";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Long enough for a Wednesday-only team window to skip Christmas and New Year's Day on Wednesdays. */
const HORIZON_DAYS = 16;

/** What a schedule says about one local date. */
type DayRule = { window: DayWindow } | { banned: "weekday" } | { banned: "holiday"; holiday: string };

interface Constraint {
  zone: string;
  dayRule(local: LocalTime): DayRule;
}

function lawDay(rule: TimeRule, local: LocalTime): DayRule {
  const holiday = rule.holidays && holidayOn(rule.holidays, local.year, local.month, local.day);
  if (holiday) return { banned: "holiday", holiday };
  const window = rule.week[local.weekday];
  return window ? { window } : { banned: "weekday" };
}

function inWindow(day: DayRule, minute: number): boolean {
  return "window" in day && day.window.start <= minute && minute < day.window.end;
}

/** The earliest instant ≥ from at which the constraint passes, within the horizon. */
function nextOpening(constraint: Constraint, from: number): number | undefined {
  const start = localTime(from, constraint.zone);
  for (let offset = 0; offset <= HORIZON_DAYS; offset++) {
    const date = addDays(start, offset);
    const day = constraint.dayRule(date);
    if (!("window" in day) || day.window.start >= day.window.end) continue;
    const close = instantAt(constraint.zone, date, day.window.end);
    if (from < close) return Math.max(from, instantAt(constraint.zone, date, day.window.start));
  }
  return undefined;
}

interface TeamSchedule {
  window: DayWindow;
  days?: ReadonlySet<number>;
  text: string;
}

const teamSchedules = new Map<string, TeamSchedule>();

function teamSchedule(team: TeamWindow): TeamSchedule {
  const key = `${team.start}-${team.end}-${team.days?.join(",") ?? "*"}`;
  let schedule = teamSchedules.get(key);
  if (!schedule) {
    const start = minutesOf(team.start);
    const end = minutesOf(team.end);
    // A malformed or empty window allows nothing rather than everything.
    const window = Number.isNaN(start) || Number.isNaN(end) ? { start: 0, end: 0 } : { start, end };
    const days = team.days ? new Set(team.days) : undefined;
    const week = Array.from({ length: 7 }, (_, day) => (!days || days.has(day) ? window : null));
    schedule = { window, ...(days ? { days } : {}), text: weekText(week) };
    if (teamSchedules.size > 1000) teamSchedules.clear();
    teamSchedules.set(key, schedule);
  }
  return schedule;
}

function teamDay(team: TeamSchedule, local: LocalTime): DayRule {
  return team.days && !team.days.has(local.weekday) ? { banned: "weekday" } : { window: team.window };
}

interface TimeChecks {
  law: { zone: string; rule: TimeRule; constraint: Constraint }[];
  team: { zone: string; schedule: TeamSchedule; constraint: Constraint }[];
  caps: { rule: CapRule; attempts: readonly number[]; until: number; counted: string }[];
}

/** What a state's cap counts for this channel: Maryland counts calls and texts together. */
function counted(rule: CapRule, input: VerdictInput): { attempts: readonly Date[]; counted: string } {
  const texts = input.textAttempts ?? [];
  if (rule.countsCallsAndTexts) return { attempts: [...input.attempts, ...texts], counted: "calls and texts" };
  return input.channel === "text"
    ? { attempts: texts, counted: "texts" }
    : { attempts: input.attempts, counted: "calls" };
}

function capsFor(states: readonly string[], input: VerdictInput): TimeChecks["caps"] {
  const caps: TimeChecks["caps"] = [];
  for (const state of states) {
    const rule = CAP_RULES[state];
    if (!rule) continue;
    const { attempts, counted: what } = counted(rule, input);
    if (attempts.length < rule.maxAttempts) continue;
    const newestFirst = attempts.map((at) => at.getTime()).sort((a, b) => b - a);
    // Blocked until the oldest of the last `maxAttempts` attempts is a full period old.
    const until = (newestFirst[rule.maxAttempts - 1] as number) + rule.periodMs;
    caps.push({ rule, attempts: newestFirst, until, counted: what });
  }
  return caps;
}

function timeChecks(where: Candidates, input: VerdictInput): TimeChecks {
  const rules = hourRules(where.countries, where.states, input.channel);
  const team = input.teamWindow ? teamSchedule(input.teamWindow) : undefined;
  const checks: TimeChecks = { law: [], team: [], caps: capsFor(where.states, input) };
  for (const zone of where.zones) {
    for (const rule of rules) {
      checks.law.push({ zone, rule, constraint: { zone, dayRule: (local) => lawDay(rule, local) } });
    }
    if (team)
      checks.team.push({ zone, schedule: team, constraint: { zone, dayRule: (local) => teamDay(team, local) } });
  }
  return checks;
}

/** Local times at one instant, each zone's computed once however many rules ask. */
function localsAt(at: number): (zone: string) => LocalTime {
  const cache = new Map<string, LocalTime>();
  return (zone) => {
    let local = cache.get(zone);
    if (!local) {
      local = localTime(at, zone);
      cache.set(zone, local);
    }
    return local;
  };
}

function passes(constraint: Constraint, local: LocalTime): boolean {
  return inWindow(constraint.dayRule(local), local.minute);
}

function constraintsOf(checks: TimeChecks): Constraint[] {
  return [...checks.law.map((check) => check.constraint), ...checks.team.map((check) => check.constraint)];
}

/** Where each constraint failing at `at` next opens (undefined: not within the horizon). */
function failing(checks: TimeChecks, at: number): (number | undefined)[] {
  const localOf = localsAt(at);
  const opens: (number | undefined)[] = [];
  for (const constraint of constraintsOf(checks)) {
    if (!passes(constraint, localOf(constraint.zone))) opens.push(nextOpening(constraint, at));
  }
  for (const cap of checks.caps) if (at < cap.until) opens.push(cap.until);
  return opens;
}

/**
 * The earliest instant ≥ now at which every time rule passes in every zone. Each failing rule cannot pass
 * before its own next opening, so jumping to the latest of those never skips the answer; every jump moves
 * forward, and the search stops at the horizon.
 */
function nextAllowed(checks: TimeChecks, now: number): number | undefined {
  const horizon = now + HORIZON_DAYS * DAY_MS;
  let at = now;
  while (at <= horizon) {
    const opens = failing(checks, at);
    if (opens.length === 0) return at;
    if (opens.includes(undefined)) return undefined;
    const next = Math.max(...(opens as number[]));
    at = next > at ? next : at + MINUTE_MS;
  }
  return undefined;
}

function lawReason(zone: string, rule: TimeRule, local: LocalTime, where: Candidates, opens?: number): Reason {
  const day = lawDay(rule, local);
  const facts: ZoneFacts = {
    zone,
    ...(rule.state ? { state: rule.state } : {}),
    country: rule.country === "*" ? (where.country ?? "") : rule.country,
    local: localText(local),
    rule: rule.ref,
    ...(opens !== undefined ? { opens: new Date(opens) } : {}),
  };
  if ("window" in day) return { kind: "hours", allowed: windowText(day.window), ...facts };
  return {
    kind: "day",
    weekday: local.weekday,
    ...(day.banned === "holiday" ? { holiday: day.holiday } : {}),
    ...facts,
  };
}

/** Undefined opens mean "not within the horizon", later than any instant. */
function opensNoEarlier(a: number | undefined, b: number | undefined): boolean {
  return (a ?? Number.POSITIVE_INFINITY) >= (b ?? Number.POSITIVE_INFINITY);
}

/**
 * One reason per zone for the law: the rule that keeps the lead closed longest (the others are implied by
 * it), preferring the more specific row on a tie. Zones with the same wall time and rule say the same thing.
 */
function lawReasons(checks: TimeChecks, now: number, where: Candidates): Reason[] {
  const localOf = localsAt(now);
  const binding = new Map<string, { rule: TimeRule; opens: number | undefined }>();
  for (const { zone, rule, constraint } of checks.law) {
    if (passes(constraint, localOf(zone))) continue;
    const opens = nextOpening(constraint, now);
    const current = binding.get(zone);
    if (!current || opensNoEarlier(opens, current.opens)) binding.set(zone, { rule, opens });
  }
  const reasons: Reason[] = [];
  const seen = new Set<string>();
  for (const [zone, { rule, opens }] of binding) {
    const local = localOf(zone);
    const key = `${rule.id}|${localText(local)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    reasons.push(lawReason(zone, rule, local, where, opens));
  }
  return reasons;
}

function teamReasons(checks: TimeChecks, now: number): Reason[] {
  const localOf = localsAt(now);
  const reasons: Reason[] = [];
  const seen = new Set<string>();
  for (const { zone, schedule, constraint } of checks.team) {
    const local = localOf(zone);
    if (passes(constraint, local)) continue;
    if (seen.has(localText(local))) continue;
    seen.add(localText(local));
    const opens = nextOpening(constraint, now);
    reasons.push({
      kind: "team_window",
      zone,
      local: localText(local),
      window: schedule.text,
      ...(opens !== undefined ? { opens: new Date(opens) } : {}),
    });
  }
  return reasons;
}

function capReasons(checks: TimeChecks, now: number): Reason[] {
  return checks.caps
    .filter((cap) => now < cap.until)
    .map((cap) => ({
      kind: "cap" as const,
      state: cap.rule.state,
      attempts: cap.attempts.filter((at) => at > now - cap.rule.periodMs).length,
      until: new Date(cap.until),
      rule: cap.rule.ref,
      counted: cap.counted,
    }));
}

function anyTimeRuleFails(checks: TimeChecks, now: number): boolean {
  const localOf = localsAt(now);
  for (const constraint of constraintsOf(checks)) if (!passes(constraint, localOf(constraint.zone))) return true;
  return checks.caps.some((cap) => now < cap.until);
}

/** Reasons that pass with time alone; any other reason means there is no next allowed time. */
const TIME_KINDS = new Set<Reason["kind"]>(["hours", "day", "team_window", "cap"]);

/** Message calls and voice bridges play an artificial voice, which needs prior express consent. */
export function needsPrerecordedConsent(mode: CallMode): boolean {
  return mode === "message" || mode === "bridge";
}

/**
 * Whether a call may be placed now, and otherwise every reason it may not (so the card names them all)
 * and, when only time stands in the way, the earliest instant it may.
 */
export function callingVerdict(input: VerdictInput): Verdict {
  const where = candidateZones(input.phone, input.address ?? undefined);
  const now = input.now.getTime();
  const reasons: Reason[] = [];
  if (input.onDoNotCallList) reasons.push({ kind: "dnc" });
  if (input.channel === "text") {
    if (input.marketingText && !input.textConsent) reasons.push({ kind: "text_consent" });
  } else if (needsPrerecordedConsent(input.mode) && input.consent?.scope !== "prerecorded") {
    reasons.push({ kind: "consent", mode: input.mode });
  }
  let checks: TimeChecks | undefined;
  if (where.unknown) {
    reasons.push({ kind: "unknown_zone", phone: input.phone, zoneCount: where.numberZones.length });
  } else {
    checks = timeChecks(where, input);
    if (anyTimeRuleFails(checks, now)) {
      reasons.push(...lawReasons(checks, now, where), ...teamReasons(checks, now), ...capReasons(checks, now));
    }
  }
  const place = { zones: where.zones, states: where.states };
  if (reasons.length === 0) return { allowed: true, ...place };
  const onlyTime = reasons.every((reason) => TIME_KINDS.has(reason.kind));
  const next = onlyTime && checks ? nextAllowed(checks, now) : undefined;
  return { allowed: false, reasons, ...(next !== undefined ? { nextAllowedAt: new Date(next) } : {}), ...place };
}
