import fc from "fast-check";
import { parsePhoneNumberWithError } from "libphonenumber-js/max";
import { describe, expect, it } from "vitest";
import { dialCheck, dialRefusal, formatPhone, formatPhoneWithExt, parsePhone } from "../../src/lib/phone.js";

describe("parsePhone", () => {
  it.each([
    ["(212) 555-0182", "+12125550182"],
    ["212.555.0182", "+12125550182"],
    ["212 555 0182", "+12125550182"],
    ["212-555-0182", "+12125550182"],
    ["(212)555-0182", "+12125550182"],
    ["+1 212 555 0182", "+12125550182"],
    ["+1 (212) 555-0182", "+12125550182"],
    ["+1.212.555.0182", "+12125550182"],
    ["1-212-555-0182", "+12125550182"],
    ["1 212 555 0182", "+12125550182"],
    ["12125550182", "+12125550182"],
    ["+12125550182", "+12125550182"],
    ["  212 555 0182  ", "+12125550182"],
    ["+44 20 7946 0958", "+442079460958"],
    ["011 44 20 7946 0958", "+442079460958"],
    ["1-800-FLOWERS", "+18003569377"],
  ])("normalises %j to %s", (input, expected) => {
    const result = parsePhone(input, "US");
    expect(result).toMatchObject({ ok: true, e164: expected });
  });

  it.each([
    ["555-0182", /wrong number of digits|too short|not a valid/],
    ["call me", /no digits/],
    ["", /empty/],
    ["12", /too short|not a phone|wrong number/],
    ["+1 212 555 01823 99", /too long|wrong number|not a valid/],
    ["(555) 123-4567", /not a valid number in US/],
    ["abc-def-ghij 1", /mostly letters/],
    ["212+555+0182", /\+ may only stand at the start/],
    ["<script>2125550182</script>", /characters that are not part of a phone number/],
  ])("rejects %j with a reason", (input, reason) => {
    const result = parsePhone(input, "US");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(reason);
      expect(result.input).toBe(input);
    }
  });

  it("reads national numbers in the default country", () => {
    expect(parsePhone("020 7946 0958", "GB")).toMatchObject({ ok: true, e164: "+442079460958", country: "GB" });
    expect(parsePhone("(416) 555-0123", "CA")).toMatchObject({ ok: true, country: "CA" });
  });

  it("never throws and always returns E.164 or a typed error (property)", () => {
    const phoneish = fc.stringMatching(/^[+0-9 ().\-xextA-Z#]{0,30}$/);
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), phoneish, fc.anything()),
        fc.constantFrom("US", "CA", "GB", "DE", "XX"),
        (input, country) => {
          const result = parsePhone(input, country);
          if (result.ok) {
            expect(result.e164).toMatch(/^\+[1-9]\d{6,14}$/);
          } else {
            expect(typeof result.reason).toBe("string");
            expect(result.reason.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("formatPhone", () => {
  it("formats exactly as libphonenumber does, fast path or not (property)", () => {
    const lib = (e164: string) => {
      try {
        return parsePhoneNumberWithError(e164).formatInternational();
      } catch {
        return e164;
      }
    };
    fc.assert(
      fc.property(
        fc.oneof(fc.stringMatching(/^\+1\d{10}$/), fc.stringMatching(/^\+(44|49|33|61|52)\d{6,11}$/), fc.string()),
        (e164) => formatPhone(e164) === lib(e164) && formatPhone(e164) === lib(e164),
      ),
      { numRuns: 3_000 },
    );
  });
});

describe("extensions", () => {
  it.each([
    ["212-555-0182 ext. 45", "45"],
    ["212-555-0182 x45", "45"],
    ["(212) 555-0182 extension 1234", "1234"],
    ["+1 212 555 0182 #9", "9"],
    ["212-555-0182, ext 7", "7"],
  ])("keeps the extension of %j and dials the main number", (input, ext) => {
    expect(parsePhone(input, "US")).toMatchObject({ ok: true, e164: "+12125550182", ext });
  });

  it("still refuses a bad main number with an extension, naming the whole input", () => {
    const result = parsePhone("555-0182 x45", "US");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.input).toBe("555-0182 x45");
  });

  it("shows the extension after the number", () => {
    expect(formatPhoneWithExt("+12125550182", "45")).toBe("+1 212 555 0182 ext. 45");
    expect(formatPhoneWithExt("+12125550182", null)).toBe("+1 212 555 0182");
  });
});

describe("dialCheck (the toll-fraud guard on every number dialled)", () => {
  it("allows a number in an allowed country", () => {
    expect(dialCheck("+12125550182", ["US", "CA"])).toEqual({ ok: true, country: "US" });
  });

  it.each([
    ["+19005550182", "premium_rate"],
    ["+442079460958", "country_not_allowed"],
    ["+449091234567", "country_not_allowed"],
  ])("refuses %s (%s)", (number, reason) => {
    expect(dialCheck(number, ["US", "CA"])).toMatchObject({ ok: false, reason });
  });

  it("refuses a UK premium-rate number even when the UK is allowed", () => {
    expect(dialCheck("+449091234567", ["US", "GB"])).toMatchObject({ ok: false, reason: "premium_rate" });
  });

  it("names the country in words, never a variable name", () => {
    const check = dialCheck("+442079460958", ["US"]);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      const text = dialRefusal(check, "+442079460958");
      expect(text).toBe("Calls to the United Kingdom are not enabled for this team.");
      expect(text).not.toMatch(/ALLOWED_COUNTRIES/);
    }
  });
});
