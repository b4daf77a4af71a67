/**
 * Reading a schedule time typed after a lead query: `/call-lead Jane at 3pm`.
 *
 * `parseScheduleText(text, now, zone)` splits `text` into the lead query and a time expression at its END, and
 * resolves the time in the agent's IANA time zone (Slack's users.info `tz`) at the instant `now`. It is pure: no
 * clock, no I/O, never throws.
 *
 * Grammar (case-insensitive; tokens are separated by spaces; `|` = or, `[x]` = optional):
 *
 *   expression := "in" DURATION
 *               | [DAY] ["at"] TIME                  -- "at" is required when there is no DAY
 *               | ["at"] TIME DAY                    -- time first; TIME must have am/pm or a colon unless "at" is there
 *               | ISO-DATE "T" HH:MM                 -- 2026-12-01T14:00
 *   DAY        := "today" | "tonight" | "tomorrow" | "tmrw"
 *               | ["on"] ["next" | "this"] WEEKDAY   -- mon monday tue tues tuesday wed weds wednesday thu thur thurs
 *                                                    -- thursday fri friday sat saturday sun sunday
 *               | ["on"] YYYY-MM-DD | ["on"] M/D | ["on"] M/D/YYYY | ["on"] M/D/YY      -- US order: month/day
 *               | "in" N ("d" | "day" | "days" | "w" | "wk" | "week" | "weeks")       -- only with a TIME; a bare
 *                                                    -- hour then needs "at": "in 2 days at 9", "in 2 days 3pm"
 *   TIME       := H[:MM] ("am" | "pm" | "a.m." | "p.m.")  -- "3pm", "3:30 pm", "12am" = midnight, "12pm" = noon
 *               | H:MM | HH:MM                       -- 0:00 to 23:59
 *               | H                                  -- bare hour, 0 to 23
 *               | "noon"
 *   DURATION   := (N | "a" | "an") UNIT { ["and" | ","] N UNIT }, units largest first, each at most once:
 *                 w wk wks week weeks | d day days | h hr hrs hour hours | m min mins minute minutes
 *                 ("in 2h", "in 90 min", "in 1h30m", "in 1 hour and 30 minutes", "in an hour", "in 3 days";
 *                 "in 1h30" is read as 1 h 30 min)
 *
 * Decisions:
 * - A time expression is only recognised at the very end; everything before it (trimmed) is the query, which must
 *   not be empty. A bare time with no keyword ("Jane 3pm", "Suite 5") is NOT a schedule; neither is a bare weekday
 *   with no time ("Jane Monday"): the whole text stays the query ("none").
 * - Keyword-led tails that do not parse are errors, not queries: "at 25pm", "in 0h", "tomorrow" alone,
 *   "on friday" alone, "12/1" alone, "at 3pm yesterday", "tomorrow morning", "at 3pm sharp".
 * - Hours without am/pm, from 1 to 11 and written without a leading zero ("at 9", "mon 9:30", "at 3"), are read in
 *   business hours: 8–11 are AM, 1–7 are PM ("at 3" = 3:00 PM, never 3 AM). 12 is noon. A leading zero or an hour
 *   of 0 or 13–23 means the 24-hour clock ("07:00" = 7 AM, "15:00" = 3 PM). With "tonight", bare hours are PM.
 *   The result's `reading` says when an hour was read this way.
 * - "at TIME" with no day is the next occurrence: today if that time is still ahead, otherwise tomorrow.
 * - "today TIME" and "tonight TIME" must still be ahead; "tonight" takes PM times only (use "tomorrow 1am").
 * - A weekday is the next day with that name: today if the time is still ahead today, otherwise the coming week.
 *   "next WEEKDAY" is the next such day after today (on a Monday, "next tue" is tomorrow and "next mon" is in 7
 *   days). "this WEEKDAY" is the same as the plain weekday. A lead whose query ends in a weekday word followed by a
 *   time ("Li Sun at 3pm") is read as that weekday; write the day explicitly to avoid it ("Li Sun today 3pm").
 * - Dates are month/day (US). M/D without a year is the next occurrence of that date and time (this year or next).
 *   Month names ("May 3") are not accepted, so names like "May" stay part of the query.
 * - "in" with hours/minutes counts elapsed time (in 2h is exactly two hours later, even across a clock change);
 *   days and weeks are calendar days at the same wall-clock time ("in 1 day" at 10:00 is 10:00 tomorrow).
 * - The time must be strictly after `now` and at most 90 calendar days after it (same wall-clock time 90 days
 *   later in the zone).
 * - Clock changes: a wall time that does not exist (spring forward, e.g. 2:30 AM on 2026-03-08 in New York) moves
 *   forward to the first minute that exists (3:00 AM). A wall time that happens twice (fall back, e.g. 1:30 AM on
 *   2026-11-01 in New York) is the first occurrence, or the second if the first has already passed. Both set
 *   `adjusted` with a sentence for the agent.
 */
import { DateTime, IANAZone } from "luxon";

export interface ParsedSchedule {
  /** The lead query before the time expression: a name, a phone number or #id. Never empty. */
  query: string;
  /** The instant to call. */
  at: Date;
  /** The IANA zone the time was read in, as given. */
  zone: string;
  /** How the time was read, for the agent, e.g. "today 3:00 PM" or `tomorrow 9:00 AM ("9" read as AM; …)`. */
  reading: string;
  /** Set when a clock change affected the time: a skipped wall time moved forward, or a repeated one resolved. */
  adjusted?: string;
}

export type ScheduleParse =
  | { kind: "none"; query: string }
  | { kind: "schedule"; value: ParsedSchedule }
  | { kind: "error"; query: string; message: string };

/** The accepted forms, for a help message or an error reply (Slack mrkdwn). */
export const SCHEDULE_HELP = [
  "To schedule the call, end the text with a time (read in your Slack time zone):",
  "• `at 3pm` · `at 3:30 pm` · `at 15:00` · `at noon` · `at 9` (the next 9:00; a bare 8–11 is AM, 1–7 is PM)",
  "• `today 4pm` · `tonight 7pm` · `tomorrow 10am` · `tomorrow at 10am` · `3pm tomorrow`",
  "• `mon 9:30` · `monday 9:30am` · `on friday at 2pm` · `next tue 11am`",
  "• `in 45m` · `in 90 min` · `in 2h` · `in 1h30m` · `in 3 days` · `in 2 days at 3pm`",
  "• `2026-12-01 14:00` · `12/1 2pm` (month/day)",
  "Up to 90 days ahead. Example: `Jane Doe tomorrow 10am`, `(212) 555-0182 at 3pm`, `#12 in 2h`.",
].join("\n");

const EXAMPLES = "Examples: at 3pm · tomorrow 10am · mon 9:30 · in 2h · 12/1 2pm";
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MAX_DAYS = 90;
const MAX_NUMBER = 1_000_000;

interface Ymd {
  y: number;
  m: number;
  d: number;
}

interface TimeSpec {
  /** 0–23 after reading am/pm; for an ambiguous hour, the hour as typed (1–11). */
  h: number;
  mi: number;
  /** 1–11 with no am/pm and no leading zero: read in business hours (or PM tonight). */
  ambiguous: boolean;
  /** Has am/pm, a colon, or is "noon": clearly a time even without "at". */
  strong: boolean;
  text: string;
}

type DaySpec =
  | { type: "rel"; offset: 0 | 1; tonight: boolean }
  | { type: "weekday"; weekday: number; next: boolean }
  | { type: "date"; y: number | undefined; m: number; d: number }
  | { type: "inDays"; days: number };

interface Duration {
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
}

type Expr = { type: "clock"; day: DaySpec | null; time: TimeSpec } | { type: "duration"; duration: Duration };

type Match = { kind: "expr"; start: number; expr: Expr } | { kind: "error"; start: number; why: string };

type TimeMatch = { start: number; time: TimeSpec } | { start: number; bad: string; strong: boolean };

/** keyword: a day word that is clearly about time (not a bare weekday, which may be part of a name). */
type DayMatch = { start: number; day: DaySpec; keyword: boolean } | { start: number; bad: string; keyword: true };

// Maps, not object literals: "constructor" or "__proto__" typed by an agent must not look like a keyword.
const WEEKDAYS = new Map<string, number>(
  Object.entries({
    mon: 1,
    monday: 1,
    tue: 2,
    tues: 2,
    tuesday: 2,
    wed: 3,
    weds: 3,
    wednesday: 3,
    thu: 4,
    thur: 4,
    thurs: 4,
    thursday: 4,
    fri: 5,
    friday: 5,
    sat: 6,
    saturday: 6,
    sun: 7,
    sunday: 7,
  }),
);

const RELATIVE = new Map<string, DaySpec>([
  ["today", { type: "rel", offset: 0, tonight: false }],
  ["tonight", { type: "rel", offset: 0, tonight: true }],
  ["tomorrow", { type: "rel", offset: 1, tonight: false }],
  ["tmrw", { type: "rel", offset: 1, tonight: false }],
]);

type Unit = "weeks" | "days" | "hours" | "minutes";
const UNITS = new Map<string, Unit>(
  Object.entries({
    w: "weeks",
    wk: "weeks",
    wks: "weeks",
    week: "weeks",
    weeks: "weeks",
    d: "days",
    day: "days",
    days: "days",
    h: "hours",
    hr: "hours",
    hrs: "hours",
    hour: "hours",
    hours: "hours",
    m: "minutes",
    min: "minutes",
    mins: "minutes",
    minute: "minutes",
    minutes: "minutes",
  } satisfies Record<string, Unit>),
);
const UNIT_RANK: Record<Unit, number> = { weeks: 3, days: 2, hours: 1, minutes: 0 };

const WEEKDAY_NAMES = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTH_NAMES = ["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const LOOSE_TIME = /^(\d{1,4})(?::(\d{1,3}))?(am|pm)?$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{2}|\d{4}))?$/;
const LOOSE_US_DATE = /^\d+\/\d+(?:\/\d+)?$/;
const ISO_DATE_TIME = /^(\d{4}-\d{1,2}-\d{1,2})t(\d{1,2}:\d{2})$/;

interface Token {
  norm: string;
  start: number;
}

export function parseScheduleText(text: string, now: Date, zone: string): ScheduleParse {
  const source = typeof text === "string" ? text : "";
  const tokens = tokenize(source);
  if (tokens.length === 0) {
    return {
      kind: "error",
      query: "",
      message:
        "Say which lead to call: a name, a phone number or #id, optionally followed by a time (e.g. Jane Doe tomorrow 10am).",
    };
  }
  const words = tokens.map((t) => t.norm);
  const match = findExpression(words);
  if (!match) return { kind: "none", query: source.trim() };

  const offset = tokens[match.start]!.start;
  const query = source.slice(0, offset).trim();
  const expression = source.slice(offset).trim();
  const fail = (why: string): ScheduleParse => ({
    kind: "error",
    query,
    message: `I couldn't schedule "${expression}": ${why}. ${EXAMPLES}`,
  });

  if (match.kind === "error") return fail(match.why);
  if (query === "") {
    return {
      kind: "error",
      query,
      message: `Say which lead to call before the time, e.g. "Jane Doe ${expression}" or "#12 ${expression}".`,
    };
  }
  if (typeof zone !== "string" || !IANAZone.isValidZone(zone)) {
    return fail(`your time zone ${JSON.stringify(zone)} is not one I know; set your time zone in Slack's preferences`);
  }
  const nowMs = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(nowMs)) return fail("the current time is unknown");

  const ctx = context(IANAZone.create(zone), nowMs);
  const resolved =
    match.expr.type === "duration" ? resolveDuration(match.expr.duration, ctx) : resolveClock(match.expr, ctx);
  if ("bad" in resolved) return fail(resolved.bad);
  if (resolved.at > ctx.limit) {
    return fail(`${resolved.label} is more than ${MAX_DAYS} days ahead (the latest is ${labelFor(ctx.limit, ctx)})`);
  }
  const value: ParsedSchedule = { query, at: new Date(resolved.at), zone, reading: resolved.reading };
  if (resolved.adjusted) value.adjusted = resolved.adjusted;
  return { kind: "schedule", value };
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens and matching (from the end of the text)

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/\S+/g)) {
    const norm = m[0].toLowerCase().replace(/([ap])\.m\.?$/, "$1m");
    tokens.push({ norm, start: m.index });
  }
  const last = tokens.at(-1);
  // "at 3pm." / "tomorrow!": trailing punctuation on the last word only.
  if (last) last.norm = last.norm.replace(/[.,;:!?]+$/, "");
  return tokens;
}

function findExpression(words: string[]): Match | null {
  const n = words.length;
  return (
    matchIsoDateTime(words, n) ??
    matchEndingInDay(words, n) ??
    matchDuration(words, n) ??
    matchEndingInTime(words, n) ??
    matchSuspiciousTail(words, n)
  );
}

function expr(start: number, e: Expr): Match {
  return { kind: "expr", start, expr: e };
}

function failAt(start: number, why: string): Match {
  return { kind: "error", start, why };
}

/** "2026-12-01T14:00", optionally after "on" or "at". */
function matchIsoDateTime(words: string[], n: number): Match | null {
  const m = ISO_DATE_TIME.exec(words[n - 1] ?? "");
  if (!m) return null;
  let start = n - 1;
  if (words[start - 1] === "on" || words[start - 1] === "at") start--;
  const day = parseDateWord(m[1]!);
  const time = parseTimeWord(m[2]!);
  if (!day) return null;
  if ("bad" in day) return failAt(start, day.bad);
  if ("bad" in time) return failAt(start, time.bad);
  return expr(start, { type: "clock", day: day.day, time: { ...time, ambiguous: false } });
}

/** `[at] TIME DAY`, or a DAY with no time. */
function matchEndingInDay(words: string[], n: number): Match | null {
  const day = matchDay(words, n);
  if (!day) return null;
  const time = matchTime(words, day.start);
  if (time) {
    const hasAt = words[time.start - 1] === "at";
    const start = hasAt ? time.start - 1 : time.start;
    if ("bad" in time) {
      if (hasAt || time.strong) return failAt(start, time.bad);
    } else if (hasAt || time.time.strong) {
      if ("bad" in day) return failAt(start, day.bad);
      return expr(start, { type: "clock", day: day.day, time: time.time });
    }
  }
  if ("bad" in day) return failAt(day.start, day.bad);
  if (day.day.type === "inDays") return null; // "in 3 days" alone is a duration
  if (!day.keyword) return null; // "Jane Monday": a bare weekday may be part of a name
  return failAt(day.start, "add a time, e.g. tomorrow 10am, on friday at 2pm or 12/1 2pm");
}

/** `[DAY] [at] TIME`. */
function matchEndingInTime(words: string[], n: number): Match | null {
  const time = matchTime(words, n);
  if (!time) return null;
  const hasAt = words[time.start - 1] === "at";
  const dayEnd = hasAt ? time.start - 1 : time.start;
  const day = matchDay(words, dayEnd);
  if ("bad" in time) {
    if (hasAt || (day && (day.keyword || time.strong))) return failAt(day?.start ?? dayEnd, time.bad);
    return null;
  }
  if (day) {
    if ("bad" in day) return failAt(day.start, day.bad);
    return expr(day.start, { type: "clock", day: day.day, time: time.time });
  }
  if (hasAt) return expr(dayEnd, { type: "clock", day: null, time: time.time });
  return null; // "Jane 3pm", "Suite 5": no keyword, not a schedule
}

/** `in DURATION`, with the nearest "in" in the last few words. */
function matchDuration(words: string[], n: number): Match | null {
  for (let i = n - 1; i >= Math.max(0, n - 10); i--) {
    if (words[i] !== "in") continue;
    const parsed = parseDuration(words.slice(i + 1, n));
    if (parsed === null) return null;
    if ("bad" in parsed) return failAt(i, parsed.bad);
    return expr(i, { type: "duration", duration: parsed });
  }
  return null;
}

/** Nothing matched, but the end looks like a time: "tomorrow morning", "at 3pm sharp", "at 3p". */
function matchSuspiciousTail(words: string[], n: number): Match | null {
  for (let i = Math.max(0, n - 3); i < n; i++) {
    const w = words[i]!;
    if (RELATIVE.has(w) || w === "yesterday" || (w === "at" && /^\d/.test(words[i + 1] ?? ""))) {
      return failAt(i, "that is not a time I can read");
    }
  }
  return null;
}

function matchTime(words: string[], end: number): TimeMatch | null {
  if (end < 1) return null;
  let word = words[end - 1]!;
  let start = end - 1;
  if ((word === "am" || word === "pm") && /^\d{1,4}(?::\d{1,3})?$/.test(words[end - 2] ?? "")) {
    word = words[end - 2]! + word;
    start = end - 2;
  }
  if (word === "noon") return { start, time: { h: 12, mi: 0, ambiguous: false, strong: true, text: word } };
  if (!LOOSE_TIME.test(word)) return null;
  const parsed = parseTimeWord(word);
  if ("bad" in parsed) return { start, bad: parsed.bad, strong: parsed.strong };
  return { start, time: parsed };
}

function parseTimeWord(word: string): TimeSpec | { bad: string; strong: boolean } {
  const m = LOOSE_TIME.exec(word);
  if (!m) return { bad: `"${word}" is not a time`, strong: false };
  const [, hours, minutes, meridiem] = m as unknown as [string, string, string | undefined, string | undefined];
  const strong = minutes !== undefined || meridiem !== undefined;
  if (hours.length > 2) {
    return { bad: `write "${word}" with a colon, e.g. 15:30 or 3:30pm`, strong };
  }
  if (minutes !== undefined && minutes.length !== 2) {
    return { bad: `minutes take two digits ("${word}"), e.g. 3:05pm`, strong };
  }
  const h = Number(hours);
  const mi = minutes === undefined ? 0 : Number(minutes);
  if (mi > 59) return { bad: `"${word}" has ${mi} minutes; minutes go from 00 to 59`, strong };
  if (meridiem) {
    if (h < 1 || h > 12) return { bad: `with am/pm the hour goes from 1 to 12 ("${word}")`, strong };
    return { h: (h % 12) + (meridiem === "pm" ? 12 : 0), mi, ambiguous: false, strong, text: word };
  }
  if (h > 23) return { bad: `"${word}": the hours go from 0 to 23 (midnight is 0:00 or 12am)`, strong };
  return { h, mi, ambiguous: h >= 1 && h <= 11 && !hours.startsWith("0"), strong, text: word };
}

function matchDay(words: string[], end: number): DayMatch | null {
  if (end < 1) return null;
  const word = words[end - 1]!;
  const rel = RELATIVE.get(word);
  if (rel) return { start: end - 1, day: rel, keyword: true };
  if (word === "yesterday") return { start: end - 1, bad: "that is in the past", keyword: true };

  const weekday = WEEKDAYS.get(word);
  if (weekday) {
    let start = end - 1;
    let next = false;
    let keyword = false;
    const before = words[start - 1];
    if (before === "next" || before === "this") {
      next = before === "next";
      keyword = true;
      start--;
    }
    if (words[start - 1] === "on") {
      keyword = true;
      start--;
    }
    return { start, day: { type: "weekday", weekday, next }, keyword };
  }

  const date = parseDateWord(word);
  if (date) {
    const start = words[end - 2] === "on" ? end - 2 : end - 1;
    if ("bad" in date) return { start, bad: date.bad, keyword: true };
    return { start, day: date.day, keyword: true };
  }

  // "in 3 days", "in a week": only days and weeks.
  for (let i = end - 1; i >= Math.max(0, end - 5); i--) {
    if (words[i] !== "in") continue;
    const parsed = parseDuration(words.slice(i + 1, end));
    if (parsed === null || "bad" in parsed || parsed.hours > 0 || parsed.minutes > 0) return null;
    return { start: i, day: { type: "inDays", days: parsed.weeks * 7 + parsed.days }, keyword: true };
  }
  return null;
}

function parseDateWord(word: string): { day: DaySpec } | { bad: string } | null {
  const iso = ISO_DATE.exec(word);
  if (iso) {
    const y = Number(iso[1]);
    const m = Number(iso[2]);
    const d = Number(iso[3]);
    if (!validDate(y, m, d)) return { bad: `${word} is not a date (year-month-day)` };
    return { day: { type: "date", y, m, d } };
  }
  const us = US_DATE.exec(word);
  if (us) {
    const m = Number(us[1]);
    const d = Number(us[2]);
    const year = us[3];
    const y = year === undefined ? undefined : year.length === 2 ? 2000 + Number(year) : Number(year);
    if (!validDate(y ?? 2000, m, d)) return { bad: `${word} is not a date (dates are month/day, e.g. 12/1)` };
    return { day: { type: "date", y, m, d } };
  }
  if (LOOSE_US_DATE.test(word)) return { bad: `${word} is not a date (dates are month/day, e.g. 12/1)` };
  return null;
}

/** null: not a duration at all (the words stay in the query); bad: a duration that is wrong. */
function parseDuration(words: string[]): Duration | { bad: string } | null {
  const pieces: string[] = [];
  for (const m of words.join(" ").matchAll(/(\d+(?:[.,]\d+)?)|([a-z]+)|(,)|(\s+)|(.)/g)) {
    if (m[5] !== undefined) return null;
    if (m[4] !== undefined || m[3] !== undefined) continue;
    const piece = m[0];
    if (m[2] !== undefined && !UNITS.has(piece) && piece !== "and" && piece !== "a" && piece !== "an") return null;
    if (piece !== "and") pieces.push(piece);
  }
  const hasNumber = pieces.some((p) => /^\d/.test(p));
  // Without a digit ("in a bit", "in an office") a failed parse is not a duration; with one it is a wrong one.
  const invalid = (bad: string) => (hasNumber ? { bad } : null);
  if (pieces.length === 0) return null;
  const result: Duration = { weeks: 0, days: 0, hours: 0, minutes: 0 };
  let lastRank = Number.POSITIVE_INFINITY;
  let i = 0;
  while (i < pieces.length) {
    const value = pieces[i]!;
    if (UNITS.has(value)) return invalid(`"${value}" needs a number before it, e.g. in 2h`);
    if (/[.,]/.test(value)) return invalid("use whole numbers, e.g. in 1h30m rather than in 1.5h");
    const next = pieces[i + 1];
    let unit = next === undefined ? undefined : UNITS.get(next);
    if (unit === undefined) {
      // "in 1h30": a last number right after hours is minutes.
      if (next === undefined && lastRank === UNIT_RANK.hours && /^\d/.test(value)) unit = "minutes";
      else return invalid(`"${value}" what? Add a unit, e.g. in ${/^\d/.test(value) ? value : 2}m or in 2h`);
      i += 1;
    } else {
      i += 2;
    }
    if (UNIT_RANK[unit] >= lastRank) return invalid("give each unit once, largest first, e.g. in 1h30m");
    lastRank = UNIT_RANK[unit];
    const amount = value === "a" || value === "an" ? 1 : Number(value);
    if (amount > MAX_NUMBER) return invalid(`that is more than ${MAX_DAYS} days ahead`);
    result[unit] = amount;
  }
  if (result.weeks + result.days + result.hours + result.minutes === 0) {
    return invalid("that is now, not later; give a time in the future, e.g. in 15m");
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Resolving in the zone

interface Context {
  zone: IANAZone;
  now: number;
  today: Ymd;
  nowWall: { h: number; mi: number; s: number; ms: number };
  limit: number;
}

type Resolved = { at: number; label: string; reading: string; adjusted?: string } | { bad: string };

function context(zone: IANAZone, now: number): Context {
  const local = DateTime.fromMillis(now, { zone });
  return {
    zone,
    now,
    today: { y: local.year, m: local.month, d: local.day },
    nowWall: { h: local.hour, mi: local.minute, s: local.second, ms: local.millisecond },
    limit: local.plus({ days: MAX_DAYS }).toMillis(),
  };
}

function resolveClock(e: Extract<Expr, { type: "clock" }>, ctx: Context): Resolved {
  const { day, time } = e;
  let h = time.h;
  let note: string | undefined;
  if (day?.type === "rel" && day.tonight) {
    if (time.text === "12") return { bad: 'for midnight say 11:59pm or tomorrow 12am; "tonight 12" is unclear' };
    if (time.ambiguous) h = time.h + 12;
    else if (time.h < 12)
      return { bad: `tonight means this evening; for ${timeLabel(time.h, time.mi)} say tomorrow ${time.text}` };
  } else if (time.ambiguous) {
    h = time.h >= 8 ? time.h : time.h + 12;
    const other = time.h >= 8 ? "pm" : "am";
    note = `"${time.text}" read as ${h < 12 ? "AM" : "PM"}; say ${time.text}${other} for the ${other === "pm" ? "evening" : "morning"}`;
  }

  const candidates: Ymd[] = [];
  const t = ctx.today;
  if (day === null) candidates.push(t, addDays(t, 1));
  else if (day.type === "rel") candidates.push(addDays(t, day.offset));
  else if (day.type === "inDays") candidates.push(addDays(t, day.days));
  else if (day.type === "weekday") {
    const ahead = (day.weekday - weekdayOf(t) + 7) % 7;
    if (day.next) candidates.push(addDays(t, ahead === 0 ? 7 : ahead));
    else candidates.push(addDays(t, ahead), addDays(t, ahead + 7));
  } else if (day.y !== undefined) candidates.push({ y: day.y, m: day.m, d: day.d });
  else {
    for (const y of [t.y, t.y + 1]) if (validDate(y, day.m, day.d)) candidates.push({ y, m: day.m, d: day.d });
  }

  for (const ymd of candidates) {
    const wall = resolveWall(ctx.zone, ymd, h, time.mi);
    const index = wall.instants.findIndex((at) => at > ctx.now);
    if (index < 0) continue;
    const at = wall.instants[index]!;
    let adjusted: string | undefined;
    if (wall.moved) {
      adjusted = `${timeLabel(h, time.mi)} does not exist on ${dateLabel(ymd)} (the clocks skip ahead); using ${timeLabel(wall.moved.h, wall.moved.mi)}`;
    } else if (wall.instants.length > 1) {
      adjusted = `${timeLabel(h, time.mi)} happens twice on ${dateLabel(ymd)} (the clocks go back); using the ${index === 0 ? "first one, before" : "second one, after"} the change`;
    }
    const label = labelFor(at, ctx);
    const reading = note ? `${label} (${note})` : label;
    return adjusted ? { at, label, reading, adjusted } : { at, label, reading };
  }
  const last = candidates.at(-1);
  if (!last) return { bad: "that date does not exist" };
  return { bad: `${relativeDayLabel(ctx.today, last)} ${timeLabel(h, time.mi)} has already passed` };
}

function resolveDuration(d: Duration, ctx: Context): Resolved {
  let base = ctx.now;
  let adjusted: string | undefined;
  const days = d.weeks * 7 + d.days;
  if (days > 0) {
    if (days > MAX_DAYS + 1) return { bad: `that is more than ${MAX_DAYS} days ahead` };
    const ymd = addDays(ctx.today, days);
    const { h, mi, s, ms } = ctx.nowWall;
    const wall = resolveWall(ctx.zone, ymd, h, mi);
    const first = wall.instants[0];
    if (first === undefined) return { bad: "that time does not exist in your time zone" };
    base = first + s * 1000 + ms;
    if (wall.moved) {
      adjusted = `${timeLabel(h, mi)} does not exist on ${dateLabel(ymd)} (the clocks skip ahead); using ${timeLabel(wall.moved.h, wall.moved.mi)}`;
    }
  }
  const at = base + (d.hours * 60 + d.minutes) * MINUTE_MS;
  const label = labelFor(at, ctx);
  const reading = `${label} (in ${durationLabel(d)})`;
  return adjusted ? { at, label, reading, adjusted } : { at, label, reading };
}

/**
 * The instants at which the zone's clock shows this wall time: one normally, two when the clocks go back, none when
 * they skip it; then the first minute after the gap, with `moved` set to that wall time.
 */
function resolveWall(
  zone: IANAZone,
  ymd: Ymd,
  h: number,
  mi: number,
): { instants: number[]; moved?: { h: number; mi: number } } {
  const wall = wallMs(ymd, h, mi);
  const exact = instantsAt(zone, wall);
  if (exact.length > 0) return { instants: exact };
  for (let k = 1; k <= 24 * 60; k++) {
    const shifted = wall + k * MINUTE_MS;
    const found = instantsAt(zone, shifted);
    if (found.length > 0) {
      const w = new Date(shifted);
      return { instants: [found[0]!], moved: { h: w.getUTCHours(), mi: w.getUTCMinutes() } };
    }
  }
  return { instants: [] };
}

function instantsAt(zone: IANAZone, wall: number): number[] {
  const found = new Set<number>();
  for (const probe of [wall - DAY_MS, wall, wall + DAY_MS]) {
    const offset = zone.offset(probe);
    const instant = wall - offset * MINUTE_MS;
    if (zone.offset(instant) === offset) found.add(instant);
  }
  return [...found].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------------------------
// Calendar helpers and labels (fixed English, independent of the runtime's locale data)

function wallMs(ymd: Ymd, h: number, mi: number): number {
  const date = new Date(0);
  date.setUTCFullYear(ymd.y, ymd.m - 1, ymd.d);
  date.setUTCHours(h, mi, 0, 0);
  return date.getTime();
}

function addDays(ymd: Ymd, days: number): Ymd {
  const date = new Date(wallMs(ymd, 0, 0) + days * DAY_MS);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() };
}

/** 1 = Monday … 7 = Sunday, as in Luxon. */
function weekdayOf(ymd: Ymd): number {
  return ((new Date(wallMs(ymd, 0, 0)).getUTCDay() + 6) % 7) + 1;
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const daysInMonth = new Date(wallMs({ y, m: m + 1, d: 0 }, 0, 0)).getUTCDate();
  return d <= daysInMonth;
}

function timeLabel(h: number, mi: number): string {
  return `${((h + 11) % 12) + 1}:${String(mi).padStart(2, "0")} ${h < 12 ? "AM" : "PM"}`;
}

function dateLabel(ymd: Ymd): string {
  return `${WEEKDAY_NAMES[weekdayOf(ymd)]} ${MONTH_NAMES[ymd.m]} ${ymd.d}`;
}

function relativeDayLabel(today: Ymd, ymd: Ymd): string {
  const diff = Math.round((wallMs(ymd, 0, 0) - wallMs(today, 0, 0)) / DAY_MS);
  if (diff === 0) return "today";
  if (diff === 1) return "tomorrow";
  return ymd.y === today.y ? dateLabel(ymd) : `${dateLabel(ymd)}, ${ymd.y}`;
}

function labelFor(at: number, ctx: Context): string {
  const local = DateTime.fromMillis(at, { zone: ctx.zone });
  return `${relativeDayLabel(ctx.today, { y: local.year, m: local.month, d: local.day })} ${timeLabel(local.hour, local.minute)}`;
}

function durationLabel(d: Duration): string {
  const parts: string[] = [];
  const add = (n: number, one: string) => {
    if (n > 0) parts.push(`${n} ${one}${n === 1 ? "" : "s"}`);
  };
  add(d.weeks, "week");
  add(d.days, "day");
  add(d.hours, "hour");
  add(d.minutes, "minute");
  return parts.join(" ");
}
