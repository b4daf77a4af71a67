import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { callingVerdict, type VerdictInput } from "../../src/services/compliance/verdict.js";
import {
  describeNextAllowed,
  describeReason,
  describeVerdict,
  untilText,
  zoneLabel,
} from "../../src/views/verdict-words.js";

const at = (local: string, zone: string) => DateTime.fromISO(local, { zone }).toJSDate();

function linesFor(input: Partial<VerdictInput> & Pick<VerdictInput, "phone" | "now">, agentZone?: string): string[] {
  const verdict = callingVerdict({ mode: "live", attempts: [], onDoNotCallList: false, ...input });
  return describeVerdict(verdict, { phone: input.phone, now: input.now, ...(agentZone ? { agentZone } : {}) });
}

describe("zone names", () => {
  it.each([
    ["America/Chicago", "Chicago (Central)"],
    ["Pacific/Honolulu", "Honolulu (Hawaii)"],
    ["America/Anchorage", "Anchorage (Alaska)"],
    ["America/Phoenix", "Phoenix (Mountain Standard)"],
    ["America/Indiana/Knox", "Knox, Indiana (Central)"],
    ["America/Los_Angeles", "Los Angeles (Pacific)"],
  ])("%s → %s", (zone, label) => {
    expect(zoneLabel(zone)).toBe(label);
  });
});

describe("describeVerdict", () => {
  it("says the local time, the window, the rule and the next allowed time in one line for one reason", () => {
    const now = at("2026-06-08T07:40", "America/Chicago");
    expect(linesFor({ phone: "+18502300101", now })).toEqual([
      "It is 7:40 AM in Chicago (Central), where +1 850 230 0101 is; calls are allowed 8:00 AM until 8:00 PM there under Florida law (Fla. Stat. 501.616(6); area-code presumption). Next allowed: 8:00 AM CT (in 20 min).",
    ]);
  });

  it("a later time being judged (a booked call) says 'It will be', not 'It is'", () => {
    const judged = at("2026-06-08T21:00", "America/Chicago");
    const verdict = callingVerdict({
      phone: "+18502300101",
      now: judged,
      mode: "live",
      attempts: [],
      onDoNotCallList: false,
    });
    const [later] = describeVerdict(verdict, { phone: "+18502300101", now: at("2026-06-08T10:00", "America/Chicago") });
    expect(later).toMatch(
      /^It will be 9:00 PM in Chicago \(Central\), where \+1 850 230 0101 is; calls are allowed 8:00 AM until 8:00 PM there/,
    );
    const [now] = describeVerdict(verdict, { phone: "+18502300101", now: judged });
    expect(now).toMatch(/^It is 9:00 PM in Chicago/);
  });

  it("says the window's end as exclusive: at 9:00 PM the federal window '8:00 AM until 9:00 PM' is over", () => {
    const now = at("2026-06-08T21:00", "America/New_York");
    const [line] = linesFor({ phone: "+12125550182", now });
    expect(line).toMatch(
      /^It is 9:00 PM in New York \(Eastern\), where \+1 212 555 0182 is; calls are allowed 8:00 AM until 9:00 PM there/,
    );
    expect(line).not.toContain(" – ");
  });

  it("names the zone among several and adds the agent's time", () => {
    const now = at("2026-06-08T07:40", "America/Los_Angeles");
    expect(linesFor({ phone: "+12083200100", now }, "America/New_York")).toEqual([
      "It is 7:40 AM in Los Angeles (Pacific), one of the zones +1 208 320 0100 may be in; calls are allowed 8:00 AM until 9:00 PM there under US federal law (47 CFR 64.1200(c)(1); 16 CFR 310.4(c)). Next allowed: 8:00 AM PT (11:00 AM ET your time, in 20 min).",
    ]);
  });

  it("explains Sunday, holiday and the days of a rule", () => {
    expect(linesFor({ phone: "+18015550100", now: at("2026-06-07T12:00", "America/Denver") })[0]).toBe(
      "It is Sunday, 12:00 PM in Denver (Mountain), where +1 801 555 0100 is; Utah law (Utah Code 13-25a-103(3)) allows no calls on Sundays. Next allowed: tomorrow 8:00 AM MT (in 20 h).",
    );
    expect(linesFor({ phone: "+12155550100", now: at("2026-12-25T12:00", "America/New_York") })[0]).toContain(
      "It is Christmas Day, 12:00 PM in New York (Eastern)",
    );
    expect(linesFor({ phone: "+12145550100", now: at("2026-06-07T11:30", "America/Chicago") })[0]).toContain(
      "calls are allowed 12:00 PM until 9:00 PM there on Sundays under Texas law",
    );
  });

  it("lists every reason, then one next allowed time", () => {
    const team = { start: "10:00", end: "17:00", days: [1, 2, 3, 4, 5] };
    const saturday = linesFor({
      phone: "+12125550182",
      now: at("2026-06-13T09:30", "America/New_York"),
      teamWindow: team,
    });
    expect(saturday).toEqual([
      "It is Saturday, 9:30 AM in New York (Eastern), where +1 212 555 0182 is; the team's calling window, set by an admin, is Mon–Fri 10:00 AM until 5:00 PM; no calls Sat–Sun. Next allowed: Mon Jun 15, 10:00 AM ET (in 2 days).",
    ]);
    const early = linesFor({
      phone: "+12125550182",
      now: at("2026-06-08T07:00", "America/New_York"),
      teamWindow: team,
    });
    expect(early).toEqual([
      "It is 7:00 AM in New York (Eastern), where +1 212 555 0182 is; calls are allowed 8:00 AM until 9:00 PM there under US federal law (47 CFR 64.1200(c)(1); 16 CFR 310.4(c)).",
      "It is Monday, 7:00 AM in New York (Eastern), where +1 212 555 0182 is; the team's calling window, set by an admin, is Mon–Fri 10:00 AM until 5:00 PM; no calls Sat–Sun.",
      "Next allowed: 10:00 AM ET (in 3 h).",
    ]);
    const both = linesFor({
      phone: "+13055550100",
      now: at("2026-06-08T20:30", "America/New_York"),
      mode: "message",
      onDoNotCallList: true,
    });
    expect(both).toEqual([
      "+1 305 555 0100 is on the team's do-not-call list.",
      "A message call plays a recorded voice, which needs the lead's prior express consent to prerecorded calls, and there is none on record; a live call needs none.",
      "It is 8:30 PM in New York (Eastern), where +1 305 555 0100 is; calls are allowed 8:00 AM until 8:00 PM there under Florida law (Fla. Stat. 501.616(6); area-code presumption).",
    ]);
  });

  it("gives a cap's next time in the lead's zone", () => {
    const now = at("2026-06-08T12:00", "America/Chicago");
    const attempts = [1, 2, 3].map((hours) => new Date(now.getTime() - hours * 3_600_000));
    expect(linesFor({ phone: "+14055550100", now, attempts })).toEqual([
      "+1 405 555 0100 has had 3 call attempts in the last 24 hours; Oklahoma law (15 O.S. 775C (2022); area-code presumption) allows 3 per 24 hours. Next allowed: tomorrow 9:00 AM CT (in 21 h).",
    ]);
  });

  it("asks for a ZIP or state when the zone is unknown", () => {
    const [line] = linesFor({ phone: "+17295550101", now: new Date("2026-06-08T16:00:00Z") });
    expect(line).toMatch(
      /^Leadline cannot tell which time zone \+1 729 555 0101 is in \(its number could be in any of \d+ time zones\); add the lead's ZIP code or state\.$/,
    );
  });

  it("says nothing for an allowed call", () => {
    expect(linesFor({ phone: "+12125550182", now: at("2026-06-08T12:00", "America/New_York") })).toEqual([]);
  });

  it("marks secondary sources", () => {
    const [line] = linesFor({ phone: "+15025550100", now: at("2026-06-08T09:30", "America/New_York") });
    expect(line).toContain("under Kentucky law (secondary tables (KRS 367.46955), from secondary tables)");
  });
});

describe("describeNextAllowed", () => {
  const now = new Date("2026-06-08T12:40:00Z");

  it("gives the time in each of the lead's zones and the agent's", () => {
    expect(
      describeNextAllowed(
        new Date("2026-06-08T15:00:00Z"),
        ["America/Boise", "America/Los_Angeles"],
        "America/New_York",
        now,
      ),
    ).toBe("9:00 AM MT / 8:00 AM PT (11:00 AM ET your time, in 2 h 20 min)");
  });

  it("leaves out the agent's time when it reads the same", () => {
    expect(describeNextAllowed(new Date("2026-06-08T13:00:00Z"), ["America/New_York"], "America/Toronto", now)).toBe(
      "9:00 AM ET (in 20 min)",
    );
  });

  it("says tomorrow and dates further days", () => {
    expect(describeNextAllowed(new Date("2026-06-09T13:00:00Z"), ["America/New_York"], undefined, now)).toBe(
      "tomorrow 9:00 AM ET (in 1 day)",
    );
    expect(describeNextAllowed(new Date("2026-06-11T13:00:00Z"), ["America/New_York"])).toBe("Thu Jun 11, 9:00 AM ET");
  });

  it("counts down in minutes, hours and days", () => {
    expect(untilText(new Date(now.getTime() + 59 * 60_000), now)).toBe("in 59 min");
    expect(untilText(new Date(now.getTime() + 60 * 60_000), now)).toBe("in 1 h");
    expect(untilText(new Date(now.getTime() + 49 * 3_600_000), now)).toBe("in 2 days 1 h");
  });
});

describe("describeReason", () => {
  it("works without a phone or clock", () => {
    const text = describeReason({ kind: "dnc" });
    expect(text).toBe("This number is on the team's do-not-call list.");
    expect(describeReason({ kind: "consent", mode: "bridge" })).toContain("A voice bridge plays a recorded voice");
  });
});
