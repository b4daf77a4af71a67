/**
 * How many SMS segments a body takes: GSM-7 (160 characters, 153 a part when split) when every character
 * is in the GSM basic set or its extension, else UCS-2 (70, 67 a part). Extension characters take two.
 * https://www.twilio.com/docs/glossary/what-sms-character-limit
 */
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "^{}\\[~]|€\f";

export function segmentsOf(body: string): number {
  let gsm = true;
  let units = 0;
  for (const char of body) {
    if (GSM_BASIC.includes(char)) units += 1;
    else if (GSM_EXTENDED.includes(char)) units += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (!gsm) {
    const chars = [...body].length;
    return chars <= 70 ? 1 : Math.ceil(chars / 67);
  }
  return units <= 160 ? 1 : Math.ceil(units / 153);
}
