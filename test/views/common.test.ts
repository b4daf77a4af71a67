import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeTruncate, truncate } from "../../src/views/common.js";

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
