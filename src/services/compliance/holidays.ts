/**
 * Holiday calendars for calling law: which local dates a state's "no calls on holidays" rule covers.
 * Dates are calendar dates ("2026-12-25"), compared with the lead's local date in each zone.
 */

/** A holiday in a given year, as a month (1–12) and day, or undefined when it does not fall that year. */
type DateOf = (year: number) => { month: number; day: number } | undefined;

export interface HolidayDef {
  name: string;
  date: DateOf;
  /**
   * A fixed-date holiday on a weekend is also kept on the nearest weekday (Saturday → Friday,
   * Sunday → Monday), as 5 U.S.C. 6103(b) and most state codes do; both days are banned, which is
   * the conservative reading where a state's own shifting rule differs.
   */
  observed?: boolean;
}

export interface HolidayList {
  id: string;
  label: string;
  source: string;
  /** Why the list is what it is, where the source leaves room. */
  note?: string;
  days: readonly HolidayDef[];
}

const DAY_MS = 86_400_000;

/** 0 = Sunday … 6 = Saturday, for a calendar date. */
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

export function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function shiftDays(year: number, month: number, day: number, days: number) {
  const d = new Date(Date.UTC(year, month - 1, day) + days * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function fixedDate(month: number, day: number): DateOf {
  return () => ({ month, day });
}

/** The nth (1-based) given weekday of a month: nthWeekday(3, 1, 1) is the third Monday of January. */
export function nthWeekday(n: number, weekday: number, month: number): DateOf {
  return (year) => {
    const first = weekdayOf(year, month, 1);
    return { month, day: 1 + ((weekday - first + 7) % 7) + (n - 1) * 7 };
  };
}

export function lastWeekday(weekday: number, month: number): DateOf {
  return (year) => {
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const last = weekdayOf(year, month, lastDay);
    return { month, day: lastDay - ((last - weekday + 7) % 7) };
  };
}

/** Gregorian Easter Sunday (the anonymous "Meeus/Jones/Butcher" algorithm). */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

/** A day relative to Easter Sunday: -2 is Good Friday, -47 is Mardi Gras. */
export function fromEaster(days: number): DateOf {
  return (year) => {
    const easter = easterSunday(year);
    const d = shiftDays(year, easter.month, easter.day, days);
    return { month: d.month, day: d.day };
  };
}

/** The Tuesday after the first Monday of November, in the years `when` accepts. */
export function electionDay(when: (year: number) => boolean = () => true): DateOf {
  return (year) => {
    if (!when(year)) return undefined;
    const monday = nthWeekday(1, 1, 11)(year);
    return monday ? { month: 11, day: monday.day + 1 } : undefined;
  };
}

function datesOf(list: HolidayList, year: number): Map<string, string> {
  const dates = new Map<string, string>();
  const add = (y: number, m: number, d: number, name: string) => {
    if (y === year && !dates.has(isoDate(y, m, d))) dates.set(isoDate(y, m, d), name);
  };
  // The neighbouring years matter: New Year's Day on a Saturday is observed on December 31.
  for (const y of [year - 1, year, year + 1]) {
    for (const holiday of list.days) {
      const date = holiday.date(y);
      if (!date) continue;
      add(y, date.month, date.day, holiday.name);
      if (!holiday.observed) continue;
      const weekday = weekdayOf(y, date.month, date.day);
      const shift = weekday === 6 ? -1 : weekday === 0 ? 1 : 0;
      if (shift === 0) continue;
      const observed = shiftDays(y, date.month, date.day, shift);
      add(observed.year, observed.month, observed.day, `${holiday.name} (observed)`);
    }
  }
  return dates;
}

const calendars = new Map<string, Map<string, string>>();

/** Every banned date of a list in a year, "YYYY-MM-DD" → holiday name; computed once per list and year. */
export function holidaysOf(list: HolidayList, year: number): ReadonlyMap<string, string> {
  const key = `${list.id}:${year}`;
  let dates = calendars.get(key);
  if (!dates) {
    dates = datesOf(list, year);
    calendars.set(key, dates);
  }
  return dates;
}

/** The holiday's name when the calendar date is on the list, else undefined. */
export function holidayOn(list: HolidayList, year: number, month: number, day: number): string | undefined {
  return holidaysOf(list, year).get(isoDate(year, month, day));
}

const MON = 1;
const THU = 4;

const FEDERAL_DAYS: readonly HolidayDef[] = [
  { name: "New Year's Day", date: fixedDate(1, 1), observed: true },
  { name: "Martin Luther King Jr. Day", date: nthWeekday(3, MON, 1) },
  { name: "Washington's Birthday", date: nthWeekday(3, MON, 2) },
  { name: "Memorial Day", date: lastWeekday(MON, 5) },
  { name: "Juneteenth", date: fixedDate(6, 19), observed: true },
  { name: "Independence Day", date: fixedDate(7, 4), observed: true },
  { name: "Labor Day", date: nthWeekday(1, MON, 9) },
  { name: "Columbus Day", date: nthWeekday(2, MON, 10) },
  { name: "Veterans Day", date: fixedDate(11, 11), observed: true },
  { name: "Thanksgiving Day", date: nthWeekday(4, THU, 11) },
  { name: "Christmas Day", date: fixedDate(12, 25), observed: true },
];

export const FEDERAL_HOLIDAYS: HolidayList = {
  id: "us-federal",
  label: "US federal holidays",
  source: "5 U.S.C. 6103(a); weekend days observed per 5 U.S.C. 6103(b) and Executive Order 11582",
  days: FEDERAL_DAYS,
};

/** The 13 legal holidays the Pennsylvania Attorney General lists for the Telemarketer Registration Act. */
export const PENNSYLVANIA_HOLIDAYS: HolidayList = {
  id: "us-pa",
  label: "Pennsylvania legal holidays",
  source: "44 P.S. 11 (legal holidays), as listed by the PA Attorney General for Act 73 of 2019",
  days: [
    { name: "New Year's Day", date: fixedDate(1, 1), observed: true },
    { name: "Martin Luther King Jr. Day", date: nthWeekday(3, MON, 1) },
    { name: "Presidents' Day", date: nthWeekday(3, MON, 2) },
    { name: "Good Friday", date: fromEaster(-2) },
    { name: "Memorial Day", date: lastWeekday(MON, 5) },
    { name: "Flag Day", date: fixedDate(6, 14), observed: true },
    { name: "Independence Day", date: fixedDate(7, 4), observed: true },
    { name: "Labor Day", date: nthWeekday(1, MON, 9) },
    { name: "Columbus Day", date: nthWeekday(2, MON, 10) },
    { name: "Election Day", date: electionDay() },
    { name: "Veterans Day", date: fixedDate(11, 11), observed: true },
    { name: "Thanksgiving Day", date: nthWeekday(4, THU, 11) },
    { name: "Christmas Day", date: fixedDate(12, 25), observed: true },
  ],
};

/** RI bans "state and federal holidays": the federal list plus the days only R.I. Gen. Laws 25-1-1 adds. */
export const RHODE_ISLAND_HOLIDAYS: HolidayList = {
  id: "us-ri",
  label: "Rhode Island and federal holidays",
  source: "5 U.S.C. 6103(a) and R.I. Gen. Laws 25-1-1",
  days: [
    ...FEDERAL_DAYS,
    { name: "Rhode Island Independence Day", date: fixedDate(5, 4), observed: true },
    { name: "Victory Day", date: nthWeekday(2, MON, 8) },
    // 25-1-1: "in each year in which a general election of state officers is held" (even years).
    { name: "Election Day", date: electionDay((year) => year % 2 === 0) },
  ],
};

/**
 * Utah's legal holidays (Utah Code 63G-1-301, the version in force from 2026-05-06) are the federal days
 * plus Pioneer Day, Good Friday and Juneteenth moved to a Monday; federal Juneteenth is kept as well.
 */
export const UTAH_HOLIDAYS: HolidayList = {
  id: "us-ut",
  label: "Utah legal holidays",
  source: "Utah Code 63G-1-301",
  note: "Good Friday is listed subject to a condition in 63G-1-301(6); it is banned unconditionally here.",
  days: [
    ...FEDERAL_DAYS,
    { name: "Pioneer Day", date: fixedDate(7, 24), observed: true },
    { name: "Good Friday", date: fromEaster(-2) },
    { name: "Juneteenth (Utah)", date: utahJuneteenth },
  ],
};

/** 63G-1-301(2)(c)-(d): June 19 on Tuesday–Friday is kept on the Monday before; on a weekend, the Monday after. */
function utahJuneteenth(year: number) {
  const weekday = weekdayOf(year, 6, 19);
  const shift = weekday === 0 ? 1 : weekday === 6 ? 2 : weekday === MON ? 0 : MON - weekday;
  return shiftDays(year, 6, 19, shift);
}

/** Alabama's state holidays (Ala. Code 1-3-8) added to the federal list. */
export const ALABAMA_HOLIDAYS: HolidayList = {
  id: "us-al",
  label: "Alabama state and federal holidays",
  source: "5 U.S.C. 6103(a) and Ala. Code 1-3-8",
  note: "Mardi Gras is a holiday only in Baldwin and Mobile counties; a lead's county is unknown, so it applies statewide.",
  days: [
    ...FEDERAL_DAYS,
    { name: "Mardi Gras", date: fromEaster(-47) },
    { name: "Confederate Memorial Day", date: nthWeekday(4, MON, 4) },
    { name: "Jefferson Davis's Birthday", date: nthWeekday(1, MON, 6) },
  ],
};
