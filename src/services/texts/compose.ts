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
  if (!body) throw UserError.of("text_empty");
  const full = added(body);
  const segments = segmentsOf(full);
  if (segments > MAX_SEGMENTS || full.length > 1600)
    throw UserError.of("text_too_long", { segments, characters: full.length, maxSegments: MAX_SEGMENTS });
  return full;
}

/** Twilio's send errors that mean the number cannot take texts (a landline, not a mobile, unreachable). */
export const CANNOT_TEXT = new Set([21614, 21612, 30006, 30003, 30005]);

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
