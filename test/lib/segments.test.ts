import { describe, expect, it } from "vitest";
import { segmentsOf } from "../../src/lib/segments.js";
import { checkBody, MAX_SEGMENTS } from "../../src/services/texts/compose.js";

// SMS segments as Twilio counts them (docs: "what is the SMS character limit"): GSM-7 160 / 153 a part,
// UCS-2 70 / 67 a part counted in UTF-16 units (an emoji outside the BMP is two), pairs never split.

describe("segmentsOf", () => {
  it("GSM-7: 160 in one, 153 a part after; an extension character takes two", () => {
    expect(segmentsOf("a".repeat(160))).toBe(1);
    expect(segmentsOf("a".repeat(161))).toBe(2);
    expect(segmentsOf("a".repeat(306))).toBe(2);
    expect(segmentsOf("a".repeat(307))).toBe(3);
    expect(segmentsOf("€".repeat(80))).toBe(1);
    expect(segmentsOf("€".repeat(81))).toBe(2);
    // 152 septets then an escape pair: the pair does not fit the first part's last septet.
    expect(segmentsOf(`${"a".repeat(152)}€${"a".repeat(152)}`)).toBe(3);
  });

  it("UCS-2: 70 in one, 67 a part after, each emoji two units", () => {
    expect(segmentsOf("é".repeat(160))).toBe(1); // é is GSM-7
    expect(segmentsOf("ł".repeat(70))).toBe(1);
    expect(segmentsOf("ł".repeat(71))).toBe(2);
    expect(segmentsOf("ł".repeat(134))).toBe(2);
    expect(segmentsOf("ł".repeat(135))).toBe(3);
    expect(segmentsOf("😀".repeat(35))).toBe(1);
    expect(segmentsOf("😀".repeat(36))).toBe(2);
    // 33 emoji fill 66 of a part's 67 units; the 34th starts the next part.
    expect(segmentsOf("😀".repeat(67))).toBe(3);
    // One emoji turns a whole GSM-7 text into UCS-2.
    expect(segmentsOf(`${"a".repeat(100)}😀`)).toBe(2);
  });

  it("an emoji text over 10 segments is refused with its count, though its code points fit", () => {
    const emoji = "😀".repeat(340); // 340 code points (6 parts of 67) but 680 UTF-16 units, 33 emoji a part: 11 segments
    expect(() => checkBody(emoji)).toThrowError(
      expect.objectContaining({ code: "text_too_long", data: expect.objectContaining({ segments: 11 }) }),
    );
    expect(segmentsOf("😀".repeat(335))).toBeGreaterThan(MAX_SEGMENTS);
    expect(checkBody("😀".repeat(330))).toHaveLength(660);
    expect(segmentsOf("😀".repeat(330))).toBe(MAX_SEGMENTS);
  });
});
