import { type Duration, validDate } from "./calendar.js";
/** The words of a schedule ("tomorrow 10am", "in 2h"): tokens, the forms they match, their parts. */

export const MAX_DAYS = 90;
export const MAX_NUMBER = 1_000_000;

export interface TimeSpec {
  /** 0–23 after reading am/pm; for an ambiguous hour, the hour as typed (1–11). */
  h: number;
  mi: number;
  /** 1–11 with no am/pm and no leading zero: read in business hours (or PM tonight). */
  ambiguous: boolean;
  /** Has am/pm, a colon, or is "noon": clearly a time even without "at". */
  strong: boolean;
  text: string;
}

export type DaySpec =
  | { type: "rel"; offset: 0 | 1; tonight: boolean }
  | { type: "weekday"; weekday: number; next: boolean }
  | { type: "date"; y: number | undefined; m: number; d: number }
  | { type: "inDays"; days: number };

export type Expr = { type: "clock"; day: DaySpec | null; time: TimeSpec } | { type: "duration"; duration: Duration };

export type Match = { kind: "expr"; start: number; expr: Expr } | { kind: "error"; start: number; why: string };

export type TimeMatch = { start: number; time: TimeSpec } | { start: number; bad: string; strong: boolean };

/** keyword: a day word that is clearly about time (not a bare weekday, which may be part of a name). */
export type DayMatch =
  | { start: number; day: DaySpec; keyword: boolean }
  | { start: number; bad: string; keyword: true };

// Maps, not object literals: "constructor" or "__proto__" typed by an agent must not look like a keyword.
export const WEEKDAYS = new Map<string, number>(
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

export const RELATIVE = new Map<string, DaySpec>([
  ["today", { type: "rel", offset: 0, tonight: false }],
  ["tonight", { type: "rel", offset: 0, tonight: true }],
  ["tomorrow", { type: "rel", offset: 1, tonight: false }],
  ["tmrw", { type: "rel", offset: 1, tonight: false }],
]);

export type Unit = "weeks" | "days" | "hours" | "minutes";
export const UNITS = new Map<string, Unit>(
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
export const UNIT_RANK: Record<Unit, number> = { weeks: 3, days: 2, hours: 1, minutes: 0 };

export const LOOSE_TIME = /^(\d{1,4})(?::(\d{1,3}))?(am|pm)?$/;
export const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
export const US_DATE = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{2}|\d{4}))?$/;
export const LOOSE_US_DATE = /^\d+\/\d+(?:\/\d+)?$/;
export const ISO_DATE_TIME = /^(\d{4}-\d{1,2}-\d{1,2})t(\d{1,2}:\d{2})$/;
// ---------------------------------------------------------------------------------------------------------------
// Tokens and matching (from the end of the text)

export interface Token {
  norm: string;
  start: number;
}

export function tokenize(text: string): Token[] {
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

export function findExpression(words: string[]): Match | null {
  const n = words.length;
  return (
    matchIsoDateTime(words, n) ??
    matchEndingInDay(words, n) ??
    matchDuration(words, n) ??
    matchEndingInTime(words, n) ??
    matchSuspiciousTail(words, n)
  );
}

export function expr(start: number, e: Expr): Match {
  return { kind: "expr", start, expr: e };
}

export function failAt(start: number, why: string): Match {
  return { kind: "error", start, why };
}

/** "2026-12-01T14:00", optionally after "on" or "at". */
export function matchIsoDateTime(words: string[], n: number): Match | null {
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
export function matchEndingInDay(words: string[], n: number): Match | null {
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
export function matchEndingInTime(words: string[], n: number): Match | null {
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
export function matchDuration(words: string[], n: number): Match | null {
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
export function matchSuspiciousTail(words: string[], n: number): Match | null {
  for (let i = Math.max(0, n - 3); i < n; i++) {
    const w = words[i]!;
    if (RELATIVE.has(w) || w === "yesterday" || (w === "at" && /^\d/.test(words[i + 1] ?? ""))) {
      return failAt(i, "that is not a time I can read");
    }
  }
  return null;
}

export function matchTime(words: string[], end: number): TimeMatch | null {
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

export function parseTimeWord(word: string): TimeSpec | { bad: string; strong: boolean } {
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

export function matchDay(words: string[], end: number): DayMatch | null {
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

export function parseDateWord(word: string): { day: DaySpec } | { bad: string } | null {
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
export function parseDuration(words: string[]): Duration | { bad: string } | null {
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
