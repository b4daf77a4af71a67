import { type CountryCode, type NumberType, ParseError, parsePhoneNumberWithError } from "libphonenumber-js/max";

export type PhoneResult =
  | {
      ok: true;
      e164: string;
      /** An extension typed after the number ("x45", "ext. 45"): kept and shown, never dialed. */
      ext?: string;
      country: string | undefined;
      type: NumberType | undefined;
      national: string;
    }
  | { ok: false; input: string; reason: string };

const LETTERS: Record<string, string> = {
  A: "2",
  B: "2",
  C: "2",
  D: "3",
  E: "3",
  F: "3",
  G: "4",
  H: "4",
  I: "4",
  J: "5",
  K: "5",
  L: "5",
  M: "6",
  N: "6",
  O: "6",
  P: "7",
  Q: "7",
  R: "7",
  S: "7",
  T: "8",
  U: "8",
  V: "8",
  W: "9",
  X: "9",
  Y: "9",
  Z: "9",
};

const EXTENSION = /\s*[,;]?\s*(?:ext\.?|extension|x|#)\s*(\d{1,7})\s*$/i;

/**
 * Parses what a person typed into E.164, reading national numbers in `defaultCountry`.
 * Never throws: any input gives a number or a reason a person can act on.
 */
export function parsePhone(input: unknown, defaultCountry: string): PhoneResult {
  const raw = typeof input === "string" ? input : "";
  const text = raw.trim();
  const fail = (reason: string): PhoneResult => ({ ok: false, input: raw, reason });
  if (text.length === 0) return fail("it is empty");
  if (text.length > 40) return fail("it is too long to be a phone number");
  const extension = EXTENSION.exec(text);
  if (extension) {
    const main = parsePhone(text.slice(0, extension.index), defaultCountry);
    return main.ok ? { ...main, ext: extension[1] } : { ...main, input: raw };
  }
  if (!/\d/.test(text)) return fail("it has no digits");
  // Vanity numbers such as 1-800-FLOWERS dial as their keypad digits.
  const letters = text.replace(/[^A-Za-z]/g, "");
  if (letters.length > 0 && !/^[A-Za-z0-9\s().+-]+$/.test(text))
    return fail("it contains characters that are not part of a phone number");
  if (letters.length > 0 && text.replace(/\D/g, "").length < 3) return fail("it is mostly letters, not a phone number");
  const digits = text.replace(/[A-Za-z]/g, (ch) => LETTERS[ch.toUpperCase()] ?? ch);
  if (/[^\d\s().+-]/.test(digits)) return fail("it contains characters that are not part of a phone number");
  if ((digits.match(/\+/g) ?? []).length > 1 || (digits.includes("+") && !digits.trimStart().startsWith("+"))) {
    return fail("a + may only stand at the start");
  }
  try {
    const parsed = parsePhoneNumberWithError(digits, { defaultCountry: defaultCountry as CountryCode });
    if (!parsed.isPossible())
      return fail(
        `it has the wrong number of digits for ${parsed.country ?? `country code +${parsed.countryCallingCode}`}`,
      );
    if (!parsed.isValid())
      return fail(
        `it is not a valid number ${parsed.country ? `in ${parsed.country}` : `for country code +${parsed.countryCallingCode}`}`,
      );
    return {
      ok: true,
      e164: parsed.number,
      country: parsed.country,
      type: parsed.getType(),
      national: parsed.formatNational(),
    };
  } catch (error) {
    if (error instanceof ParseError) {
      const reasons: Record<string, string> = {
        INVALID_COUNTRY: `it has no country code and ${defaultCountry} numbers do not look like this; start with + and the country code`,
        NOT_A_NUMBER: "it is not a phone number",
        TOO_SHORT: "it is too short",
        TOO_LONG: "it is too long",
        INVALID_LENGTH: "it has the wrong number of digits",
      };
      return fail(reasons[error.message] ?? "it is not a phone number");
    }
    return fail("it is not a phone number");
  }
}

/** +15551234567 → "+1 555-123-4567" style, for people to read. */
const formatted = new Map<string, string>();

/**
 * "+1 201 555 0101": libphonenumber's international format. Parsing costs tens of microseconds and a
 * card shows several numbers, so North American numbers (formatted the same every time) skip it and
 * others are remembered, up to a bound.
 */
export function formatPhone(e164: string): string {
  const nanp = /^\+1([2-9]\d{2})(\d{3})(\d{4})$/.exec(e164);
  if (nanp) return `+1 ${nanp[1]} ${nanp[2]} ${nanp[3]}`;
  let result = formatted.get(e164);
  if (result === undefined) {
    try {
      result = parsePhoneNumberWithError(e164).formatInternational();
    } catch {
      result = e164;
    }
    if (formatted.size >= 10_000) formatted.clear();
    formatted.set(e164, result);
  }
  return result;
}

/** "+1 212 555 0182 ext. 45" for people to read. */
export function formatPhoneWithExt(e164: string, ext?: string | null): string {
  return ext ? `${formatPhone(e164)} ext. ${ext}` : formatPhone(e164);
}

const countryNames = new Intl.DisplayNames(["en"], { type: "region" });

/** "GB" → "the United Kingdom", for sentences such as "Calls to the United Kingdom are not enabled". */
export function countryName(code: string): string {
  let name = code;
  try {
    name = countryNames.of(code) ?? code;
  } catch {
    return code;
  }
  return /^(United|Netherlands|Philippines|Bahamas|Gambia|Czech|Dominican|Central African|Marshall|Solomon|Comoros|Maldives)/.test(
    name,
  )
    ? `the ${name}`
    : name;
}

export type DialCheck =
  | { ok: true; country: string }
  | { ok: false; reason: "country_not_allowed"; country: string | undefined }
  | { ok: false; reason: "premium_rate"; country: string | undefined };

/**
 * The toll-fraud guard every number Leadline dials passes (lead, agent, team agent phone, Dial
 * targets), when it is saved and again when it is dialed: an allowed country, never premium rate.
 */
export function dialCheck(e164: string, allowedCountries: readonly string[]): DialCheck {
  let country: string | undefined;
  let type: NumberType | undefined;
  try {
    const parsed = parsePhoneNumberWithError(e164);
    country = parsed.country;
    type = parsed.getType();
  } catch {
    return { ok: false, reason: "country_not_allowed", country: undefined };
  }
  if (!country || !allowedCountries.includes(country)) return { ok: false, reason: "country_not_allowed", country };
  if (type === "PREMIUM_RATE" || type === "SHARED_COST") return { ok: false, reason: "premium_rate", country };
  return { ok: true, country };
}

/** Why a number may not be dialed, in plain words for the person who typed or clicked it. */
export function dialRefusal(check: Exclude<DialCheck, { ok: true }>, e164: string): string {
  if (check.reason === "premium_rate")
    return `${formatPhone(e164)} is a premium-rate number; Leadline never calls those (toll-fraud guard).`;
  return check.country
    ? `Calls to ${countryName(check.country)} are not enabled for this team.`
    : `${formatPhone(e164)} is not in a country Leadline can call.`;
}

export function phoneCountry(e164: string): string | undefined {
  try {
    return parsePhoneNumberWithError(e164).country;
  } catch {
    return undefined;
  }
}
