import type { Words } from "./words.js";

// The leads domain's refusals (src/services/leads), in the words a person reads.

const text = (value: unknown) => (typeof value === "string" ? value : String(value ?? ""));

export const LEAD_WORDS: Record<string, Words> = {
  csv_binary: (data) =>
    `${text(data.name)} is a binary file (a spreadsheet?), not a CSV: in Excel or Google Sheets use File → Save as / Download → CSV.`,
  csv_not_utf8: (data) => `${text(data.name)} is not UTF-8 text: save it again as "CSV UTF-8".`,
  csv_unreadable: (data) => `The file is not a readable CSV: ${text(data.detail)}`,
  csv_empty: () => "The file is empty: it needs a header row with name, phone, email, source.",
  csv_header: (data) =>
    `The header must name the columns name and phone (found: ${Array.isArray(data.found) && data.found.length > 0 ? data.found.map(String).join(", ") : "nothing"}).`,
  note_empty: () => "The note is empty.",
  note_too_long: (data) => `Keep the note under ${text(data.max)} characters.`,
  phone_not_callable: (data) => `"${text(data.raw)}" is not a callable number: ${text(data.reason)}.`,
  stale_phone: (data) =>
    `${text(data.leadName)}'s number changed to ${typeof data.current === "string" ? data.current : "none"} while this form was open. Close it and open it again to change it.`,
  duplicate_lead: (data) => `${text(data.leadName)} (lead #${text(data.leadId)}) already has this phone number.`,
};
