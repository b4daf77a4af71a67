import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { callingVerdict, type Verdict, type VerdictInput } from "../../../src/services/compliance/verdict.js";

// The verdict with a text channel (issue #27, compliance.md Release 3): texts' own hours table (federal
// 8–21, FL/OK/MD 8–20, TX SB 140's Sunday noon, RI's weekdays), caps that count texts where the state
// counts them (MD: calls and texts together), and consent of scope `texts` for a marketing text.

const at = (local: string, zone: string) => DateTime.fromISO(local, { zone }).toJSDate();
const text = (input: Partial<VerdictInput> & Pick<VerdictInput, "phone" | "now">): Verdict =>
  callingVerdict({ mode: "live", attempts: [], onDoNotCallList: false, channel: "text", ...input });
const kinds = (verdict: Verdict) => (verdict.allowed ? [] : verdict.reasons.map((reason) => reason.kind));
const next = (verdict: Verdict, zone: string) =>
  verdict.allowed ? undefined : DateTime.fromJSDate(verdict.nextAllowedAt!).setZone(zone).toFormat("ccc HH:mm");

const NY = "America/New_York";
const CHICAGO = "America/Chicago";
// 2026-06-08 is a Monday, 2026-06-07 a Sunday.

describe("a text's verdict", () => {
  it("New York: the federal 8:00–21:00 for texts", () => {
    expect(text({ phone: "+12125550182", now: at("2026-06-08T20:30", NY) }).allowed).toBe(true);
    const late = text({ phone: "+12125550182", now: at("2026-06-08T21:05", NY) });
    expect(late.allowed).toBe(false);
    expect(next(late, NY)).toBe("Tue 08:00");
  });

  it("Florida and Maryland: 8:00–20:00, so 20:05 is refused until 8:00", () => {
    for (const phone of ["+13055550182", "+14105550182"]) {
      const verdict = text({ phone, now: at("2026-06-08T20:05", NY) });
      expect(verdict.allowed, phone).toBe(false);
      expect(next(verdict, NY), phone).toBe("Tue 08:00");
    }
  });

  it("Texas under SB 140: a Sunday text waits for noon; Monday 9:00 is fine", () => {
    const sunday = text({ phone: "+12145550182", now: at("2026-06-07T11:30", CHICAGO) });
    expect(sunday.allowed).toBe(false);
    expect(next(sunday, CHICAGO)).toBe("Sun 12:00");
    expect(text({ phone: "+12145550182", now: at("2026-06-08T09:00", CHICAGO) }).allowed).toBe(true);
  });

  it("Maryland counts calls and texts together: 2 calls + 1 text, then a text is the 4th touch", () => {
    const now = at("2026-06-08T12:00", NY);
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);
    const touched = { attempts: [hoursAgo(5), hoursAgo(3)], textAttempts: [hoursAgo(1)] };
    const maryland = text({ phone: "+14105550182", now, ...touched });
    expect(maryland.allowed).toBe(false);
    // The oldest of the three touches is 24 h old on Tuesday 7:00; Maryland's hours open at 8:00.
    expect(next(maryland, NY)).toBe("Tue 08:00");
    expect(kinds(maryland)).toContain("cap");
    // Florida counts texts apart from calls: the same touches leave a text allowed.
    expect(text({ phone: "+13055550182", now, ...touched }).allowed).toBe(true);
  });

  it("a marketing text needs consent to texts; an answer does not", () => {
    const now = at("2026-06-08T12:00", NY);
    expect(kinds(text({ phone: "+12125550182", now, marketingText: true }))).toEqual(["text_consent"]);
    expect(text({ phone: "+12125550182", now, marketingText: false }).allowed).toBe(true);
  });
});
