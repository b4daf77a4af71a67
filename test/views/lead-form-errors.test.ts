import type { Lead } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/lib/errors.js";
import { leadFields } from "../../src/lib/ids.js";
import { IntakeRefused } from "../../src/services/leads/lead-intake.js";
import { DuplicateLeadError, LeadValidationError } from "../../src/services/leads/lead-service.js";
import { leadFormErrors } from "../../src/views/lead-form-errors.js";

// A lead form's errors, each under the input it is about (Slack shows errors per input block).

describe("leadFormErrors", () => {
  it("a number another lead has: under the phone, naming that lead and how to find it", () => {
    const existing = { id: 7, name: "Jane Doe" } as Lead;
    expect(leadFormErrors(new DuplicateLeadError(existing))).toEqual({
      [leadFields.phone]: "This number already belongs to Jane Doe (lead #7). Find it with /lead #7.",
    });
  });

  it("each refused field under its own input, in a form's words", () => {
    expect(
      leadFormErrors(
        new IntakeRefused({
          name: "Enter a name.",
          phone: "Enter a phone number with its area code.",
          consent: "consent.method must be one of: verbal, written, web_form",
          consentText: "consent.text is required for written consent.",
        } as never),
      ),
    ).toEqual({
      [leadFields.name]: "Enter a name.",
      [leadFields.phone]: "Enter a phone number with its area code.",
      [leadFields.consent]: "Pick how the lead agreed to recorded calls.",
      [leadFields.consentText]: "This is required for written consent.",
    });
    expect(leadFormErrors(new LeadValidationError({ email: "Enter an email address like jane@example.com." }))).toEqual(
      {
        [leadFields.email]: "Enter an email address like jane@example.com.",
      },
    );
  });

  it("a do-not-call refusal sits with the consent; anything else under the name", () => {
    expect(
      leadFormErrors(new LeadValidationError({ doNotCall: "This number is on the do-not-call list." } as never)),
    ).toEqual({
      [leadFields.consent]: "This number is on the do-not-call list.",
    });
    expect(leadFormErrors(new UserError("Something about the source.", { field: "source" }))).toEqual({
      [leadFields.source]: "Something about the source.",
    });
    expect(leadFormErrors(new Error("boom"))).toEqual({
      [leadFields.name]: expect.stringMatching(/went wrong/i),
    });
  });
});
