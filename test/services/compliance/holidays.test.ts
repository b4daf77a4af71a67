import { describe, expect, it } from "vitest";
import {
  ALABAMA_HOLIDAYS,
  easterSunday,
  FEDERAL_HOLIDAYS,
  holidaysOf,
  PENNSYLVANIA_HOLIDAYS,
  RHODE_ISLAND_HOLIDAYS,
  UTAH_HOLIDAYS,
} from "../../../src/services/compliance/holidays.js";

describe("US federal holidays", () => {
  it("lists 2026's, with Independence Day (a Saturday) also on Friday July 3", () => {
    expect([...holidaysOf(FEDERAL_HOLIDAYS, 2026)].sort()).toEqual([
      ["2026-01-01", "New Year's Day"],
      ["2026-01-19", "Martin Luther King Jr. Day"],
      ["2026-02-16", "Washington's Birthday"],
      ["2026-05-25", "Memorial Day"],
      ["2026-06-19", "Juneteenth"],
      ["2026-07-03", "Independence Day (observed)"],
      ["2026-07-04", "Independence Day"],
      ["2026-09-07", "Labor Day"],
      ["2026-10-12", "Columbus Day"],
      ["2026-11-11", "Veterans Day"],
      ["2026-11-26", "Thanksgiving Day"],
      ["2026-12-25", "Christmas Day"],
    ]);
  });

  it("observes 2027's Saturday Christmas and Juneteenth on the Fridays before", () => {
    const dates = holidaysOf(FEDERAL_HOLIDAYS, 2027);
    expect(dates.get("2027-12-24")).toBe("Christmas Day (observed)");
    expect(dates.get("2027-06-18")).toBe("Juneteenth (observed)");
    expect(dates.get("2027-11-25")).toBe("Thanksgiving Day");
  });

  it("observes a Saturday New Year's Day on December 31 of the year before", () => {
    expect(holidaysOf(FEDERAL_HOLIDAYS, 2021).get("2021-12-31")).toBe("New Year's Day (observed)");
    expect(holidaysOf(FEDERAL_HOLIDAYS, 2022).has("2021-12-31")).toBe(false);
  });
});

describe("state lists", () => {
  it("computes Easter", () => {
    expect(easterSunday(2026)).toEqual({ month: 4, day: 5 });
    expect(easterSunday(2027)).toEqual({ month: 3, day: 28 });
    expect(easterSunday(2000)).toEqual({ month: 4, day: 23 });
  });

  it("Pennsylvania: the 13 legal holidays, including Good Friday, Flag Day and Election Day", () => {
    const dates = holidaysOf(PENNSYLVANIA_HOLIDAYS, 2027);
    expect(dates.get("2027-03-26")).toBe("Good Friday");
    expect(dates.get("2027-06-14")).toBe("Flag Day");
    expect(dates.get("2027-11-02")).toBe("Election Day");
    expect(dates.has("2027-06-19")).toBe(false);
    expect(PENNSYLVANIA_HOLIDAYS.days).toHaveLength(13);
  });

  it("Rhode Island: federal days plus Victory Day, May 4 and even-year Election Day", () => {
    expect(holidaysOf(RHODE_ISLAND_HOLIDAYS, 2026).get("2026-08-10")).toBe("Victory Day");
    expect(holidaysOf(RHODE_ISLAND_HOLIDAYS, 2026).get("2026-05-04")).toBe("Rhode Island Independence Day");
    expect(holidaysOf(RHODE_ISLAND_HOLIDAYS, 2026).get("2026-11-03")).toBe("Election Day");
    expect(holidaysOf(RHODE_ISLAND_HOLIDAYS, 2027).has("2027-11-02")).toBe(false);
    expect(holidaysOf(RHODE_ISLAND_HOLIDAYS, 2026).get("2026-06-19")).toBe("Juneteenth");
  });

  it("Utah: Pioneer Day, Good Friday and Juneteenth on the Monday", () => {
    const dates = holidaysOf(UTAH_HOLIDAYS, 2026);
    expect(dates.get("2026-07-24")).toBe("Pioneer Day");
    expect(dates.get("2026-04-03")).toBe("Good Friday");
    // June 19, 2026 is a Friday: Utah keeps the Monday before; the federal day stays banned too.
    expect(dates.get("2026-06-15")).toBe("Juneteenth (Utah)");
    expect(dates.get("2026-06-19")).toBe("Juneteenth");
    // June 19, 2027 is a Saturday: Utah keeps the Monday after, federal law the Friday before.
    expect(holidaysOf(UTAH_HOLIDAYS, 2027).get("2027-06-21")).toBe("Juneteenth (Utah)");
    expect(holidaysOf(UTAH_HOLIDAYS, 2027).get("2027-06-18")).toBe("Juneteenth (observed)");
  });

  it("Alabama: Mardi Gras, Confederate Memorial Day and Jefferson Davis's birthday", () => {
    const dates = holidaysOf(ALABAMA_HOLIDAYS, 2026);
    expect(dates.get("2026-02-17")).toBe("Mardi Gras");
    expect(dates.get("2026-04-27")).toBe("Confederate Memorial Day");
    expect(dates.get("2026-06-01")).toBe("Jefferson Davis's Birthday");
  });

  it("gives every list a source", () => {
    for (const list of [
      FEDERAL_HOLIDAYS,
      PENNSYLVANIA_HOLIDAYS,
      RHODE_ISLAND_HOLIDAYS,
      UTAH_HOLIDAYS,
      ALABAMA_HOLIDAYS,
    ]) {
      expect(list.source).not.toBe("");
    }
  });
});
