import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { autoAdvanceBlock } from "../../../src/services/queues/auto-advance.js";

// The auto-advance rule (compliance.md, release 3 "Dialers"): a queue dials a lead without the agent's
// press only with an autodial consent record, and never when the lead may be in Florida or Oklahoma
// by number (area code) or address (state, ZIP); a lead whose place is unknown stays agent-paced too.

const lead = (phone: string, state: string | null = null, zip: string | null = null) => ({ phone, state, zip });

describe("the auto-advance rule", () => {
  it.each([
    ["a New York number with autodial consent", lead("+12125550111"), true, undefined],
    ["a New York number without it", lead("+12125550111"), false, "no_consent"],
    ["a Miami number (305)", lead("+13055550111"), true, "florida"],
    ["a Tampa number (813)", lead("+18135550111"), true, "florida"],
    ["an Oklahoma City number (405)", lead("+14055550111"), true, "oklahoma"],
    ["a Tulsa number (918)", lead("+19185550111"), true, "oklahoma"],
    ["a New York number, address Florida by name", lead("+12125550111", "Florida"), true, "florida"],
    ["a New York number, address FL", lead("+12125550111", "fl"), true, "florida"],
    ["a New York number, a Miami ZIP", lead("+12125550111", null, "33101"), true, "florida"],
    ["a New York number, address OK", lead("+12125550111", "OK"), true, "oklahoma"],
    ["a New York number, a Tulsa ZIP", lead("+12125550111", null, "74103"), true, "oklahoma"],
    ["a toll-free number with no address", lead("+18005550111"), true, "unknown_place"],
    ["a London number with consent", lead("+442079460958"), true, undefined],
  ] as const)("%s", (_what, input, consent, expected) => {
    expect(autoAdvanceBlock(input, consent)).toBe(expected);
  });

  it("never lets through a lead without consent, or one whose number or address may be in FL or OK (property)", () => {
    const areaCodes = ["212", "305", "407", "813", "405", "918", "580", "214", "415", "800", "503"];
    const flOk = new Set(["305", "407", "813", "405", "918", "580"]);
    const states = [null, "NY", "FL", "Florida", "OK", "oklahoma", "TX", "CA", " fl "];
    const zips = [null, "10001", "33101", "32801", "73101", "74103", "94105", "nonsense"];
    fc.assert(
      fc.property(
        fc.constantFrom(...areaCodes),
        fc.integer({ min: 200, max: 999 }),
        fc.constantFrom(...states),
        fc.constantFrom(...zips),
        fc.boolean(),
        (area, exchange, state, zip, consent) => {
          const block = autoAdvanceBlock(lead(`+1${area}${exchange}0111`, state, zip), consent);
          const inFlOk =
            flOk.has(area) ||
            /^(fl|florida|ok|oklahoma)$/i.test(state?.trim() ?? "") ||
            /^(32|33|34|73|74)/.test(zip ?? "");
          if (!consent || inFlOk) expect(block).toBeDefined();
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("the lead form's consent scope", () => {
  it("offers autodial, and a submitted autodial scope is what is recorded (prerecorded when none is picked)", async () => {
    const { addLeadModal, editLeadModal } = await import("../../../src/views/lead-modals.js");
    const { leadFormConsent } = await import("../../../src/listeners/shared/lead-form.js");
    const { leadFields, INPUT_ACTION } = await import("../../../src/lib/ids.js");
    for (const view of [
      addLeadModal({}, "{}"),
      editLeadModal({ id: 1, name: "A", phone: null, lastNote: null } as never, "{}"),
    ]) {
      const block = view.blocks.find((b) => (b as { block_id?: string }).block_id === leadFields.consentScope);
      expect(JSON.stringify(block)).toContain('"value":"autodial"');
    }
    const state = (scope?: string) =>
      ({
        values: {
          [leadFields.consent]: { [INPUT_ACTION]: { type: "static_select", selected_option: { value: "web form" } } },
          [leadFields.consentText]: {
            [INPUT_ACTION]: { type: "plain_text_input", value: "I agree to autodialled calls." },
          },
          [leadFields.consentScope]: {
            [INPUT_ACTION]: { type: "static_select", selected_option: scope ? { value: scope } : null },
          },
        },
      }) as never;
    expect(leadFormConsent(state("autodial"))).toMatchObject({ scope: "autodial", method: "web form" });
    expect(leadFormConsent(state())).toMatchObject({ scope: "prerecorded" });
  });
});
