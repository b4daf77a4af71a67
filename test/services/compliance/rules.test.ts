import { describe, expect, it } from "vitest";
import {
  CAP_RULES,
  CRTC_RULE,
  clockText,
  DEFAULT_RULE,
  FEDERAL_RULE,
  hourRules,
  minutesOf,
  STATE_RULES,
} from "../../../src/services/compliance/rules.js";

const window = (state: string, weekday: number) => {
  const day = STATE_RULES[state]?.week[weekday];
  return day === undefined ? "no row" : day && `${clockText(day.start)}–${clockText(day.end)}`;
};

describe("the rule table (compliance.md, reviewed 2026-11-26)", () => {
  it("has a source and the review date on every row", () => {
    for (const rule of [FEDERAL_RULE, CRTC_RULE, DEFAULT_RULE, ...Object.values(STATE_RULES)]) {
      expect(rule.source.length, rule.id).toBeGreaterThan(5);
      expect(rule.reviewed).toBe("2026-11-26");
      expect(rule.ref).toMatchObject({ id: rule.id, source: rule.source, reviewed: "2026-11-26" });
    }
    for (const cap of Object.values(CAP_RULES)) expect(cap.ref.reviewed).toBe("2026-11-26");
  });

  it.each([
    // [state, Monday, Saturday, Sunday]
    ["FL", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM"],
    ["OK", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM"],
    ["MD", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM"],
    ["WA", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM"],
    ["MA", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM"],
    ["CT", "9:00 AM–8:00 PM", "9:00 AM–8:00 PM", "9:00 AM–8:00 PM"],
    ["TX", "9:00 AM–9:00 PM", "9:00 AM–9:00 PM", "12:00 PM–9:00 PM"],
    ["RI", "9:00 AM–6:00 PM", "10:00 AM–5:00 PM", null],
    ["UT", "8:00 AM–9:00 PM", "8:00 AM–9:00 PM", null],
    ["MS", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM", null],
    ["LA", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM", null],
    ["AL", "8:00 AM–8:00 PM", "8:00 AM–8:00 PM", null],
    ["PA", "8:00 AM–9:00 PM", "8:00 AM–9:00 PM", "8:00 AM–9:00 PM"],
    ["KY", "10:00 AM–9:00 PM", "10:00 AM–9:00 PM", "10:00 AM–9:00 PM"],
    ["MI", "9:00 AM–9:00 PM", "9:00 AM–9:00 PM", "9:00 AM–9:00 PM"],
    ["MN", "9:00 AM–9:00 PM", "9:00 AM–9:00 PM", "9:00 AM–9:00 PM"],
    ["NM", "9:00 AM–9:00 PM", "9:00 AM–9:00 PM", "9:00 AM–9:00 PM"],
    ["NV", "9:00 AM–8:00 PM", "9:00 AM–8:00 PM", "9:00 AM–8:00 PM"],
  ])("%s: Monday %s, Saturday %s, Sunday %s", (state, monday, saturday, sunday) => {
    expect(window(state, 1)).toBe(monday);
    expect(window(state, 6)).toBe(saturday);
    expect(window(state, 0)).toBe(sunday);
  });

  it("bans holidays in RI, UT, PA, LA and AL only", () => {
    const banning = Object.values(STATE_RULES)
      .filter((rule) => rule.holidays)
      .map((rule) => rule.state)
      .sort();
    expect(banning).toEqual(["AL", "LA", "PA", "RI", "UT"]);
  });

  it("marks the rows from secondary tables", () => {
    const secondary = Object.values(STATE_RULES)
      .filter((rule) => rule.secondary)
      .map((rule) => rule.state)
      .sort();
    expect(secondary).toEqual(["AL", "KY", "LA", "MA", "MI", "MN", "NM", "NV"]);
    expect(STATE_RULES.KY?.ref.secondary).toBe(true);
    expect(STATE_RULES.FL?.ref.secondary).toBeUndefined();
  });

  it("has the federal and CRTC windows", () => {
    expect(FEDERAL_RULE.ref.window).toBe("8:00 AM until 9:00 PM");
    expect(CRTC_RULE.ref.window).toBe("Mon–Fri 9:00 AM until 9:30 PM; Sat–Sun 10:00 AM until 6:00 PM");
    expect(STATE_RULES.RI?.ref.window).toBe(
      "Mon–Fri 9:00 AM until 6:00 PM; Sat 10:00 AM until 5:00 PM; no calls Sun; no calls on Rhode Island and federal holidays",
    );
  });

  it("caps FL, OK and MD at 3 attempts per 24 hours", () => {
    expect(Object.keys(CAP_RULES).sort()).toEqual(["FL", "MD", "OK"]);
    for (const cap of Object.values(CAP_RULES)) expect([cap.maxAttempts, cap.periodMs]).toEqual([3, 86_400_000]);
  });

  it("picks the rules of the lead's countries and states", () => {
    expect(hourRules(["US"], ["NY"]).map((rule) => rule.id)).toEqual(["us-federal"]);
    expect(hourRules(["US"], ["FL", "TX"]).map((rule) => rule.id)).toEqual(["us-federal", "us-fl", "us-tx"]);
    expect(hourRules(["CA"], []).map((rule) => rule.id)).toEqual(["ca-crtc"]);
    expect(hourRules(["GB"], []).map((rule) => rule.id)).toEqual(["default"]);
  });

  it("reads HH:MM", () => {
    expect(minutesOf("08:00")).toBe(480);
    expect(minutesOf("21:30")).toBe(1290);
    expect(minutesOf("24:00")).toBe(1440);
    expect(minutesOf("8am")).toBeNaN();
    expect(minutesOf("25:00")).toBeNaN();
  });
});
