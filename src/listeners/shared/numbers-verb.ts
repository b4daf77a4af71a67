import { parsePhone } from "../../lib/phone.js";

/** What `/twilio-setup numbers …` asks for. */
export type NumbersVerb =
  | { kind: "list" }
  | { kind: "add" | "remove"; number: string }
  | { kind: "cap"; cap: number }
  | { kind: "usage"; why?: string };

/**
 * Reads the text after `/twilio-setup`: `numbers`, `numbers add <phone>`, `numbers remove <phone>`,
 * `numbers cap <calls>`. Undefined when the text is not about numbers at all.
 */
export function parseNumbersVerb(text: string, defaultCountry: string): NumbersVerb | undefined {
  const words = text.trim().split(/\s+/);
  if (words[0]?.toLowerCase() !== "numbers") return undefined;
  const action = words[1]?.toLowerCase();
  const rest = words.slice(2).join(" ");
  if (action === undefined) return { kind: "list" };
  if (action === "add" || action === "remove") {
    const phone = parsePhone(rest, defaultCountry);
    return phone.ok ? { kind: action, number: phone.e164 } : { kind: "usage", why: "That is not a phone number." };
  }
  if (action === "cap") {
    return /^\d{1,6}$/.test(rest)
      ? { kind: "cap", cap: Number(rest) }
      : { kind: "usage", why: "The cap is a whole number of calls." };
  }
  return { kind: "usage" };
}
