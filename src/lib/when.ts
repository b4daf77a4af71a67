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
import { IANAZone } from "luxon";
import { findExpression, MAX_DAYS, tokenize } from "./when/grammar.js";
import { context, labelFor, resolveClock, resolveDuration } from "./when/resolve.js";

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
