/**
 * How many SMS segments a body takes: GSM-7 (160 septets, 153 a part when split) when every character
 * is in the GSM basic set or its extension, else UCS-2 (70 UTF-16 units, 67 a part). An extension
 * character takes two septets and an emoji outside the Basic Multilingual Plane two UTF-16 units; neither
 * pair is split across parts, so a part may hold one unit less.
 * https://www.twilio.com/docs/glossary/what-sms-character-limit
 */
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "^{}\\[~]|€\f";

/** Each character's size in its encoding's units (septets for GSM-7, UTF-16 units for UCS-2). */
function unitsOf(body: string): { gsm: boolean; units: number[] } {
  const chars = [...body];
  const gsm = chars.every((char) => GSM_BASIC.includes(char) || GSM_EXTENDED.includes(char));
  return { gsm, units: chars.map((char) => (gsm ? (GSM_EXTENDED.includes(char) ? 2 : 1) : char.length)) };
}

export function segmentsOf(body: string): number {
  const { gsm, units } = unitsOf(body);
  const single = gsm ? 160 : 70;
  const part = gsm ? 153 : 67;
  const total = units.reduce((sum, size) => sum + size, 0);
  if (total <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const size of units) {
    if (used + size > part) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return segments;
}
