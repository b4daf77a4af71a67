import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/lib/errors.js";
import { userErrorWords, WORDED_CODES } from "../../src/views/error-words/index.js";
import { errorMessage, fieldError } from "../../src/views/errors.js";

// Item 4 of issue 24: services throw typed refusals (a code and data); the words are in views/error-words/.

const SRC = new URL("../../src/services/", import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

describe("typed refusals in words", () => {
  const now = new Date("2026-11-24T19:00:00Z");

  it('every code a service throws as UserError.of("…") has words', () => {
    const codes = files(SRC).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/UserError\.of\(\s*"([a-z_]+)"/g)].map((match) => match[1]!),
    );
    expect(codes.length).toBeGreaterThan(15);
    expect(codes.filter((code) => !WORDED_CODES.has(code))).toEqual([]);
  });

  it("the toll-fraud guard's codes, built from its reasons, have words for a lead's, a call's and a setting's phone", () => {
    for (const reason of ["premium_rate", "country_not_allowed"])
      for (const code of [reason, `agent_${reason}`, `agent_phone_${reason}`])
        expect(WORDED_CODES.has(code)).toBe(true);
  });

  it("a call's refusals read as they did when the service wrote them", () => {
    const words = (code: string, data: Record<string, unknown> = {}) => userErrorWords(UserError.of(code, data));
    expect(words("lead_missing", { leadId: 7 })).toBe("Lead #7 no longer exists.");
    expect(words("lead_missing")).toBe("That lead no longer exists.");
    expect(words("invalid_phone", { leadName: "Jane", phone: "12", reason: "too short" })).toBe(
      "Jane's number 12 is not callable: too short.",
    );
    expect(words("premium_rate", { reason: "premium_rate", phone: "+19005550182" })).toBe(
      "+1 900 555 0182 is a premium-rate number; Leadline never calls those (toll-fraud guard). Nothing was dialed.",
    );
    expect(
      words("agent_country_not_allowed", { reason: "country_not_allowed", country: "GB", phone: "+442079460958" }),
    ).toBe(
      "The agent phone for this call cannot be dialed: Calls to the United Kingdom are not enabled for this team.",
    );
    expect(words("agent_phone_country_not_allowed", { reason: "country_not_allowed", phone: "+999" })).toBe(
      "+999 is not in a country Leadline can call.",
    );
    expect(words("outcome_taken", { outcome: "Callback", moment: true })).toBe(
      'Someone recorded "Callback" a moment before you; nothing was recorded twice.',
    );
    expect(words("retry", { leadName: "Jane" })).toBe("Could not start a call to Jane; try again.");
  });

  it("Slack gets the words escaped; a modal field gets them plain; an unmoved domain's sentence is kept", () => {
    const refusal = UserError.of("already_placed", { leadName: "Jane <b>", callSid: "CA1" });
    expect(refusal.message).toBe("already_placed");
    expect(errorMessage(refusal, { now }).text).toBe(
      ":x: This click already placed a call to Jane &lt;b&gt;; nothing was dialed again.",
    );
    expect(
      fieldError(UserError.of("agent_phone_invalid", { raw: "abc", reason: "not a number" }, { field: "phone" })),
    ).toBe('"abc" is not a callable number: not a number. Leave it blank (or type none) to clear it.');
    expect(fieldError(new UserError("A queue by that name exists."))).toBe("A queue by that name exists.");
    // A sentence that happens to be a code is not looked up: only typed refusals are.
    expect(fieldError(new UserError("retry", { code: "retry" }))).toBe("retry");
  });
});
