import type { KnownBlock, PlainTextElement } from "@slack/types";
import { formatPhone, formatPhoneWithExt } from "../lib/phone.js";

export const plain = (text: string): PlainTextElement => ({
  type: "plain_text",
  text: truncate(text, 3000) || " ",
  emoji: true,
});

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * The longest start of `text` that is whole characters (grapheme clusters: an emoji with its
 * skin tone, a flag, a family) and at most `units` UTF-16 code units, the strictest way Slack's
 * length limits can be counted.
 */
function wholeCharactersWithin(text: string, units: number): string {
  let end = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    if (index + segment.length > units) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/** Shortens to at most `max` UTF-16 units, ending with "…", never cutting a character in half. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${wholeCharactersWithin(text, Math.max(0, max - 1))}…`;
}

/**
 * Makes user-supplied text inert in mrkdwn: no <!channel>, <@U…> or links, no stray formatting.
 * Slack requires &, < and > escaped; zero-width spaces break *bold*, _italic_, ~strike~ and `code`.
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([*_~`])/g, "\u200b$1\u200b")
    .replace(/@(channel|here|everyone)\b/gi, "@\u200b$1");
}

export const mrkdwnSection = (text: string): KnownBlock => ({
  type: "section",
  text: { type: "mrkdwn", text: truncate(text, 3000) || " " },
});

export const context = (text: string): KnownBlock => ({
  type: "context",
  elements: [{ type: "mrkdwn", text: truncate(text, 3000) || " " }],
});

/** Escapes, then shortens to at most `max` characters without cutting an entity such as &amp; in half. */
export function escapeTruncate(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  return `${wholeCharactersWithin(escaped, max - 1).replace(/&[a-z]*$/, "")}…`;
}

/** Who wrote a note: a Slack user id is shown as the person (a mention), anything else as written. */
export function authorLabel(author: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(author) ? `<@${author}>` : escapeTruncate(author, 60);
}

/** Slack gives our own mrkdwn back escaped (a card's banner); undo that so it is escaped exactly once again. */
export const unescapeMrkdwn = (text: string) =>
  text
    .replace(/\u200b/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/**
 * A phone number as people read it ("+1 212 555 0182", "… ext. 12"). Anything that is not a number
 * (a caller's From of `client:…` or `sip:…`, or worse) is escaped: it can never mention or link.
 */
export function phoneText(value: string, ext?: string | null): string {
  const text = ext ? formatPhoneWithExt(value, ext) : formatPhone(value);
  return /^\+?[\d ().-]+( ext\. \d+)?$/.test(text) ? text : escapeTruncate(text, 60);
}

/**
 * A lead's number for a channel where the workspace masks numbers: the country code and the last 4
 * digits ("+1 ••• ••• 0182"); every other digit (an extension's too) becomes •. Not a number: "a hidden number".
 */
export function maskedPhoneText(value: string): string {
  const text = formatPhone(value);
  if (!/^\+[\d ().-]+$/.test(text)) return "a hidden number";
  const [country, ...rest] = text.split(" ");
  const digits = rest.join(" ");
  const total = digits.replace(/\D/g, "").length;
  if (total < 7) return "a hidden number";
  let seen = 0;
  const masked = digits.replace(/\d/g, (digit) => {
    seen += 1;
    return seen > total - 4 ? digit : "•";
  });
  return `${country} ${masked.replace(/•+/g, "•••")}`;
}

/** A lead's number in a message: masked when the message is for a channel of a workspace that masks numbers. */
export function leadPhoneText(value: string, mask: boolean | undefined, ext?: string | null): string {
  return mask ? maskedPhoneText(value) : phoneText(value, ext);
}

/** "1 call", "2 calls", "0 calls". */
export function countOf(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
