import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseNumbersVerb } from "../../src/listeners/shared/numbers-verb.js";

describe("parseNumbersVerb", () => {
  it("reads each form an admin types", () => {
    expect(parseNumbersVerb("numbers", "US")).toEqual({ kind: "list" });
    expect(parseNumbersVerb("  NUMBERS  ", "US")).toEqual({ kind: "list" });
    expect(parseNumbersVerb("numbers add (305) 555-0100", "US")).toEqual({ kind: "add", number: "+13055550100" });
    expect(parseNumbersVerb("numbers Remove +1 305 555 0100", "US")).toEqual({
      kind: "remove",
      number: "+13055550100",
    });
    expect(parseNumbersVerb("numbers cap 60", "US")).toEqual({ kind: "cap", cap: 60 });
    expect(parseNumbersVerb("numbers add hello", "US")).toEqual({ kind: "usage", why: "That is not a phone number." });
    expect(parseNumbersVerb("numbers cap -1", "US")).toMatchObject({ kind: "usage" });
    expect(parseNumbersVerb("numbers buy", "US")).toEqual({ kind: "usage" });
    expect(parseNumbersVerb("inbound", "US")).toBeUndefined();
    expect(parseNumbersVerb("", "US")).toBeUndefined();
  });

  it("never throws, and answers undefined exactly when the text is not about numbers", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const parsed = parseNumbersVerb(text, "US");
        expect(parsed === undefined).toBe(text.trim().split(/\s+/)[0]?.toLowerCase() !== "numbers");
      }),
    );
  });

  it("an added or removed number is always E.164; a cap is always a whole number", () => {
    const verb = fc.constantFrom("add", "remove", "cap", "ADD");
    fc.assert(
      fc.property(verb, fc.string({ maxLength: 30 }), (action, rest) => {
        const parsed = parseNumbersVerb(`numbers ${action} ${rest}`, "US");
        if (parsed?.kind === "add" || parsed?.kind === "remove") expect(parsed.number).toMatch(/^\+[1-9]\d{6,14}$/);
        if (parsed?.kind === "cap") expect(Number.isInteger(parsed.cap)).toBe(true);
        expect(parsed).toBeDefined();
      }),
    );
  });
});
