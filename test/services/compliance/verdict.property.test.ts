import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { holidayOn } from "../../../src/services/compliance/holidays.js";
import { CAP_RULES, hourRules, minutesOf } from "../../../src/services/compliance/rules.js";
import { callingVerdict, type TeamWindow, type VerdictInput } from "../../../src/services/compliance/verdict.js";
import { candidateZones } from "../../../src/services/compliance/zones.js";

/** Prefixes from the time-zone map: one-zone, two-zone and exchange-level entries, strict states, CA, unknown. */
const PREFIXES = [
  "+1212555", // New York
  "+1312555", // Chicago
  "+1808555", // Honolulu
  "+1907555", // Adak & Anchorage
  "+1907222", // Juneau
  "+1850230", // Florida, Central exchange
  "+1850222", // Florida, Eastern
  "+1208320", // Idaho, Boise & Los Angeles
  "+1208523", // Idaho, Denver
  "+1305555", // Florida
  "+1405555", // Oklahoma
  "+1214555", // Texas
  "+1801555", // Utah
  "+1401555", // Rhode Island
  "+1215555", // Pennsylvania
  "+1203555", // Connecticut
  "+1601555", // Mississippi
  "+1205555", // Alabama
  "+1504555", // Louisiana
  "+1602555", // Arizona
  "+1701555", // North Dakota
  "+1416555", // Toronto
  "+1709555", // Newfoundland
  "+1787555", // Puerto Rico
  "+1729555", // not in the map: unknown
  "+4420712", // London
];

const STATES = ["FL", "TX", "UT", "CT", "RI", "PA", "AZ", "IN", "TN", "MD", "OK", "NY", "ON", "Alaska", "XX"];
const ZIPS = ["33101", "97914", "84101", "10001", "79901", "32401", "M5V 3L9", "00000"];

const START_2026 = Date.UTC(2026, 0, 1);
const END_2027 = Date.UTC(2028, 0, 1);
/** Midnight UTC of the US DST days of 2026 and 2027, to sample around the transitions. */
const DST_DAYS = ["2026-03-08", "2026-11-01", "2027-03-14", "2027-11-07"].map((day) => Date.parse(`${day}T00:00:00Z`));

const instant = fc.oneof(
  fc.integer({ min: START_2026, max: END_2027 }),
  fc
    .tuple(fc.constantFrom(...DST_DAYS), fc.integer({ min: 0, max: 36 * 60 }))
    .map(([day, minutes]) => day + minutes * 60_000),
);

const clock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

const quarterHours = (min: number, max: number) => fc.integer({ min: min * 4, max: max * 4 }).map((q) => clock(q * 15));
const teamDays = fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }), {
  nil: undefined,
});

/** Mostly office-like windows; sometimes any quarter-hour window at all, which may never meet the law. */
const anyWindow = fc
  .tuple(fc.integer({ min: 0, max: 95 }), fc.integer({ min: 1, max: 96 }), teamDays)
  .filter(([start, length]) => start + length <= 96)
  .map(
    ([start, length, days]): TeamWindow => ({
      start: clock(start * 15),
      end: clock((start + length) * 15),
      ...(days ? { days } : {}),
    }),
  );
const officeWindow = fc
  .tuple(quarterHours(6, 12), quarterHours(13, 22), teamDays)
  .map(([start, end, days]): TeamWindow => ({ start, end, ...(days ? { days } : {}) }));

const teamWindow: fc.Arbitrary<TeamWindow | undefined> = fc.option(
  fc.oneof({ weight: 4, arbitrary: officeWindow }, { weight: 1, arbitrary: anyWindow }),
  { nil: undefined },
);

const input: fc.Arbitrary<VerdictInput> = fc
  .record({
    prefix: fc.constantFrom(...PREFIXES),
    suffix: fc.integer({ min: 0, max: 9999 }),
    state: fc.option(fc.constantFrom(...STATES), { nil: undefined }),
    zip: fc.option(fc.constantFrom(...ZIPS), { nil: undefined }),
    now: instant,
    teamWindow,
    attemptAges: fc.array(fc.integer({ min: 0, max: 30 * 60 }), { maxLength: 5 }),
  })
  .map(({ prefix, suffix, state, zip, now, teamWindow, attemptAges }) => ({
    phone: `${prefix}${String(suffix).padStart(4, "0")}`,
    ...(state || zip ? { address: { state: state ?? null, zip: zip ?? null } } : {}),
    now: new Date(now),
    mode: "live" as const,
    ...(teamWindow ? { teamWindow } : {}),
    attempts: attemptAges.map((minutes) => new Date(now - minutes * 60_000)),
    onDoNotCallList: false,
  }));

/** An independent reading of the rules at one instant: Luxon's wall time against each window. */
function violations(
  subject: VerdictInput,
  zones: readonly string[],
  where = candidateZones(subject.phone, subject.address ?? undefined),
): string[] {
  const found: string[] = [];
  for (const zone of zones) {
    const local = DateTime.fromJSDate(subject.now, { zone });
    const minute = local.hour * 60 + local.minute;
    const weekday = local.weekday % 7;
    for (const rule of hourRules(where.countries, where.states)) {
      const window = rule.week[weekday];
      if (!window) found.push(`${rule.id}: no calls on weekday ${weekday} in ${zone}`);
      else if (minute < window.start || minute >= window.end) found.push(`${rule.id}: ${local.toISO()} outside`);
      if (rule.holidays && holidayOn(rule.holidays, local.year, local.month, local.day)) {
        found.push(`${rule.id}: holiday ${local.toISODate()} in ${zone}`);
      }
    }
    const team = subject.teamWindow;
    if (team) {
      if (team.days && !team.days.includes(weekday)) found.push(`team: weekday ${weekday} in ${zone}`);
      if (minute < minutesOf(team.start) || minute >= minutesOf(team.end)) found.push(`team: ${local.toISO()} outside`);
    }
  }
  for (const state of where.states) {
    const cap = CAP_RULES[state];
    const recent = subject.attempts.filter((at) => at.getTime() > subject.now.getTime() - 86_400_000);
    if (cap && recent.length >= cap.maxAttempts) found.push(`cap ${state}: ${recent.length} attempts`);
  }
  return found;
}

const QUARTER_HOUR = 15 * 60_000;
const HORIZON_MS = 16 * 86_400_000;

/**
 * No instant within the horizon passes the oracle. Every window starts and ends on a quarter hour in
 * every zone, so checking quarter hours, now and the end of each cap is exhaustive.
 */
function neverAllowed(subject: VerdictInput, zones: readonly string[]): boolean {
  const now = subject.now.getTime();
  const newestFirst = subject.attempts.map((at) => at.getTime()).sort((a, b) => b - a);
  const capEnd = newestFirst[2] === undefined ? [] : [newestFirst[2] + 86_400_000];
  const where = candidateZones(subject.phone, subject.address ?? undefined);
  const instants = [now, ...capEnd];
  for (let at = Math.ceil(now / QUARTER_HOUR) * QUARTER_HOUR; at <= now + HORIZON_MS; at += QUARTER_HOUR)
    instants.push(at);
  return instants.every((at) => violations({ ...subject, now: new Date(at) }, zones, where).length > 0);
}

describe("callingVerdict properties", () => {
  it("an allowed verdict means every candidate zone's local time is inside every applicable window", () => {
    fc.assert(
      fc.property(input, (subject) => {
        const verdict = callingVerdict(subject);
        if (!verdict.allowed) return;
        const where = candidateZones(subject.phone, subject.address ?? undefined);
        expect(where.unknown).toBe(false);
        expect(verdict.zones.length).toBeGreaterThan(0);
        if (where.numberZones.length <= 4)
          expect(verdict.zones).toEqual(expect.arrayContaining([...where.numberZones]));
        expect(violations(subject, verdict.zones)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it("a blocked verdict at a time that breaks a rule in some zone is what the oracle sees too", () => {
    fc.assert(
      fc.property(input, (subject) => {
        const verdict = callingVerdict(subject);
        const where = candidateZones(subject.phone, subject.address ?? undefined);
        if (where.unknown) return;
        expect(verdict.allowed).toBe(violations(subject, where.zones).length === 0);
      }),
      { numRuns: 500 },
    );
  });

  it("nextAllowedAt is itself allowed, a minute (or a millisecond) before it is not, and it is given when one exists", () => {
    fc.assert(
      fc.property(input, (subject) => {
        const verdict = callingVerdict(subject);
        if (verdict.allowed) return;
        const onlyTime = verdict.reasons.every((reason) =>
          ["hours", "day", "team_window", "cap"].includes(reason.kind),
        );
        if (!onlyTime) {
          expect(verdict.nextAllowedAt).toBeUndefined();
          return;
        }
        const next = verdict.nextAllowedAt;
        if (!next) {
          expect(neverAllowed(subject, verdict.zones)).toBe(true);
          return;
        }
        expect(next.getTime()).toBeGreaterThan(subject.now.getTime());
        expect(callingVerdict({ ...subject, now: next }).allowed).toBe(true);
        expect(callingVerdict({ ...subject, now: new Date(next.getTime() - 1) }).allowed).toBe(false);
        const minuteBefore = next.getTime() - 60_000;
        if (minuteBefore >= subject.now.getTime()) {
          expect(callingVerdict({ ...subject, now: new Date(minuteBefore) }).allowed).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
    // 500 verdicts with their next openings searched: seconds alone, longer on a busy 2-core machine.
  }, 120_000);

  it("never reads the clock: the same input gives the same verdict", () => {
    fc.assert(
      fc.property(input, (subject) => {
        expect(callingVerdict(subject)).toEqual(callingVerdict(subject));
      }),
      { numRuns: 100 },
    );
  });
});
