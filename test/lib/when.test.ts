import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { parseScheduleText, SCHEDULE_HELP, type ScheduleParse } from "../../src/lib/when.js";

const NY = "America/New_York";
const CHI = "America/Chicago";
const LA = "America/Los_Angeles";
const HNL = "Pacific/Honolulu";
const LON = "Europe/London";
const ZONES = [NY, CHI, LA, HNL, LON];

function scheduled(result: ScheduleParse) {
  if (result.kind !== "schedule") throw new Error(`expected a schedule, got ${JSON.stringify(result)}`);
  return result.value;
}

describe("parseScheduleText: resolving times", () => {
  // [text, now (UTC), zone, expected instant (UTC), reading]
  it.each([
    // Chicago, Fri 2026-03-06 09:00 CST (UTC-6)
    ["Jane at 3pm", "2026-03-06T15:00:00Z", CHI, "2026-03-06T21:00:00Z", "today 3:00 PM"],
    ["Jane at 3:30 pm", "2026-03-06T15:00:00Z", CHI, "2026-03-06T21:30:00Z", "today 3:30 PM"],
    ["Jane AT 3:30 P.M.", "2026-03-06T15:00:00Z", CHI, "2026-03-06T21:30:00Z", "today 3:30 PM"],
    ["Jane at 15:00", "2026-03-06T15:00:00Z", CHI, "2026-03-06T21:00:00Z", "today 3:00 PM"],
    ["Jane at 12am", "2026-03-06T15:00:00Z", CHI, "2026-03-07T06:00:00Z", "tomorrow 12:00 AM"],
    ["Jane at 12pm", "2026-03-06T15:00:00Z", CHI, "2026-03-06T18:00:00Z", "today 12:00 PM"],
    ["Jane at noon", "2026-03-06T15:00:00Z", CHI, "2026-03-06T18:00:00Z", "today 12:00 PM"],
    ["Jane at 0:15", "2026-03-06T15:00:00Z", CHI, "2026-03-07T06:15:00Z", "tomorrow 12:15 AM"],
    ["Jane at 07:00", "2026-03-06T15:00:00Z", CHI, "2026-03-07T13:00:00Z", "tomorrow 7:00 AM"],
    ["Jane at 3pm.", "2026-03-06T15:00:00Z", CHI, "2026-03-06T21:00:00Z", "today 3:00 PM"],
    // bare hours: business-hours reading, next occurrence
    ["Jane at 9", "2026-03-06T15:00:00Z", CHI, "2026-03-07T15:00:00Z", /^tomorrow 9:00 AM \("9" read as AM/],
    ["Jane at 10", "2026-03-06T15:00:00Z", CHI, "2026-03-06T16:00:00Z", /^today 10:00 AM \("10" read as AM/],
    ["Jane at 3", "2026-03-06T15:00:00Z", CHI, "2026-03-06T21:00:00Z", /^today 3:00 PM \("3" read as PM; say 3am/],
    ["Jane at 7:30", "2026-03-06T15:00:00Z", CHI, "2026-03-07T01:30:00Z", /^today 7:30 PM/],
    ["Jane at 12", "2026-03-06T15:00:00Z", CHI, "2026-03-06T18:00:00Z", "today 12:00 PM"],
    ["Jane at 3", "2026-03-06T22:30:00Z", CHI, "2026-03-07T21:00:00Z", /^tomorrow 3:00 PM/],
    ["Jane today 4pm", "2026-03-06T15:00:00Z", CHI, "2026-03-06T22:00:00Z", "today 4:00 PM"],
    ["Jane tonight 7pm", "2026-03-06T15:00:00Z", CHI, "2026-03-07T01:00:00Z", "today 7:00 PM"],
    ["Jane tonight 9", "2026-03-06T15:00:00Z", CHI, "2026-03-07T03:00:00Z", "today 9:00 PM"],
    ["Jane tonight at 8:15", "2026-03-06T15:00:00Z", CHI, "2026-03-07T02:15:00Z", "today 8:15 PM"],
    ["Jane tomorrow 10am", "2026-03-06T15:00:00Z", CHI, "2026-03-07T16:00:00Z", "tomorrow 10:00 AM"],
    ["Jane tomorrow at 10am", "2026-03-06T15:00:00Z", CHI, "2026-03-07T16:00:00Z", "tomorrow 10:00 AM"],
    ["Jane tmrw 10", "2026-03-06T15:00:00Z", CHI, "2026-03-07T16:00:00Z", /^tomorrow 10:00 AM/],
    ["Jane at 3pm tomorrow", "2026-03-06T15:00:00Z", CHI, "2026-03-07T21:00:00Z", "tomorrow 3:00 PM"],
    ["Jane 3pm tomorrow", "2026-03-06T15:00:00Z", CHI, "2026-03-07T21:00:00Z", "tomorrow 3:00 PM"],
    ["Jane in 2h", "2026-03-06T15:00:00Z", CHI, "2026-03-06T17:00:00Z", "today 11:00 AM (in 2 hours)"],
    ["Jane in 90 min", "2026-03-06T15:00:00Z", CHI, "2026-03-06T16:30:00Z", "today 10:30 AM (in 90 minutes)"],
    ["Jane in 2 hours", "2026-03-06T15:00:00Z", CHI, "2026-03-06T17:00:00Z", "today 11:00 AM (in 2 hours)"],
    ["Jane in 1h30m", "2026-03-06T15:00:00Z", CHI, "2026-03-06T16:30:00Z", "today 10:30 AM (in 1 hour 30 minutes)"],
    ["Jane in 1h 30m", "2026-03-06T15:00:00Z", CHI, "2026-03-06T16:30:00Z", "today 10:30 AM (in 1 hour 30 minutes)"],
    ["Jane in 1 hour and 30 minutes", "2026-03-06T15:00:00Z", CHI, "2026-03-06T16:30:00Z", /in 1 hour 30 minutes/],
    ["Jane in 1h30", "2026-03-06T15:00:00Z", CHI, "2026-03-06T16:30:00Z", /in 1 hour 30 minutes/],
    ["Jane in an hour", "2026-03-06T15:00:00Z", CHI, "2026-03-06T16:00:00Z", "today 10:00 AM (in 1 hour)"],
    ["Jane in 45m", "2026-03-06T15:00:03Z", CHI, "2026-03-06T15:45:03Z", "today 9:45 AM (in 45 minutes)"],
    ["Jane in 3 days", "2026-03-06T15:00:00Z", CHI, "2026-03-09T14:00:00Z", "Mon Mar 9 9:00 AM (in 3 days)"],
    ["Jane in 2 weeks", "2026-03-06T15:00:00Z", CHI, "2026-03-20T14:00:00Z", "Fri Mar 20 9:00 AM (in 2 weeks)"],
    ["Jane in 90 days", "2026-03-06T15:00:00Z", CHI, "2026-06-04T14:00:00Z", "Thu Jun 4 9:00 AM (in 90 days)"],
    ["Jane in 2 days at 3pm", "2026-03-06T15:00:00Z", CHI, "2026-03-08T20:00:00Z", "Sun Mar 8 3:00 PM"],
    ["Jane at 3pm in 2 days", "2026-03-06T15:00:00Z", CHI, "2026-03-08T20:00:00Z", "Sun Mar 8 3:00 PM"],
    // weekdays (Fri Mar 6, 09:00 CST)
    ["Jane mon 9:30", "2026-03-06T15:00:00Z", CHI, "2026-03-09T14:30:00Z", /^Mon Mar 9 9:30 AM/],
    ["Jane monday 9:30am", "2026-03-06T15:00:00Z", CHI, "2026-03-09T14:30:00Z", "Mon Mar 9 9:30 AM"],
    ["Jane on friday at 2pm", "2026-03-06T15:00:00Z", CHI, "2026-03-06T20:00:00Z", "today 2:00 PM"],
    ["Jane fri 8am", "2026-03-06T15:00:00Z", CHI, "2026-03-13T13:00:00Z", "Fri Mar 13 8:00 AM"],
    ["Jane next fri 2pm", "2026-03-06T15:00:00Z", CHI, "2026-03-13T19:00:00Z", "Fri Mar 13 2:00 PM"],
    ["Jane this fri 2pm", "2026-03-06T15:00:00Z", CHI, "2026-03-06T20:00:00Z", "today 2:00 PM"],
    ["Jane next tue 11am", "2026-03-06T15:00:00Z", CHI, "2026-03-10T16:00:00Z", "Tue Mar 10 11:00 AM"],
    ["Jane Sat at 10am", "2026-03-06T15:00:00Z", CHI, "2026-03-07T16:00:00Z", "tomorrow 10:00 AM"],
    ["Jane THURS 4 pm", "2026-03-06T15:00:00Z", CHI, "2026-03-12T21:00:00Z", "Thu Mar 12 4:00 PM"],
    ["Jane at 10am on wed", "2026-03-06T15:00:00Z", CHI, "2026-03-11T15:00:00Z", "Wed Mar 11 10:00 AM"],
    // Los Angeles, Mon 2026-06-15 09:00 PDT (UTC-7): "mon" today before 9:30, next week after
    ["Jane mon 9:30", "2026-06-15T16:00:00Z", LA, "2026-06-15T16:30:00Z", /^today 9:30 AM/],
    ["Jane mon 9:30", "2026-06-15T16:45:00Z", LA, "2026-06-22T16:30:00Z", /^Mon Jun 22 9:30 AM/],
    ["Jane next mon 9:30am", "2026-06-15T16:00:00Z", LA, "2026-06-22T16:30:00Z", "Mon Jun 22 9:30 AM"],
    ["Jane next tue 9:30am", "2026-06-15T16:00:00Z", LA, "2026-06-16T16:30:00Z", "tomorrow 9:30 AM"],
    ["Jane friday 2pm", "2026-06-15T16:00:00Z", LA, "2026-06-19T21:00:00Z", "Fri Jun 19 2:00 PM"],
    // Honolulu (UTC-10 all year), Wed 2026-07-01 10:00 HST
    ["Jane at 3pm", "2026-07-01T20:00:00Z", HNL, "2026-07-02T01:00:00Z", "today 3:00 PM"],
    ["Jane tomorrow 8:00am", "2026-07-01T20:00:00Z", HNL, "2026-07-02T18:00:00Z", "tomorrow 8:00 AM"],
    ["Jane in 30m", "2026-07-01T20:00:00Z", HNL, "2026-07-01T20:30:00Z", "today 10:30 AM (in 30 minutes)"],
    // dates
    ["Jane 2026-12-01 14:00", "2026-10-20T14:00:00Z", NY, "2026-12-01T19:00:00Z", "Tue Dec 1 2:00 PM"],
    ["Jane on 2026-12-01 at 2pm", "2026-10-20T14:00:00Z", NY, "2026-12-01T19:00:00Z", "Tue Dec 1 2:00 PM"],
    ["Jane 2026-12-01T14:00", "2026-10-20T14:00:00Z", NY, "2026-12-01T19:00:00Z", "Tue Dec 1 2:00 PM"],
    ["Jane 12/1 2pm", "2026-10-20T14:00:00Z", NY, "2026-12-01T19:00:00Z", "Tue Dec 1 2:00 PM"],
    ["Jane 12/1/2026 at 2pm", "2026-10-20T14:00:00Z", NY, "2026-12-01T19:00:00Z", "Tue Dec 1 2:00 PM"],
    ["Jane 12/1/26 14:00", "2026-10-20T14:00:00Z", NY, "2026-12-01T19:00:00Z", "Tue Dec 1 2:00 PM"],
    ["Jane 1/5 10am", "2026-12-20T14:00:00Z", NY, "2027-01-05T15:00:00Z", "Tue Jan 5, 2027 10:00 AM"],
    ["Jane 2/29 10am", "2027-12-15T14:00:00Z", NY, "2028-02-29T15:00:00Z", "Tue Feb 29, 2028 10:00 AM"],
    // London, Thu 2026-07-02 09:00 BST (UTC+1)
    ["Jane at 15:00", "2026-07-02T08:00:00Z", LON, "2026-07-02T14:00:00Z", "today 3:00 PM"],
    ["Jane 7/3 9:00", "2026-07-02T08:00:00Z", LON, "2026-07-03T08:00:00Z", /^tomorrow 9:00 AM/],
  ] as const)("%s at %s in %s → %s", (text, now, zone, at, reading) => {
    const value = scheduled(parseScheduleText(text, new Date(now), zone));
    expect(value.at.toISOString()).toBe(new Date(at).toISOString());
    expect(value.zone).toBe(zone);
    expect(value.query).toBe(text.startsWith("Jane ") ? "Jane" : value.query);
    if (typeof reading === "string") expect(value.reading).toBe(reading);
    else expect(value.reading).toMatch(reading);
    expect(value.adjusted).toBeUndefined();
  });
});

describe("parseScheduleText: clock changes", () => {
  // New York springs forward 2026-03-08 02:00 EST → 03:00 EDT (07:00Z); falls back 2026-11-01 02:00 EDT → 01:00 EST.
  // [text, now, zone, expected instant, adjusted (undefined = none)]
  it.each([
    [
      "Jane today 2:30am",
      "2026-03-08T06:00:00Z",
      NY,
      "2026-03-08T07:00:00Z",
      /2:30 AM does not exist on Sun Mar 8.*using 3:00 AM/,
    ],
    ["Jane at 02:30", "2026-03-08T06:00:00Z", NY, "2026-03-08T07:00:00Z", /2:30 AM does not exist.*using 3:00 AM/],
    [
      "Jane tomorrow 02:00",
      "2026-03-07T17:00:00Z",
      NY,
      "2026-03-08T07:00:00Z",
      /2:00 AM does not exist.*using 3:00 AM/,
    ],
    ["Jane sun 2:59am", "2026-03-05T17:00:00Z", NY, "2026-03-08T07:00:00Z", /2:59 AM does not exist.*using 3:00 AM/],
    // today's (moved) 3:00 AM has passed: the next 2:30 AM is Monday's
    ["Jane at 02:30", "2026-03-08T07:10:00Z", NY, "2026-03-09T06:30:00Z", undefined],
    ["Jane tomorrow 3am", "2026-03-07T17:00:00Z", NY, "2026-03-08T07:00:00Z", undefined],
    ["Jane tomorrow 10am", "2026-03-07T15:00:00Z", NY, "2026-03-08T14:00:00Z", undefined],
    ["Jane in 1 day", "2026-03-07T15:00:00Z", NY, "2026-03-08T14:00:00Z", undefined], // 23 h: same wall time
    ["Jane in 24h", "2026-03-07T15:00:00Z", NY, "2026-03-08T15:00:00Z", undefined], // elapsed: 11:00 EDT
    ["Jane in 2h", "2026-03-08T06:30:00Z", NY, "2026-03-08T08:30:00Z", undefined], // 1:30 EST → 4:30 EDT
    ["Jane in 1 day", "2026-03-07T07:30:00Z", NY, "2026-03-08T07:00:00Z", /2:30 AM does not exist.*using 3:00 AM/],
    [
      "Jane at 01:30",
      "2026-11-01T04:00:00Z",
      NY,
      "2026-11-01T05:30:00Z",
      /1:30 AM happens twice on Sun Nov 1.*first one/,
    ],
    ["Jane at 01:30", "2026-11-01T05:45:00Z", NY, "2026-11-01T06:30:00Z", /1:30 AM happens twice.*second one/],
    ["Jane at 01:30", "2026-11-01T06:45:00Z", NY, "2026-11-02T06:30:00Z", undefined],
    ["Jane tomorrow 1:30am", "2026-10-31T16:00:00Z", NY, "2026-11-01T05:30:00Z", /happens twice.*first one/],
    ["Jane tomorrow 9am", "2026-10-31T13:00:00Z", NY, "2026-11-01T14:00:00Z", undefined],
    ["Jane in 1 day", "2026-10-31T13:00:00Z", NY, "2026-11-01T14:00:00Z", undefined], // 25 h: same wall time
    ["Jane in 2h", "2026-11-01T04:30:00Z", NY, "2026-11-01T06:30:00Z", undefined], // 00:30 EDT → 1:30 EST
    // Chicago and Los Angeles change at 2:00 local on the same days
    [
      "Jane tomorrow 2:15am",
      "2026-03-07T18:00:00Z",
      CHI,
      "2026-03-08T08:00:00Z",
      /2:15 AM does not exist.*using 3:00 AM/,
    ],
    [
      "Jane tomorrow 2:15am",
      "2026-03-07T20:00:00Z",
      LA,
      "2026-03-08T10:00:00Z",
      /2:15 AM does not exist.*using 3:00 AM/,
    ],
    ["Jane tomorrow 1:15am", "2026-10-31T20:00:00Z", LA, "2026-11-01T08:15:00Z", /happens twice.*first one/],
    // London springs forward 2026-03-29 01:00 GMT → 02:00 BST; falls back 2026-10-25 02:00 BST → 01:00 GMT
    [
      "Jane tomorrow 01:30",
      "2026-03-28T12:00:00Z",
      LON,
      "2026-03-29T01:00:00Z",
      /1:30 AM does not exist.*using 2:00 AM/,
    ],
    ["Jane tomorrow 01:30", "2026-10-24T12:00:00Z", LON, "2026-10-25T00:30:00Z", /happens twice.*first one/],
    ["Jane tomorrow 9am", "2026-03-28T12:00:00Z", LON, "2026-03-29T08:00:00Z", undefined],
    // Honolulu has no clock changes
    ["Jane tomorrow 2:30am", "2026-03-07T20:00:00Z", HNL, "2026-03-08T12:30:00Z", undefined],
  ] as const)("%s at %s in %s → %s", (text, now, zone, at, adjusted) => {
    const value = scheduled(parseScheduleText(text, new Date(now), zone));
    expect(value.at.toISOString()).toBe(new Date(at).toISOString());
    if (adjusted === undefined) expect(value.adjusted).toBeUndefined();
    else expect(value.adjusted).toMatch(adjusted);
  });

  it("reads the moved time in the reading", () => {
    const value = scheduled(parseScheduleText("Jane today 2:30am", new Date("2026-03-08T06:00:00Z"), NY));
    expect(value.reading).toBe("today 3:00 AM");
    const back = scheduled(parseScheduleText("Jane in 2h", new Date("2026-11-01T04:30:00Z"), NY));
    expect(back.reading).toBe("today 1:30 AM (in 2 hours)");
  });
});

describe("parseScheduleText: splitting the query", () => {
  const now = new Date("2026-03-06T15:00:00Z");
  it.each([
    ["(212) 555-0182 at 3pm", "(212) 555-0182"],
    ["+1 212 555 0182 tomorrow 10am", "+1 212 555 0182"],
    ["#12 in 2h", "#12"],
    ["  Jane   Doe   at 3pm  ", "Jane   Doe"],
    ["Jane at Acme at 3pm", "Jane at Acme"],
    ["AT&T at 3pm", "AT&T"],
    ["Jane May at 3pm", "Jane May"],
    ["Jane 5 at 3pm", "Jane 5"],
    ["Jane in Sales at 3pm", "Jane in Sales"],
    ["Dentist in a Box in 2h", "Dentist in a Box"],
    ["Jane at 3pm in 2h", "Jane at 3pm"],
    ["Jane in 2h at 3pm", "Jane in 2h"],
    ["Jane 3pm today 4pm", "Jane 3pm"],
    ["Li Sun today 3pm", "Li Sun"],
    ["Jane Monday at 3pm", "Jane"],
    ["Jane 555-0182 mon 9:30", "Jane 555-0182"],
  ])("%j → query %j", (text, query) => {
    expect(scheduled(parseScheduleText(text, now, CHI)).query).toBe(query);
  });

  it.each([
    "Jane",
    "Jane Monday",
    "Jane on",
    "Jane at",
    "Jane at home",
    "Jane 3pm",
    "Suite 5",
    "(212) 555-0182",
    "212 555 0182",
    "#12",
    "Dentist in a Box",
    "Jane in 2 parsecs",
    "Pizza in 5th Ave",
    "Jane May",
    "Jane constructor",
    "Jane toString at __proto__",
    "Jane in 2 __proto__",
    "Monday",
    "Jane Mon 2125550182",
    "Jane 13pm",
  ])("%j has no time: the whole text is the query", (text) => {
    expect(parseScheduleText(text, now, CHI)).toEqual({ kind: "none", query: text.trim() });
  });
});

describe("parseScheduleText: errors", () => {
  const now = new Date("2026-03-06T15:00:00Z"); // Fri 09:00 CST
  it.each([
    ["Jane at 25pm", /with am\/pm the hour goes from 1 to 12/],
    ["Jane at 13pm", /with am\/pm the hour goes from 1 to 12/],
    ["Jane at 0pm", /with am\/pm the hour goes from 1 to 12/],
    ["Jane at 24:00", /hours go from 0 to 23/],
    ["Jane at 25", /hours go from 0 to 23/],
    ["Jane at 3:60", /minutes go from 00 to 59/],
    ["Jane at 3:5pm", /minutes take two digits/],
    ["Jane at 1530", /with a colon/],
    ["Jane mon 25:00", /hours go from 0 to 23/],
    ["Jane tomorrow 13pm", /1 to 12/],
    ["Jane in 0h", /is now, not later/],
    ["Jane in 0 minutes", /is now, not later/],
    ["Jane in 2", /"2" what\?/],
    ["Jane in 1.5h", /whole numbers/],
    ["Jane in 30m 1h", /largest first/],
    ["Jane in 91 days", /more than 90 days ahead/],
    ["Jane in 13 weeks", /more than 90 days ahead/],
    ["Jane in 99999999 days", /more than 90 days ahead/],
    ["Jane 2026-12-01 14:00", /more than 90 days ahead/],
    ["Jane at 3pm yesterday", /in the past/],
    ["Jane yesterday at 3pm", /in the past/],
    ["Jane yesterday", /in the past/],
    ["Jane today 8am", /today 8:00 AM has already passed/],
    ["Jane today 9am", /has already passed/],
    ["Jane 2026-03-01 10am", /has already passed/],
    ["Jane tonight 9am", /tonight means this evening/],
    ["Jane tonight 12", /unclear/],
    ["Jane tomorrow", /add a time/],
    ["Jane today", /add a time/],
    ["Jane tonight", /add a time/],
    ["Jane on friday", /add a time/],
    ["Jane next tue", /add a time/],
    ["Jane 12/1", /add a time/],
    ["Jane 2026-04-01", /add a time/],
    ["Jane 13/1 2pm", /not a date \(dates are month\/day/],
    ["Jane 2/30 2pm", /not a date/],
    ["Jane 2026-02-30 14:00", /not a date/],
    ["Jane tomorrow morning", /not a time I can read/],
    ["Jane at 3pm sharp", /not a time I can read/],
    ["Jane at 3p", /not a time I can read/],
  ])("%j is refused: %s", (text, why) => {
    const result = parseScheduleText(text, now, CHI);
    expect(result.kind).toBe("error");
    if (result.kind !== "error") return;
    expect(result.query).toBe("Jane");
    expect(result.message).toMatch(why);
    expect(result.message).toContain(`"${text.slice(5)}"`); // says what was not understood
    expect(result.message).toMatch(/Examples: at 3pm/);
  });

  it("refuses an empty text and a time with no lead", () => {
    for (const text of ["", "   ", "\n\t"]) {
      const result = parseScheduleText(text, now, CHI);
      expect(result).toMatchObject({ kind: "error", query: "" });
      if (result.kind === "error") expect(result.message).toMatch(/Say which lead to call/);
    }
    for (const text of ["at 3pm", "tomorrow 10am", "in 2h", "  mon 9:30 "]) {
      const result = parseScheduleText(text, now, CHI);
      expect(result).toMatchObject({ kind: "error", query: "" });
      if (result.kind === "error") expect(result.message).toMatch(/Say which lead to call before the time/);
    }
  });

  it("refuses an unknown time zone or clock only when there is a time to read", () => {
    expect(parseScheduleText("Jane at 3pm", now, "Mars/Olympus")).toMatchObject({
      kind: "error",
      query: "Jane",
      message: expect.stringMatching(/time zone "Mars\/Olympus" is not one I know/),
    });
    expect(parseScheduleText("Jane", now, "Mars/Olympus")).toEqual({ kind: "none", query: "Jane" });
    expect(parseScheduleText("Jane in 2h", new Date(Number.NaN), CHI)).toMatchObject({ kind: "error" });
  });
});

describe("SCHEDULE_HELP", () => {
  it("lists the accepted forms", () => {
    for (const form of [
      "at 3pm",
      "tomorrow 10am",
      "mon 9:30",
      "next tue 11am",
      "in 2h",
      "in 1h30m",
      "12/1 2pm",
      "90 days",
    ]) {
      expect(SCHEDULE_HELP).toContain(form);
    }
  });

  it("every example in it parses", () => {
    const now = new Date("2026-11-20T15:00:00Z");
    const examples = [...SCHEDULE_HELP.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThan(15);
    for (const example of examples) {
      const text = /^(Jane|\(|#)/.test(example) ? example : `Jane ${example}`;
      expect(parseScheduleText(text, now, NY).kind, text).toBe("schedule");
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const TRANSITIONS = [
  "2026-03-08T07:00:00Z",
  "2026-11-01T06:00:00Z",
  "2026-03-29T01:00:00Z",
  "2026-10-25T01:00:00Z",
  "2027-03-14T07:00:00Z",
  "2025-11-02T06:00:00Z",
].map((t) => new Date(t).getTime());

const nowArb = fc.oneof(
  fc.date({ min: new Date("2024-01-01T00:00:00Z"), max: new Date("2035-12-31T00:00:00Z"), noInvalidDate: true }),
  // near clock changes, to the minute or to the millisecond
  fc
    .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }), fc.nat(59_999))
    .map(([t, minutes, ms]) => new Date(t + minutes * 60_000 + ms)),
);
const zoneArb = fc.constantFrom(...ZONES, "Asia/Kolkata", "Australia/Lord_Howe", "UTC");

const pad = (n: number) => String(n).padStart(2, "0");

interface TimeCase {
  text: string;
  h: number; // expected hour, 0–23
  mi: number;
  /** needs no "at" to be read as a time */
  strong: boolean;
}

const timeArb: fc.Arbitrary<TimeCase> = fc.oneof(
  // 12-hour with am/pm
  fc
    .record({
      h12: fc.integer({ min: 1, max: 12 }),
      mi: fc.integer({ min: 0, max: 59 }),
      withMinutes: fc.boolean(),
      space: fc.boolean(),
      suffix: fc.constantFrom("am", "pm", "AM", "PM", "a.m.", "p.m."),
    })
    .map(({ h12, mi, withMinutes, space, suffix }) => {
      const pm = suffix.toLowerCase().startsWith("p");
      const minutes = withMinutes ? mi : 0;
      const clock = withMinutes ? `${h12}:${pad(mi)}` : `${h12}`;
      return { text: `${clock}${space ? " " : ""}${suffix}`, h: (h12 % 12) + (pm ? 12 : 0), mi: minutes, strong: true };
    }),
  // 24-hour, zero-padded: explicit
  fc
    .record({ h: fc.integer({ min: 0, max: 23 }), mi: fc.integer({ min: 0, max: 59 }) })
    .map(({ h, mi }) => ({ text: `${pad(h)}:${pad(mi)}`, h, mi, strong: true })),
  // 24-hour afternoon, not padded
  fc
    .record({ h: fc.integer({ min: 12, max: 23 }), mi: fc.integer({ min: 0, max: 59 }) })
    .map(({ h, mi }) => ({ text: `${h}:${pad(mi)}`, h, mi, strong: true })),
  // bare or ambiguous hours: business-hours reading (8–11 AM, 1–7 PM)
  fc
    .record({ h: fc.integer({ min: 1, max: 11 }), mi: fc.integer({ min: 0, max: 59 }), withMinutes: fc.boolean() })
    .map(({ h, mi, withMinutes }) => ({
      text: withMinutes ? `${h}:${pad(mi)}` : `${h}`,
      h: h >= 8 ? h : h + 12,
      mi: withMinutes ? mi : 0,
      strong: withMinutes,
    })),
  fc.constant({ text: "noon", h: 12, mi: 0, strong: true }),
);

const WEEKDAY_WORDS: string[][] = [
  [],
  ["mon", "monday", "Mon", "MONDAY"],
  ["tue", "tues", "tuesday"],
  ["wed", "weds", "wednesday"],
  ["thu", "thur", "thurs", "thursday"],
  ["fri", "friday", "Fri"],
  ["sat", "saturday"],
  ["sun", "sunday", "Sunday"],
];

type DayCase =
  | { type: "none" }
  | { type: "today" }
  | { type: "tomorrow"; word: string }
  | { type: "weekday"; weekday: number; word: string; prefix: string }
  | { type: "inDays"; days: number; text: string }
  | { type: "date"; ahead: number; format: "iso" | "md" | "mdy" | "mdyy" };

const dayArb: fc.Arbitrary<DayCase> = fc.oneof(
  fc.constant({ type: "none" as const }),
  fc.constant({ type: "today" as const }),
  fc.constantFrom("tomorrow", "Tomorrow", "tmrw").map((word) => ({ type: "tomorrow" as const, word })),
  fc
    .record({
      weekday: fc.integer({ min: 1, max: 7 }),
      pick: fc.nat(),
      prefix: fc.constantFrom("", "on ", "next ", "on next ", "this "),
    })
    .map(({ weekday, pick, prefix }) => {
      const words = WEEKDAY_WORDS[weekday]!;
      return { type: "weekday" as const, weekday, word: words[pick % words.length]!, prefix };
    }),
  fc
    .record({ days: fc.integer({ min: 1, max: 89 }), unit: fc.constantFrom(" days", "d", " day") })
    .map(({ days, unit }) => ({
      type: "inDays" as const,
      days,
      text: days === 1 && unit === " days" ? "in a day" : `in ${days}${unit}`,
    })),
  fc
    .record({ ahead: fc.integer({ min: 1, max: 89 }), format: fc.constantFrom("iso", "md", "mdy", "mdyy") })
    .map(({ ahead, format }) => ({ type: "date" as const, ahead, format: format as "iso" | "md" | "mdy" | "mdyy" })),
);

interface Built {
  text: string;
  check: (value: { at: Date; adjusted?: string }) => void;
  /** today's time has passed: an error is the right answer */
  expectPast?: boolean;
}

/** An expression from the grammar and what it must resolve to. */
function buildClock(
  day: DayCase,
  time: TimeCase,
  order: { at: boolean; timeFirst: boolean },
  now: Date,
  zone: string,
): Built {
  const local = DateTime.fromJSDate(now, { zone });
  const today = local.startOf("day");
  let dayText = "";
  let target: DateTime | undefined; // the expected local date, when fixed
  if (day.type === "today") {
    dayText = "today";
    target = today;
  } else if (day.type === "tomorrow") {
    dayText = day.word;
    target = today.plus({ days: 1 });
  } else if (day.type === "weekday") dayText = `${day.prefix}${day.word}`;
  else if (day.type === "inDays") {
    dayText = day.text;
    target = today.plus({ days: day.days });
  } else if (day.type === "date") {
    target = today.plus({ days: day.ahead });
    const { year: y, month: m, day: d } = target;
    dayText = {
      iso: `${y}-${pad(m)}-${pad(d)}`,
      md: `${m}/${d}`,
      mdy: `${m}/${d}/${y}`,
      mdyy: `${m}/${d}/${String(y).slice(2)}`,
    }[day.format];
    if (day.format === "md") dayText = `on ${dayText}`;
  }
  // a bare hour needs "at" when it comes first, and after "in N days" ("in 2 days 9" reads as a duration)
  const useAt = order.at || day.type === "none" || (!time.strong && (order.timeFirst || day.type === "inDays"));
  const timeText = `${useAt ? "at " : ""}${time.text}`;
  const text = day.type === "none" ? timeText : order.timeFirst ? `${timeText} ${dayText}` : `${dayText} ${timeText}`;

  const exists = (date: DateTime) => {
    const wall = DateTime.fromObject(
      { year: date.year, month: date.month, day: date.day, hour: time.h, minute: time.mi },
      { zone },
    );
    return wall.hour === time.h && wall.minute === time.mi;
  };
  // "today"/"date" may legitimately be in the past; the property only accepts an error then
  let expectPast = false;
  if (target && (day.type === "today" || day.type === "date")) {
    const wall = DateTime.fromObject(
      { year: target.year, month: target.month, day: target.day, hour: time.h, minute: time.mi },
      { zone },
    );
    expectPast = wall.toMillis() <= now.getTime() + 60 * 60_000;
  }
  return {
    text,
    expectPast,
    check: ({ at, adjusted }) => {
      const got = DateTime.fromJSDate(at, { zone });
      const gotDate = got.startOf("day");
      if (target) expect(gotDate.toISODate()).toBe(target.toISODate());
      if (day.type === "none") expect(at.getTime() - now.getTime()).toBeLessThanOrEqual(25 * 3600_000);
      if (day.type === "weekday") {
        expect(got.weekday).toBe(day.weekday);
        const ahead = Math.round(gotDate.diff(today, "days").days);
        expect(ahead).toBeGreaterThanOrEqual(day.prefix.includes("next") ? 1 : 0);
        expect(ahead).toBeLessThanOrEqual(7);
      }
      if (got.hour === time.h && got.minute === time.mi) {
        if (adjusted !== undefined) expect(adjusted).toMatch(/happens twice/);
      } else {
        // the only allowed difference: the asked wall time does not exist that day
        expect(adjusted).toMatch(/does not exist/);
        expect(exists(gotDate)).toBe(false);
        expect(at.getTime()).toBeGreaterThan(now.getTime());
      }
    },
  };
}

interface DurationCase {
  text: string;
  days: number;
  minutes: number;
}

const durationArb: fc.Arbitrary<DurationCase> = fc.oneof(
  fc
    .integer({ min: 1, max: 2000 })
    .chain((h) =>
      fc.constantFrom(`${h}h`, `${h} h`, `${h} hours`, `${h}hrs`).map((text) => ({ text, days: 0, minutes: h * 60 })),
    ),
  fc
    .integer({ min: 1, max: 100_000 })
    .chain((m) =>
      fc.constantFrom(`${m}m`, `${m} min`, `${m} minutes`, `${m}mins`).map((text) => ({ text, days: 0, minutes: m })),
    ),
  fc
    .record({ h: fc.integer({ min: 1, max: 48 }), m: fc.integer({ min: 1, max: 59 }) })
    .chain(({ h, m }) =>
      fc
        .constantFrom(`${h}h${m}m`, `${h}h ${m}m`, `${h} hours ${m} minutes`, `${h} hr and ${m} min`, `${h}h${m}`)
        .map((text) => ({ text, days: 0, minutes: h * 60 + m })),
    ),
  fc
    .integer({ min: 1, max: 90 })
    .chain((d) => fc.constantFrom(`${d} days`, `${d}d`, `${d} day`).map((text) => ({ text, days: d, minutes: 0 }))),
  fc.integer({ min: 1, max: 12 }).map((w) => ({ text: `${w} weeks`, days: w * 7, minutes: 0 })),
  fc.constant({ text: "an hour", days: 0, minutes: 60 }),
  fc.constant({ text: "a week", days: 7, minutes: 0 }),
);

function buildDuration(d: DurationCase, now: Date, zone: string): Built {
  return {
    text: `in ${d.text}`,
    check: ({ at, adjusted }) => {
      if (d.days === 0) {
        expect(at.getTime() - now.getTime()).toBe(d.minutes * 60_000);
        expect(adjusted).toBeUndefined();
        return;
      }
      const start = DateTime.fromJSDate(now, { zone });
      const got = DateTime.fromJSDate(at, { zone });
      expect(got.startOf("day").toISODate()).toBe(start.startOf("day").plus({ days: d.days }).toISODate());
      if (got.hour !== start.hour || got.minute !== start.minute) expect(adjusted).toMatch(/does not exist/);
      else expect(got.second * 1000 + got.millisecond).toBe(start.second * 1000 + start.millisecond);
    },
  };
}

type Expression =
  | { kind: "clock"; day: DayCase; time: TimeCase; at: boolean; timeFirst: boolean }
  | { kind: "duration"; duration: DurationCase };

const expressionArb: fc.Arbitrary<Expression> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("clock" as const),
      day: dayArb,
      time: timeArb,
      at: fc.boolean(),
      timeFirst: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("duration" as const), duration: durationArb }) },
);

function build(e: Expression, now: Date, zone: string): Built {
  return e.kind === "duration"
    ? buildDuration(e.duration, now, zone)
    : buildClock(e.day, e.time, { at: e.at, timeFirst: e.timeFirst }, now, zone);
}

const KEYWORDS = new Set([
  "at",
  "on",
  "in",
  "next",
  "this",
  "today",
  "tonight",
  "tomorrow",
  "tmrw",
  "yesterday",
  "noon",
  "am",
  "pm",
  ...WEEKDAY_WORDS.flat().map((w) => w.toLowerCase()),
]);

/** A query whose last word could join the expression after it ("Jane on" + "friday 2pm") is ambiguous by nature. */
function endsWithKeyword(query: string): boolean {
  const last =
    (query.match(/\S+/g) ?? [])
      .at(-1)
      ?.toLowerCase()
      .replace(/([ap])\.m\.?$/, "$1m") ?? "";
  return (
    KEYWORDS.has(last) ||
    /^\d+(:\d+)?(am|pm)$/.test(last) ||
    /^\d+:\d+$/.test(last) ||
    /^\d{4}-\d{1,2}-\d{1,2}$/.test(last) ||
    /^\d+\/\d+(\/\d+)?$/.test(last)
  );
}

const queryArb = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 30 }),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }),
    fc.constantFrom(
      "Jane",
      "Jane Doe",
      "(212) 555-0182",
      "+1 212 555 0182",
      "212-555-0182",
      "#12",
      "#4096",
      "Jane Monday",
      "May Chen",
      "Li Sun Ltd",
      "Jane at Acme",
      "AT&T",
      "Suite 5",
      "Dentist in a Box",
      "O'Brien & Sons, Inc.",
      "Zoë Ångström",
      "Jane 3",
      "Room 12",
    ),
    fc
      .array(
        fc.constantFrom("Jane", "Doe", "at", "in", "mon", "May", "3", "12", "555-0182", "#7", "tomorrow", "2h", "Acme"),
        {
          minLength: 1,
          maxLength: 6,
        },
      )
      .map((words) => words.join(" ")),
  )
  .map((q) => q.trim())
  .filter((q) => q.length > 0 && !endsWithKeyword(q));

describe("parseScheduleText: properties", () => {
  it("never throws, for any text, time and zone", () => {
    const tailArb = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            "at",
            "in",
            "on",
            "next",
            "this",
            "today",
            "tonight",
            "tomorrow",
            "yesterday",
            "mon",
            "Sunday",
            "am",
            "pm",
            "p.m.",
            "noon",
            "and",
            "a",
            "an",
            "h",
            "min",
            "days",
            "weeks",
            "constructor",
            "__proto__",
            "2026-02-29",
            "2028-02-29T02:30",
            "12/31",
            "2/29",
            "99/99/99",
          ),
          fc.stringMatching(/^[0-9]{1,9}(:[0-9]{1,3})?(am|pm|h|m|d|w)?[.!?]?$/),
          fc.stringMatching(/^[0-9./:-]{1,12}$/),
        ),
        { maxLength: 7 },
      )
      .map((words) => words.join(" "));
    const textArb = fc.oneof(
      fc.string(),
      fc.string({ unit: "grapheme" }),
      fc.tuple(fc.string({ maxLength: 10 }), tailArb).map(([q, tail]) => `${q} ${tail}`),
      fc.anything() as fc.Arbitrary<unknown> as fc.Arbitrary<string>,
    );
    const anyNow = fc.oneof(nowArb, fc.date(), fc.constant(new Date(Number.NaN)));
    const anyZone = fc.oneof(zoneArb, fc.string(), fc.constantFrom("", "Mars/Olympus", "Etc/GMT+12", "Asia/Kathmandu"));
    fc.assert(
      fc.property(textArb, anyNow, anyZone, (text, now, zone) => {
        const result = parseScheduleText(text, now, zone);
        expect(["none", "schedule", "error"]).toContain(result.kind);
        if (result.kind === "error") expect(result.message.length).toBeGreaterThan(0);
        if (result.kind === "schedule") {
          expect(result.value.query.length).toBeGreaterThan(0);
          expect(result.value.at.getTime()).toBeGreaterThan(now.getTime());
        }
      }),
      { numRuns: 4000 },
    );
  });

  it("a valid expression resolves in the future, within 90 days, at the hour and minute asked", () => {
    fc.assert(
      fc.property(expressionArb, nowArb, zoneArb, (e, now, zone) => {
        const built = build(e, now, zone);
        const result = parseScheduleText(`Jane ${built.text}`, now, zone);
        if (built.expectPast) {
          // "today 9am" at 10am, or a date whose time already went by: refused, or just ahead if within the margin
          if (result.kind === "error") expect(result.message).toMatch(/already passed/);
          else expect(result.kind).toBe("schedule");
          return;
        }
        const value = scheduled(result);
        expect(value.query).toBe("Jane");
        expect(value.at.getTime()).toBeGreaterThan(now.getTime());
        expect(value.at.getTime()).toBeLessThanOrEqual(
          DateTime.fromJSDate(now, { zone }).plus({ days: 90 }).toMillis(),
        );
        built.check(value);
      }),
      { numRuns: 3000 },
    );
  });

  it("any query followed by a valid expression parses back to exactly that query", () => {
    fc.assert(
      fc.property(
        queryArb,
        expressionArb,
        nowArb,
        zoneArb,
        fc.constantFrom(" ", "  ", "\t", "\u00a0"),
        (query, e, now, zone, gap) => {
          // a query that is itself a schedule ("Jane at 3" + "in 2 days") is ambiguous by nature
          fc.pre(parseScheduleText(query, now, CHI).kind === "none");
          const built = build(e, now, zone);
          fc.pre(!built.expectPast);
          const result = parseScheduleText(`${query}${gap}${built.text}`, now, zone);
          expect(result.kind).toBe("schedule");
          if (result.kind === "schedule") expect(result.value.query).toBe(query);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
