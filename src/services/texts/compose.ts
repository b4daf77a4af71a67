import { UserError } from "../../lib/errors.js";
import { segmentsOf } from "../../lib/segments.js";

/** The most segments one text may take (Twilio's body limit is 1,600 characters, about 10 segments). */
export const MAX_SEGMENTS = 10;

/** Words the first text to a lead carries: who is texting and how to stop (CTIA; 47 CFR 64.1200). */
export function firstTextBody(body: string, teamName: string): string {
  return `${teamName}: ${body}\nReply STOP to opt out.`;
}

/** A text an agent wrote, checked: not empty, at most 10 segments (with the words Leadline adds). */
export function checkBody(raw: string, added: (body: string) => string = (b) => b): string {
  const body = raw.replace(/\r\n/g, "\n").trim();
  if (!body) throw new UserError("The text is empty; write what to send.", { code: "text_empty" });
  const full = added(body);
  const segments = segmentsOf(full);
  if (segments > MAX_SEGMENTS || full.length > 1600)
    throw new UserError(
      `The text is too long: ${segments} segments (${full.length} characters); at most ${MAX_SEGMENTS} segments can be sent. Shorten it.`,
      { code: "text_too_long", data: { segments, characters: full.length } },
    );
  return full;
}

/** Twilio's send errors that mean the number cannot take texts (a landline, not a mobile, unreachable). */
export const CANNOT_TEXT = new Set([21614, 21612, 30006, 30003, 30005]);

/** Words for Twilio's texting codes a person may meet; anything else shows Twilio's own words. */
export function textErrorWords(code: number | null | undefined, twilioWords?: string | null): string {
  switch (code) {
    case 21610:
      return "the lead has opted out of texts from this team (they replied STOP)";
    case 21614:
    case 30006:
      return "the number cannot receive texts (a landline or a number without texting)";
    case 21612:
    case 30003:
    case 30005:
      return "the number cannot be reached by text";
    case 21408:
      return "texting to this country is not enabled on the Twilio account";
    case 30007:
      return "the carrier filtered the text as spam";
    case 30034:
      return "the carrier blocked it: the Messaging Service has no approved US A2P 10DLC campaign, so texts to US numbers are not delivered. Texting is off until your A2P campaign is approved";
    default:
      return twilioWords ?? "Twilio did not say why";
  }
}

export interface TextTemplate {
  name: string;
  body: string;
}

/** The team's templates from /twilio-setup: one a line, "Name: text" (a line without a name is named by its start). */
export function parseTemplates(setting: string | undefined): TextTemplate[] {
  return (setting ?? "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 50)
    .map((line) => {
      const named = /^([^:{}]{1,40}):\s*(\S[\s\S]*)$/.exec(line);
      return named ? { name: named[1]!.trim(), body: named[2]! } : { name: line.slice(0, 30), body: line };
    });
}

/** A template filled in: {{firstName}}, {{name}}, {{agentName}} (unknown placeholders are left out). */
export function renderTemplate(body: string, values: { leadName: string; agentName?: string }): string {
  const firstName = values.leadName.trim().split(/\s+/)[0] ?? "";
  const fill: Record<string, string> = {
    firstname: firstName,
    name: values.leadName.trim(),
    agentname: values.agentName?.trim() ?? "",
    agent: values.agentName?.trim() ?? "",
  };
  return body
    .replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_, key: string) => fill[key.toLowerCase()] ?? "")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}
