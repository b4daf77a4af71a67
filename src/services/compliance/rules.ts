/**
 * The calling-law rule table, built from ../shared/reference/compliance.md (reviewed 2026-11-26).
 * Product rules, not legal advice: every row names its source and review date so an admin can see why
 * a call was blocked and a maintainer can re-check the row.
 */
import {
  ALABAMA_HOLIDAYS,
  FEDERAL_HOLIDAYS,
  type HolidayList,
  PENNSYLVANIA_HOLIDAYS,
  RHODE_ISLAND_HOLIDAYS,
  UTAH_HOLIDAYS,
} from "./holidays.js";

export const REVIEWED = "2026-11-26";

/** Minutes after local midnight; `end` is exclusive, so 21:00 is already outside an 08:00–21:00 window. */
export interface DayWindow {
  start: number;
  end: number;
}

/** Index 0 = Sunday … 6 = Saturday; null = no calls that day. */
export type Week = readonly (DayWindow | null)[];

/** How a rule is shown to people: on the compliance card and in the audit row. */
export interface RuleRef {
  id: string;
  label: string;
  source: string;
  reviewed: string;
  secondary?: boolean;
  /** The whole rule in words: "8:00 AM until 9:00 PM" or "Mon–Sat 9:00 AM until 9:00 PM; Sun 12:00 PM until 9:00 PM". */
  window: string;
}

export interface TimeRule {
  id: string;
  label: string;
  /** "US", "CA", or "*" for the default used in other countries. */
  country: string;
  state?: string;
  source: string;
  reviewed: string;
  /** From vendor compliance tables (updated 2025) rather than the statute itself. */
  secondary?: boolean;
  week: Week;
  /** No calls on these dates (local date of the lead). */
  holidays?: HolidayList;
  note?: string;
  ref: RuleRef;
}

export interface CapRule {
  id: string;
  /** Texts count with calls (Maryland); otherwise each channel counts its own. */
  countsCallsAndTexts?: boolean;
  label: string;
  state: string;
  maxAttempts: number;
  periodMs: number;
  source: string;
  reviewed: string;
  note?: string;
  ref: RuleRef;
}

/** "08:00" → 480; "24:00" → 1440; NaN for anything else. */
export function minutesOf(hhmm: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (match) return Number(match[1]) * 60 + Number(match[2]);
  return hhmm === "24:00" ? 1440 : Number.NaN;
}

/** 480 → "8:00 AM"; 720 → "12:00 PM"; 0 and 1440 → "12:00 AM". */
export function clockText(minutes: number): string {
  const hour = Math.floor(minutes / 60) % 24;
  const minute = minutes % 60;
  return `${hour % 12 === 0 ? 12 : hour % 12}:${String(minute).padStart(2, "0")} ${hour < 12 ? "AM" : "PM"}`;
}

export function windowText(window: DayWindow): string {
  return `${clockText(window.start)} until ${clockText(window.end)}`;
}

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONDAY_FIRST = [1, 2, 3, 4, 5, 6, 0];

/** Consecutive days with the same window, Monday first: "Mon–Fri 9:00 AM until 6:00 PM; Sat …; no calls Sun". */
export function weekText(week: Week, holidays?: HolidayList): string {
  const texts = MONDAY_FIRST.map((day) => {
    const window = week[day];
    return window ? windowText(window) : null;
  });
  const parts: string[] = [];
  const closed: string[] = [];
  if (texts.every((text) => text !== null && text === texts[0])) parts.push(texts[0] as string);
  else {
    let from = 0;
    for (let i = 1; i <= 7; i++) {
      if (i < 7 && texts[i] === texts[from]) continue;
      const days = MONDAY_FIRST.slice(from, i).map((day) => DAY_NAMES[day]);
      const span = days.length > 1 ? `${days[0]}–${days[days.length - 1]}` : (days[0] as string);
      if (texts[from] === null) closed.push(span);
      else parts.push(`${span} ${texts[from]}`);
      from = i;
    }
  }
  if (closed.length > 0) parts.push(`no calls ${closed.join(", ")}`);
  if (holidays) parts.push(`no calls on ${holidays.label}`);
  return parts.join("; ");
}

function window(start: string, end: string): DayWindow {
  return { start: minutesOf(start), end: minutesOf(end) };
}

/** The same window every day, with some days changed (null: no calls). */
function week(every: DayWindow | null, changes: Partial<Record<number, DayWindow | null>> = {}): Week {
  return Array.from({ length: 7 }, (_, day) => (day in changes ? (changes[day] ?? null) : every));
}

const SUNDAY = 0;
const SATURDAY = 6;

type RuleRow = Omit<TimeRule, "ref" | "reviewed">;

function rule(row: RuleRow): TimeRule {
  const ref: RuleRef = {
    id: row.id,
    label: row.label,
    source: row.source,
    reviewed: REVIEWED,
    window: weekText(row.week, row.holidays),
  };
  if (row.secondary) ref.secondary = true;
  return { ...row, reviewed: REVIEWED, ref };
}

function stateRule(state: string, label: string, fields: Omit<RuleRow, "id" | "label" | "country" | "state">) {
  return rule({ id: `us-${state.toLowerCase()}`, label, country: "US", state, ...fields });
}

export const FEDERAL_RULE = rule({
  id: "us-federal",
  label: "US federal law",
  country: "US",
  source: "47 CFR 64.1200(c)(1); 16 CFR 310.4(c)",
  week: week(window("08:00", "21:00")),
});

const EIGHT_TO_EIGHT = week(window("08:00", "20:00"));
const NINE_TO_NINE = week(window("09:00", "21:00"));

/** Stricter than federal, in the recipient's local time. Keyed by USPS state code. */
export const STATE_RULES: Readonly<Record<string, TimeRule>> = {
  FL: stateRule("FL", "Florida law", {
    source: "Fla. Stat. 501.616(6); area-code presumption",
    week: EIGHT_TO_EIGHT,
  }),
  OK: stateRule("OK", "Oklahoma law", { source: "15 O.S. 775C (2022); area-code presumption", week: EIGHT_TO_EIGHT }),
  MD: stateRule("MD", "Maryland law", { source: "Md. Com. Law 14-4501 ff. (2024)", week: EIGHT_TO_EIGHT }),
  CT: stateRule("CT", "Connecticut law", {
    source: "Conn. Gen. Stat. 42-288a (PA 23-98); area-code presumption",
    week: week(window("09:00", "20:00")),
  }),
  TX: stateRule("TX", "Texas law", {
    source: "Tex. Bus. & Com. Code 301.051",
    week: week(window("09:00", "21:00"), { [SUNDAY]: window("12:00", "21:00") }),
  }),
  RI: stateRule("RI", "Rhode Island law", {
    source: "R.I. Gen. Laws 5-61-2, 5-61-3.6",
    week: week(window("09:00", "18:00"), { [SATURDAY]: window("10:00", "17:00"), [SUNDAY]: null }),
    holidays: RHODE_ISLAND_HOLIDAYS,
  }),
  UT: stateRule("UT", "Utah law", {
    source: "Utah Code 13-25a-103(3)",
    week: week(window("08:00", "21:00"), { [SUNDAY]: null }),
    holidays: UTAH_HOLIDAYS,
  }),
  WA: stateRule("WA", "Washington law", { source: "RCW 19.158.040(2)", week: EIGHT_TO_EIGHT }),
  MS: stateRule("MS", "Mississippi law", {
    source: "Miss. Code 77-3-723",
    week: week(window("08:00", "20:00"), { [SUNDAY]: null }),
  }),
  PA: stateRule("PA", "Pennsylvania law", {
    source: "Telemarketer Registration Act, Act 73 of 2019",
    week: week(window("08:00", "21:00")),
    holidays: PENNSYLVANIA_HOLIDAYS,
  }),
  LA: stateRule("LA", "Louisiana law", {
    source: "La. R.S. 45:844.31 (window and days from secondary tables)",
    secondary: true,
    week: week(window("08:00", "20:00"), { [SUNDAY]: null }),
    // The tables say only "holidays"; La. R.S. 1:55 varies by parish, so the federal list is used.
    holidays: FEDERAL_HOLIDAYS,
    note: "No calls during a declared state of emergency either; Leadline cannot know of one, so an admin must pause calling.",
  }),
  AL: stateRule("AL", "Alabama law", {
    source: "secondary tables (Ala. Code 1-3-8 for holiday shifting)",
    secondary: true,
    week: week(window("08:00", "20:00"), { [SUNDAY]: null }),
    holidays: ALABAMA_HOLIDAYS,
  }),
  KY: stateRule("KY", "Kentucky law", {
    source: "secondary tables (KRS 367.46955)",
    secondary: true,
    week: week(window("10:00", "21:00")),
  }),
  MA: stateRule("MA", "Massachusetts law", { source: "secondary tables", secondary: true, week: EIGHT_TO_EIGHT }),
  MI: stateRule("MI", "Michigan law", { source: "secondary tables", secondary: true, week: NINE_TO_NINE }),
  MN: stateRule("MN", "Minnesota law", { source: "secondary tables", secondary: true, week: NINE_TO_NINE }),
  NM: stateRule("NM", "New Mexico law", { source: "secondary tables", secondary: true, week: NINE_TO_NINE }),
  NV: stateRule("NV", "Nevada law", {
    source: "secondary tables",
    secondary: true,
    week: week(window("09:00", "20:00")),
  }),
};

export const CRTC_RULE = rule({
  id: "ca-crtc",
  label: "Canada's CRTC rules",
  country: "CA",
  source:
    "CRTC Unsolicited Telecommunications Rules, Telemarketing Rules (crtc.gc.ca, Key Unsolicited Telecommunications Rules)",
  week: week(window("09:00", "21:30"), { [SATURDAY]: window("10:00", "18:00"), [SUNDAY]: window("10:00", "18:00") }),
  note: "Provincial rules may be stricter; none are in this table.",
});

/**
 * Countries without a table of their own (only reachable when an admin allows them) get the US federal
 * window as a courtesy: a call at night is unwelcome anywhere, and the team window still applies on top.
 */
export const DEFAULT_RULE = rule({
  id: "default",
  label: "Leadline's default calling hours",
  country: "*",
  source: "the US federal window, 47 CFR 64.1200(c)(1), used where Leadline has no table for the country",
  week: week(window("08:00", "21:00")),
});

function capRule(state: string, label: string, source: string, note?: string, countsCallsAndTexts = false): CapRule {
  const ref: RuleRef = {
    id: `cap-${state.toLowerCase()}`,
    label,
    source,
    reviewed: REVIEWED,
    window: "3 per 24 hours",
  };
  return {
    id: ref.id,
    label,
    state,
    maxAttempts: 3,
    periodMs: 24 * 3_600_000,
    source,
    reviewed: REVIEWED,
    ...(note ? { note } : {}),
    ...(countsCallsAndTexts ? { countsCallsAndTexts } : {}),
    ref,
  };
}

/** At most 3 call attempts to a lead per rolling 24 hours. */
export const CAP_RULES: Readonly<Record<string, CapRule>> = {
  FL: capRule(
    "FL",
    "Florida law",
    "Fla. Stat. 501.616(6); area-code presumption",
    "3 calls per 24 h on the same subject",
  ),
  OK: capRule("OK", "Oklahoma law", "15 O.S. 775C (2022); area-code presumption"),
  MD: capRule("MD", "Maryland law", "Md. Com. Law 14-4501 ff. (2024)", "3 calls or texts per 24 h", true),
};

export type Channel = "call" | "text";

/**
 * Texts' hours (reference "Release 3 additions", reviewed 2026-12-06): a marketing text is a call under
 * the TCPA, so the federal window applies; these states are stricter for texts. NJ and RI come from
 * secondary summaries and are marked so.
 */
export const TEXT_STATE_RULES: Readonly<Record<string, TimeRule>> = {
  FL: stateRule("FL", "Florida law (texts)", { source: "Fla. Stat. 501.059 (FTSA), 501.616(6)", week: EIGHT_TO_EIGHT }),
  OK: stateRule("OK", "Oklahoma law (texts)", { source: "15 O.S. 775C.3 (OTSA)", week: EIGHT_TO_EIGHT }),
  MD: stateRule("MD", "Maryland law (texts)", {
    source: "Md. Com. Law 14-4501 ff. (Stop the Spam Calls Act, 2024)",
    week: EIGHT_TO_EIGHT,
  }),
  CT: stateRule("CT", "Connecticut law (texts)", {
    source: "Conn. Gen. Stat. 42-288a (PA 23-98)",
    week: week(window("09:00", "20:00")),
  }),
  TX: stateRule("TX", "Texas law (texts)", {
    source: "Tex. Bus. & Com. Code 301.051 as amended by SB 140 (2025-09-01)",
    week: week(window("09:00", "21:00"), { [SUNDAY]: window("12:00", "21:00") }),
  }),
  NJ: stateRule("NJ", "New Jersey law (texts)", {
    source: "secondary summaries (N.J.S.A. 56:8-130)",
    secondary: true,
    week: EIGHT_TO_EIGHT,
  }),
  RI: stateRule("RI", "Rhode Island law (texts)", {
    source: "secondary summaries (R.I. Gen. Laws 5-61-3.6)",
    secondary: true,
    week: week(window("09:00", "18:00"), { [SATURDAY]: window("10:00", "17:00"), [SUNDAY]: null }),
  }),
};

/** The hour rules for a lead: the law of each country it may be in, then each candidate state's row. */
export function hourRules(
  countries: readonly string[],
  states: readonly string[],
  channel: Channel = "call",
): TimeRule[] {
  const table = channel === "text" ? TEXT_STATE_RULES : STATE_RULES;
  const rules: TimeRule[] = [];
  if (countries.includes("US")) rules.push(FEDERAL_RULE);
  if (countries.includes("CA")) rules.push(CRTC_RULE);
  if (rules.length === 0) rules.push(DEFAULT_RULE);
  for (const state of states) {
    const row = table[state];
    if (row) rules.push(row);
  }
  return rules;
}
