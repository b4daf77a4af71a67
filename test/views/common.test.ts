import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeTruncate, leadPhoneText, maskedPhoneText, truncate } from "../../src/views/common.js";

const graphemes = (text: string) => [...new Intl.Segmenter("en", { granularity: "grapheme" }).segment(text)];
/** A lone UTF-16 surrogate: half of a character. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

describe("truncate and escapeTruncate", () => {
  it("never leave half an emoji before the ellipsis: 148 letters and an emoji cut at 150", () => {
    const name = `${"a".repeat(148)}😀 Smith`;
    const cut = truncate(name, 150);
    expect(cut).toBe(`${"a".repeat(148)}…`);
    expect(LONE_SURROGATE.test(cut)).toBe(false);
    const escaped = escapeTruncate(name, 150);
    expect(escaped).toBe(`${"a".repeat(148)}…`);
  });

  it("keep a family, a flag and a skin tone whole or leave them out", () => {
    for (const emoji of ["👨‍👩‍👧‍👦", "🇫🇷", "👍🏽"]) {
      for (let max = 1; max <= emoji.length + 3; max += 1) {
        const cut = truncate(`ab${emoji}cd`, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(cut.includes(emoji) || !cut.slice(2, -1)).toBe(true);
      }
    }
  });

  it("for any text and limit: at most max units, whole characters, the start of the text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), fc.integer({ min: 1, max: 50 }), (text, max) => {
        const cut = truncate(text, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        if (text.length <= max) {
          expect(cut).toBe(text);
          return;
        }
        expect(cut.endsWith("…")).toBe(true);
        const kept = cut.slice(0, -1);
        expect(text.startsWith(kept)).toBe(true);
        // The cut falls between two characters of the original.
        const ends = new Set(graphemes(text).map((g) => g.index + g.segment.length));
        expect(kept.length === 0 || ends.has(kept.length)).toBe(true);
      }),
    );
  });

  it("escapeTruncate still never cuts an entity such as &amp; in half", () => {
    expect(escapeTruncate("ab&cd", 5)).toBe("ab…");
    expect(escapeTruncate("a&b", 10)).toBe("a&amp;b");
  });
});

describe("maskedPhoneText (numbers in channels of a workspace that masks them)", () => {
  it("keeps the country code and the last 4 digits, whatever the grouping", () => {
    expect(maskedPhoneText("+12125550182")).toBe("+1 ••• ••• 0182");
    expect(maskedPhoneText("+442071838750")).toBe("+44 ••• ••• 8750");
    expect(maskedPhoneText("+33123456789")).toBe("+33 ••• ••• ••• 67 89");
  });

  it("never shows more than 4 digits of a number, nor anything of what is not one", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[2-9]\d{2}[2-9]\d{6}$/), (national) => {
        const text = maskedPhoneText(`+1${national}`);
        expect(text.replace(/\D/g, "")).toBe(`1${national.slice(-4)}`);
      }),
    );
    expect(maskedPhoneText("client:<!channel>")).toBe("a hidden number");
    expect(maskedPhoneText("+123")).toBe("a hidden number");
  });

  it("leadPhoneText masks only when asked", () => {
    expect(leadPhoneText("+12125550182", false, "12")).toBe("+1 212 555 0182 ext. 12");
    expect(leadPhoneText("+12125550182", true, "12")).toBe("+1 ••• ••• 0182");
  });
});
