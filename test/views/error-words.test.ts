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

  it("queues', texts' and the CRM's refusals read as they did when the services wrote them", () => {
    const words = (code: string, data: Record<string, unknown> = {}) => userErrorWords(UserError.of(code, data));
    expect(words("queue_missing", { name: "Zillow", names: ["Hot"] })).toBe('There is no queue named "Zillow".');
    expect(words("queue_invalid", { problems: ["name: too long", "maxAttempts: too big"] })).toBe(
      "That queue was not saved: name: too long; maxAttempts: too big.",
    );
    expect(words("speed_limit_invalid", { min: 1, max: 1440 })).toBe(
      "The speed-to-lead limit is a whole number of minutes from 1 to 1440.",
    );
    expect(words("a2p_unapproved", { status: "FAILED", errors: ["samples missing", "no opt-in"] })).toBe(
      "Texting is off until your A2P campaign is approved. Twilio reports the campaign as FAILED: samples missing; no opt-in. Nothing was sent.",
    );
    expect(words("text_unreachable", { leadName: "Jane", twilioCode: 21614, markedOn: "2026-11-24" })).toBe(
      "Texts cannot reach Jane: the number cannot receive texts (a landline or a number without texting) (Twilio 21614, seen Nov 24, 2026). Nothing was sent; call them, or change their number.",
    );
    expect(words("text_refused", { leadName: "Jane", twilioCode: 21211, said: "Invalid 'To' Phone Number" })).toBe(
      "Nothing was sent to Jane: Invalid 'To' Phone Number (Twilio 21211).",
    );
    expect(words("text_refused", { leadName: "Jane", twilioCode: null })).toBe(
      "Nothing was sent to Jane: Twilio did not say why (Twilio null).",
    );
    expect(words("text_too_long", { segments: 11, characters: 1700, maxSegments: 10 })).toBe(
      "The text is too long: 11 segments (1700 characters); at most 10 segments can be sent. Shorten it.",
    );
    expect(words("no_phone", { leadName: "Jane", toText: true })).toBe("Jane has no phone number to text.");
    expect(words("twilio_missing")).toBe("Twilio is not connected; an admin can connect it with /twilio-setup.");
    expect(words("twilio_missing", { workspace: true })).toBe(
      "Twilio is not connected for this workspace; an admin can connect it with /twilio-setup.",
    );
    expect(words("crm_refused", { provider: "Follow Up Boss", asked: "users", said: "Nope." })).toBe(
      'Follow Up Boss refused the list of users: "Nope." Nothing was saved.',
    );
    expect(words("crm_user_unknown", { provider: "Follow Up Boss", email: "a@b.co" })).toBe(
      'No Follow Up Boss user has the email "a@b.co".',
    );
    expect(words("admin_only", { area: "twilio_settings" })).toBe(
      "Only Leadline admins can change the Twilio settings. Ask an admin, or run /twilio-setup status to see what is configured.",
    );
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
