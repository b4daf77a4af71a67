import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
  callingVerdict,
  type Reason,
  type Verdict,
  type VerdictInput,
} from "../../../src/services/compliance/verdict.js";

/** A wall-clock time in a zone, as an instant. */
function at(local: string, zone: string): Date {
  const instant = DateTime.fromISO(local, { zone });
  if (!instant.isValid) throw new Error(`bad test time ${local} ${zone}`);
  return instant.toJSDate();
}

function verdictFor(input: Partial<VerdictInput> & Pick<VerdictInput, "phone" | "now">): Verdict {
  return callingVerdict({ mode: "live", attempts: [], onDoNotCallList: false, ...input });
}

function reasonsOf(verdict: Verdict): Reason[] {
  if (verdict.allowed) throw new Error("expected a blocked verdict");
  return verdict.reasons;
}

function nextOf(verdict: Verdict): Date | undefined {
  return verdict.allowed ? undefined : verdict.nextAllowedAt;
}

const NY = "America/New_York";
const CHICAGO = "America/Chicago";
const DENVER = "America/Denver";
const HONOLULU = "Pacific/Honolulu";
const ANCHORAGE = "America/Anchorage";
const ADAK = "America/Adak";
const JUNEAU = "America/Juneau";
const BOISE = "America/Boise";
const LA = "America/Los_Angeles";
const TORONTO = "America/Toronto";

// 2026-06-08 is a Monday, 2026-06-07 a Sunday, 2026-06-13 a Saturday; none is a holiday.
interface EdgeCase {
  name: string;
  phone: string;
  address?: VerdictInput["address"];
  local: string;
  zone: string;
  allowed: boolean;
  /** The expected next allowed time, as a wall time in `zone`. */
  next?: string;
  zones?: string[];
  rule?: string;
}

const edges: EdgeCase[] = [
  // 212: Manhattan, one zone (map prefix 1212).
  {
    name: "212 at 07:59",
    phone: "+12125550182",
    local: "2026-06-08T07:59",
    zone: NY,
    allowed: false,
    next: "2026-06-08T08:00",
    rule: "us-federal",
  },
  { name: "212 at 08:00", phone: "+12125550182", local: "2026-06-08T08:00", zone: NY, allowed: true, zones: [NY] },
  { name: "212 at 20:59", phone: "+12125550182", local: "2026-06-08T20:59", zone: NY, allowed: true },
  {
    name: "212 at 21:00",
    phone: "+12125550182",
    local: "2026-06-08T21:00",
    zone: NY,
    allowed: false,
    next: "2026-06-09T08:00",
  },
  // 312: Chicago (1312).
  {
    name: "312 at 07:59",
    phone: "+13125550100",
    local: "2026-06-08T07:59",
    zone: CHICAGO,
    allowed: false,
    next: "2026-06-08T08:00",
  },
  {
    name: "312 at 08:00",
    phone: "+13125550100",
    local: "2026-06-08T08:00",
    zone: CHICAGO,
    allowed: true,
    zones: [CHICAGO],
  },
  { name: "312 at 20:59", phone: "+13125550100", local: "2026-06-08T20:59", zone: CHICAGO, allowed: true },
  {
    name: "312 at 21:00",
    phone: "+13125550100",
    local: "2026-06-08T21:00",
    zone: CHICAGO,
    allowed: false,
    next: "2026-06-09T08:00",
  },
  // 808: Hawaii (1808), no DST.
  {
    name: "808 at 07:59",
    phone: "+18085550100",
    local: "2026-06-08T07:59",
    zone: HONOLULU,
    allowed: false,
    next: "2026-06-08T08:00",
  },
  {
    name: "808 at 08:00",
    phone: "+18085550100",
    local: "2026-06-08T08:00",
    zone: HONOLULU,
    allowed: true,
    zones: [HONOLULU],
  },
  { name: "808 at 20:59", phone: "+18085550100", local: "2026-06-08T20:59", zone: HONOLULU, allowed: true },
  {
    name: "808 at 21:00",
    phone: "+18085550100",
    local: "2026-06-08T21:00",
    zone: HONOLULU,
    allowed: false,
    next: "2026-06-09T08:00",
  },
  // 907: the map gives Adak and Anchorage for most of the area code; both must be inside the window.
  {
    name: "907 at 08:00 Anchorage (07:00 Adak)",
    phone: "+19075550100",
    local: "2026-06-08T08:00",
    zone: ANCHORAGE,
    allowed: false,
    next: "2026-06-08T09:00",
  },
  {
    name: "907 at 08:00 Adak",
    phone: "+19075550100",
    local: "2026-06-08T08:00",
    zone: ADAK,
    allowed: true,
    zones: [ADAK, ANCHORAGE],
  },
  { name: "907 at 20:59 Anchorage", phone: "+19075550100", local: "2026-06-08T20:59", zone: ANCHORAGE, allowed: true },
  {
    name: "907 at 21:00 Anchorage (20:00 Adak)",
    phone: "+19075550100",
    local: "2026-06-08T21:00",
    zone: ANCHORAGE,
    allowed: false,
    next: "2026-06-09T09:00",
  },
  // 907-222: an exchange the map lists as Juneau alone (190722).
  {
    name: "907-222 at 07:59",
    phone: "+19072220100",
    local: "2026-06-08T07:59",
    zone: JUNEAU,
    allowed: false,
    next: "2026-06-08T08:00",
  },
  {
    name: "907-222 at 08:00",
    phone: "+19072220100",
    local: "2026-06-08T08:00",
    zone: JUNEAU,
    allowed: true,
    zones: [JUNEAU],
  },
  // 850: Florida panhandle. 850-230 is listed as Central (185023); 850-222 falls back to 1850, Eastern.
  {
    name: "850 Central exchange at 07:59 CT",
    phone: "+18502300101",
    local: "2026-06-08T07:59",
    zone: CHICAGO,
    allowed: false,
    next: "2026-06-08T08:00",
  },
  {
    name: "850 Central exchange at 08:00 CT",
    phone: "+18502300101",
    local: "2026-06-08T08:00",
    zone: CHICAGO,
    allowed: true,
    zones: [CHICAGO],
  },
  {
    name: "850 Eastern exchange at 07:00 CT (08:00 ET)",
    phone: "+18502220101",
    local: "2026-06-08T07:00",
    zone: CHICAGO,
    allowed: true,
    zones: [NY],
  },
  {
    name: "850 Central exchange at 07:00 CT",
    phone: "+18502300101",
    local: "2026-06-08T07:00",
    zone: CHICAGO,
    allowed: false,
    next: "2026-06-08T08:00",
  },
  {
    name: "850 Eastern exchange at 19:00 CT (20:00 ET)",
    phone: "+18502220101",
    local: "2026-06-08T19:00",
    zone: CHICAGO,
    allowed: false,
    next: "2026-06-09T07:00",
    rule: "us-fl",
  },
  {
    name: "850 Central exchange at 19:00 CT",
    phone: "+18502300101",
    local: "2026-06-08T19:00",
    zone: CHICAGO,
    allowed: true,
  },
  {
    name: "850 Central exchange at 20:00 CT",
    phone: "+18502300101",
    local: "2026-06-08T20:00",
    zone: CHICAGO,
    allowed: false,
    rule: "us-fl",
  },
  // 208-320: one prefix, two zones (Boise, Mountain; Los Angeles, Pacific).
  {
    name: "208-320 at 08:00 MT (07:00 PT)",
    phone: "+12083200100",
    local: "2026-06-08T08:00",
    zone: BOISE,
    allowed: false,
    next: "2026-06-08T09:00",
  },
  {
    name: "208-320 at 08:00 PT",
    phone: "+12083200100",
    local: "2026-06-08T08:00",
    zone: LA,
    allowed: true,
    zones: [BOISE, LA],
  },
  { name: "208-320 at 20:59 MT", phone: "+12083200100", local: "2026-06-08T20:59", zone: BOISE, allowed: true },
  {
    name: "208-320 at 21:00 MT (20:00 PT)",
    phone: "+12083200100",
    local: "2026-06-08T21:00",
    zone: BOISE,
    allowed: false,
    next: "2026-06-09T09:00",
  },
  // Florida closes at 20:00.
  { name: "FL 305 at 19:59", phone: "+13055550100", local: "2026-06-08T19:59", zone: NY, allowed: true },
  {
    name: "FL 305 at 20:00",
    phone: "+13055550100",
    local: "2026-06-08T20:00",
    zone: NY,
    allowed: false,
    next: "2026-06-09T08:00",
    rule: "us-fl",
  },
  // Texas: Sunday from noon, weekdays from 09:00.
  {
    name: "TX on a Sunday at 11:59",
    phone: "+12145550100",
    local: "2026-06-07T11:59",
    zone: CHICAGO,
    allowed: false,
    next: "2026-06-07T12:00",
    rule: "us-tx",
  },
  { name: "TX on a Sunday at 12:00", phone: "+12145550100", local: "2026-06-07T12:00", zone: CHICAGO, allowed: true },
  {
    name: "TX on a Monday at 08:30",
    phone: "+12145550100",
    local: "2026-06-08T08:30",
    zone: CHICAGO,
    allowed: false,
    next: "2026-06-08T09:00",
    rule: "us-tx",
  },
  // Utah: no Sundays.
  {
    name: "UT on a Sunday at noon",
    phone: "+18015550100",
    local: "2026-06-07T12:00",
    zone: DENVER,
    allowed: false,
    next: "2026-06-08T08:00",
    rule: "us-ut",
  },
  { name: "UT on a Monday at noon", phone: "+18015550100", local: "2026-06-08T12:00", zone: DENVER, allowed: true },
  // Toronto: CRTC weekends 10:00–18:00, weekdays 09:00–21:30.
  {
    name: "416 on a Saturday at 17:59",
    phone: "+14165550101",
    local: "2026-06-13T17:59",
    zone: TORONTO,
    allowed: true,
    zones: [TORONTO],
  },
  {
    name: "416 on a Saturday at 18:00",
    phone: "+14165550101",
    local: "2026-06-13T18:00",
    zone: TORONTO,
    allowed: false,
    next: "2026-06-14T10:00",
    rule: "ca-crtc",
  },
  {
    name: "416 on a Saturday at 09:59",
    phone: "+14165550101",
    local: "2026-06-13T09:59",
    zone: TORONTO,
    allowed: false,
    next: "2026-06-13T10:00",
  },
  { name: "416 on a Monday at 21:29", phone: "+14165550101", local: "2026-06-08T21:29", zone: TORONTO, allowed: true },
  {
    name: "416 on a Monday at 21:30",
    phone: "+14165550101",
    local: "2026-06-08T21:30",
    zone: TORONTO,
    allowed: false,
    next: "2026-06-09T09:00",
  },
  // The address state is stricter than the area code's.
  {
    name: "212 with a CT address at 08:30",
    phone: "+12125550182",
    address: { state: "CT" },
    local: "2026-06-08T08:30",
    zone: NY,
    allowed: false,
    next: "2026-06-08T09:00",
    rule: "us-ct",
  },
  {
    name: "212 with a CT address at 09:00",
    phone: "+12125550182",
    address: { state: "CT" },
    local: "2026-06-08T09:00",
    zone: NY,
    allowed: true,
  },
  {
    name: "312 with a Miami ZIP at 19:30 CT",
    phone: "+13125550100",
    address: { zip: "33101" },
    local: "2026-06-08T19:30",
    zone: CHICAGO,
    allowed: false,
    next: "2026-06-09T08:00",
    rule: "us-fl",
    zones: [CHICAGO, NY],
  },
  // Holidays: Pennsylvania's list, Rhode Island's Victory Day, Utah's Pioneer Day; New York has none.
  {
    name: "PA on Christmas Day",
    phone: "+12155550100",
    local: "2026-12-25T12:00",
    zone: NY,
    allowed: false,
    next: "2026-12-26T08:00",
    rule: "us-pa",
  },
  {
    name: "PA on Good Friday",
    phone: "+12155550100",
    local: "2026-04-03T12:00",
    zone: NY,
    allowed: false,
    rule: "us-pa",
  },
  { name: "NY on Christmas Day", phone: "+12125550182", local: "2026-12-25T12:00", zone: NY, allowed: true },
  {
    name: "RI on Victory Day",
    phone: "+14015550100",
    local: "2026-08-10T12:00",
    zone: NY,
    allowed: false,
    next: "2026-08-11T09:00",
    rule: "us-ri",
  },
  {
    name: "RI on a Saturday at 17:00",
    phone: "+14015550100",
    local: "2026-06-13T17:00",
    zone: NY,
    allowed: false,
    next: "2026-06-15T09:00",
    rule: "us-ri",
  },
  {
    name: "UT on Pioneer Day",
    phone: "+18015550100",
    local: "2026-07-24T12:00",
    zone: DENVER,
    allowed: false,
    next: "2026-07-25T08:00",
    rule: "us-ut",
  },
  // Other countries get the default 08:00–21:00; territories follow federal law.
  {
    name: "London at 07:59",
    phone: "+442071234567",
    local: "2026-06-08T07:59",
    zone: "Europe/London",
    allowed: false,
    next: "2026-06-08T08:00",
    rule: "default",
  },
  { name: "London at 08:00", phone: "+442071234567", local: "2026-06-08T08:00", zone: "Europe/London", allowed: true },
  {
    name: "Puerto Rico at 07:59",
    phone: "+17875550101",
    local: "2026-06-08T07:59",
    zone: "America/Puerto_Rico",
    allowed: false,
    rule: "us-federal",
  },
];

describe("callingVerdict at the edges of the windows", () => {
  it.each(edges)("$name", (edge) => {
    const now = at(edge.local, edge.zone);
    const verdict = verdictFor({ phone: edge.phone, now, ...(edge.address ? { address: edge.address } : {}) });
    expect(verdict.allowed).toBe(edge.allowed);
    if (edge.zones) expect([...verdict.zones].sort()).toEqual([...edge.zones].sort());
    if (verdict.allowed) return;
    for (const reason of verdict.reasons) expect(["hours", "day"]).toContain(reason.kind);
    if (edge.rule) expect(verdict.reasons.map((reason) => "rule" in reason && reason.rule.id)).toContain(edge.rule);
    expect(verdict.nextAllowedAt).toBeDefined();
    if (edge.next) expect(verdict.nextAllowedAt?.toISOString()).toBe(at(edge.next, edge.zone).toISOString());
  });
});

describe("daylight saving time in America/New_York", () => {
  // 2026-03-08: clocks go from 02:00 EST to 03:00 EDT. 08:00 EDT is 12:00 UTC (13:00 UTC the day before).
  it.each([
    ["2026-03-07T12:59:00Z", false],
    ["2026-03-07T13:00:00Z", true],
    ["2026-03-08T11:59:00Z", false],
    ["2026-03-08T12:00:00Z", true],
    ["2026-03-09T00:59:00Z", true],
    ["2026-03-09T01:00:00Z", false],
  ])("spring forward: %s allowed=%s", (instant, allowed) => {
    expect(verdictFor({ phone: "+12125550182", now: new Date(instant) }).allowed).toBe(allowed);
  });

  it("spring forward: from Saturday night the next call is 08:00 EDT", () => {
    const verdict = verdictFor({ phone: "+12125550182", now: new Date("2026-03-08T02:30:00Z") });
    expect(nextOf(verdict)?.toISOString()).toBe("2026-03-08T12:00:00.000Z");
    const [reason] = reasonsOf(verdict);
    expect(reason).toMatchObject({ kind: "hours", zone: NY, local: "2026-03-07T21:30" });
  });

  // 2026-11-01: clocks go from 02:00 EDT back to 01:00 EST. 08:00 EST is 13:00 UTC (12:00 UTC the day before).
  it.each([
    ["2026-10-31T11:59:00Z", false],
    ["2026-10-31T12:00:00Z", true],
    ["2026-11-01T12:59:00Z", false],
    ["2026-11-01T13:00:00Z", true],
    ["2026-11-02T01:59:00Z", true],
    ["2026-11-02T02:00:00Z", false],
  ])("fall back: %s allowed=%s", (instant, allowed) => {
    expect(verdictFor({ phone: "+12125550182", now: new Date(instant) }).allowed).toBe(allowed);
  });

  it("fall back: from the repeated hour the next call is 08:00 EST", () => {
    const verdict = verdictFor({ phone: "+12125550182", now: new Date("2026-11-01T05:30:00Z") });
    expect(nextOf(verdict)?.toISOString()).toBe("2026-11-01T13:00:00.000Z");
  });
});

describe("frequency caps", () => {
  const now = at("2026-06-08T14:00", CHICAGO);
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);

  it("blocks a fourth call to an Oklahoma lead within 24 h until the oldest of the last three is 24 h old", () => {
    const attempts = [hoursAgo(1), hoursAgo(20), hoursAgo(5)];
    const verdict = verdictFor({ phone: "+14055550100", now, attempts });
    const reasons = reasonsOf(verdict);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({
      kind: "cap",
      state: "OK",
      attempts: 3,
      until: new Date(hoursAgo(20).getTime() + 86_400_000),
    });
    expect(nextOf(verdict)).toEqual(new Date(hoursAgo(20).getTime() + 86_400_000));
  });

  it("allows a third call", () => {
    expect(verdictFor({ phone: "+14055550100", now, attempts: [hoursAgo(1), hoursAgo(5)] }).allowed).toBe(true);
  });

  it("counts only the last three attempts when older ones are given", () => {
    const attempts = [hoursAgo(30), hoursAgo(23), hoursAgo(2), hoursAgo(1)];
    const verdict = verdictFor({ phone: "+14055550100", now, attempts });
    expect(nextOf(verdict)).toEqual(new Date(hoursAgo(23).getTime() + 86_400_000));
  });

  it("moves the next call to opening time when the cap expires at night", () => {
    // First the cap ends at 19:30, while Florida still allows calls; then at 20:05, after Florida closes.
    const attempts = [at("2026-06-07T19:30", NY), at("2026-06-08T09:00", NY), at("2026-06-08T10:00", NY)];
    const verdict = verdictFor({ phone: "+13055550100", now: at("2026-06-08T12:00", NY), attempts });
    expect(reasonsOf(verdict).map((reason) => reason.kind)).toEqual(["cap"]);
    expect(nextOf(verdict)).toEqual(at("2026-06-08T19:30", NY));
    const late = [at("2026-06-07T20:05", NY), at("2026-06-08T09:00", NY), at("2026-06-08T10:00", NY)];
    const capped = verdictFor({ phone: "+13055550100", now: at("2026-06-08T19:56", NY), attempts: late });
    expect(nextOf(capped)).toEqual(at("2026-06-09T08:00", NY));
  });

  it("applies no cap to a state without one", () => {
    expect(verdictFor({ phone: "+12125550182", now, attempts: [hoursAgo(1), hoursAgo(2), hoursAgo(3)] }).allowed).toBe(
      true,
    );
  });

  it("applies the cap when only the address is in a capped state", () => {
    const verdict = verdictFor({
      phone: "+12125550182",
      address: { state: "MD" },
      now,
      attempts: [hoursAgo(1), hoursAgo(2), hoursAgo(3)],
    });
    expect(reasonsOf(verdict)).toEqual([expect.objectContaining({ kind: "cap", state: "MD" })]);
  });
});

describe("unknown zones", () => {
  // 729 (Tennessee, 2025) is not in the map: only the fallback prefix `1`, with dozens of zones, matches.
  const now = at("2026-06-08T12:00", CHICAGO);

  it("blocks a number whose zones are unknown until a ZIP or state is added, with no next time", () => {
    const verdict = verdictFor({ phone: "+17295550101", now });
    const reasons = reasonsOf(verdict);
    expect(reasons).toEqual([expect.objectContaining({ kind: "unknown_zone", phone: "+17295550101" })]);
    expect((reasons[0] as Extract<Reason, { kind: "unknown_zone" }>).zoneCount).toBeGreaterThan(4);
    expect(nextOf(verdict)).toBeUndefined();
  });

  it("uses the address's zones once a state is known", () => {
    const verdict = verdictFor({ phone: "+17295550101", address: { state: "TN" }, now });
    expect(verdict.allowed).toBe(true);
    expect([...verdict.zones].sort()).toEqual([CHICAGO, NY]);
    expect(verdict.states).toEqual(["TN"]);
  });

  it("uses the address's zones once a ZIP is known", () => {
    const verdict = verdictFor({
      phone: "+17295550101",
      address: { zip: "37201" },
      now: at("2026-06-08T07:30", CHICAGO),
    });
    expect(verdict.allowed).toBe(false);
    expect(verdict.zones).toContain(CHICAGO);
    expect(verdict.states).toEqual(["TN"]);
  });
});

describe("team window", () => {
  const team = { start: "10:00", end: "17:00", days: [1, 2, 3, 4, 5] };

  it("narrows the law: 09:30 is legal but outside the team's window", () => {
    const verdict = verdictFor({ phone: "+12125550182", now: at("2026-06-08T09:30", NY), teamWindow: team });
    expect(reasonsOf(verdict)).toEqual([
      expect.objectContaining({
        kind: "team_window",
        zone: NY,
        local: "2026-06-08T09:30",
        window: "Mon–Fri 10:00 AM until 5:00 PM; no calls Sat–Sun",
      }),
    ]);
    expect(nextOf(verdict)).toEqual(at("2026-06-08T10:00", NY));
  });

  it.each([
    ["2026-06-08T10:00", true],
    ["2026-06-08T16:59", true],
    ["2026-06-08T17:00", false],
  ])("%s allowed=%s", (local, allowed) => {
    expect(verdictFor({ phone: "+12125550182", now: at(local, NY), teamWindow: team }).allowed).toBe(allowed);
  });

  it("skips days the team does not call", () => {
    const verdict = verdictFor({ phone: "+12125550182", now: at("2026-06-13T12:00", NY), teamWindow: team });
    expect(nextOf(verdict)).toEqual(at("2026-06-15T10:00", NY));
  });

  it("applies in every candidate zone", () => {
    // 10:00 in Boise is 09:00 in Los Angeles.
    const verdict = verdictFor({ phone: "+12083200100", now: at("2026-06-08T10:00", BOISE), teamWindow: team });
    expect(reasonsOf(verdict)).toEqual([expect.objectContaining({ kind: "team_window", zone: LA })]);
    expect(nextOf(verdict)).toEqual(at("2026-06-08T10:00", LA));
  });

  it("cannot widen the law", () => {
    const wide = { start: "06:00", end: "23:00" };
    expect(verdictFor({ phone: "+12125550182", now: at("2026-06-08T07:00", NY), teamWindow: wide }).allowed).toBe(
      false,
    );
  });

  it("reports law and team window together, and the next time passes both", () => {
    const verdict = verdictFor({ phone: "+12125550182", now: at("2026-06-08T07:00", NY), teamWindow: team });
    expect(reasonsOf(verdict).map((reason) => reason.kind)).toEqual(["hours", "team_window"]);
    expect(nextOf(verdict)).toEqual(at("2026-06-08T10:00", NY));
  });

  it("allows nothing when malformed", () => {
    const verdict = verdictFor({
      phone: "+12125550182",
      now: at("2026-06-08T12:00", NY),
      teamWindow: { start: "9am", end: "5pm" },
    });
    expect(reasonsOf(verdict).map((reason) => reason.kind)).toEqual(["team_window"]);
    expect(nextOf(verdict)).toBeUndefined();
  });
});

describe("do-not-call and consent", () => {
  const now = at("2026-06-08T12:00", NY);

  it("blocks a number on the do-not-call list, with no next time", () => {
    const verdict = verdictFor({ phone: "+12125550182", now, onDoNotCallList: true });
    expect(reasonsOf(verdict)).toEqual([{ kind: "dnc" }]);
    expect(nextOf(verdict)).toBeUndefined();
  });

  it.each(["message", "bridge"] as const)("a %s needs prerecorded consent", (mode) => {
    expect(reasonsOf(verdictFor({ phone: "+12125550182", now, mode }))).toEqual([{ kind: "consent", mode }]);
    expect(reasonsOf(verdictFor({ phone: "+12125550182", now, mode, consent: { scope: "calls" } }))).toEqual([
      { kind: "consent", mode },
    ]);
    expect(verdictFor({ phone: "+12125550182", now, mode, consent: { scope: "prerecorded" } }).allowed).toBe(true);
  });

  it.each(["live", "browser"] as const)("a %s call needs no consent", (mode) => {
    expect(verdictFor({ phone: "+12125550182", now, mode }).allowed).toBe(true);
  });

  it("names every reason at once and gives no next time when one is not about time", () => {
    const verdict = verdictFor({
      phone: "+13055550100",
      now: at("2026-06-08T20:30", NY),
      mode: "message",
      onDoNotCallList: true,
    });
    expect(reasonsOf(verdict).map((reason) => reason.kind)).toEqual(["dnc", "consent", "hours"]);
    expect(nextOf(verdict)).toBeUndefined();
  });
});

describe("reasons", () => {
  it("name the zone, state, local time, rule with its source, and when the rule opens", () => {
    const verdict = verdictFor({ phone: "+12145550100", now: at("2026-06-07T11:40", CHICAGO) });
    expect(reasonsOf(verdict)).toEqual([
      {
        kind: "hours",
        allowed: "12:00 PM until 9:00 PM",
        zone: CHICAGO,
        state: "TX",
        country: "US",
        local: "2026-06-07T11:40",
        rule: {
          id: "us-tx",
          label: "Texas law",
          source: "Tex. Bus. & Com. Code 301.051",
          reviewed: "2026-11-26",
          window: "Mon–Sat 9:00 AM until 9:00 PM; Sun 12:00 PM until 9:00 PM",
        },
        opens: at("2026-06-07T12:00", CHICAGO),
      },
    ]);
  });

  it("say which holiday bans the day", () => {
    const [reason] = reasonsOf(verdictFor({ phone: "+12155550100", now: at("2026-07-03T12:00", NY) }));
    expect(reason).toMatchObject({ kind: "day", holiday: "Independence Day (observed)", weekday: 5, state: "PA" });
  });

  it("mark rules from secondary tables", () => {
    const [reason] = reasonsOf(
      verdictFor({ phone: "+15025550100", now: at("2026-06-08T09:30", "America/Kentucky/Louisville") }),
    );
    expect(reason).toMatchObject({ kind: "hours", state: "KY", rule: { id: "us-ky", secondary: true } });
  });
});
