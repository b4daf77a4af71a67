import { parseCsv } from "../../lib/csv.js";
import { UserError } from "../../lib/errors.js";
import { DuplicateLeadError, type LeadService, LeadValidationError } from "./lead-service.js";

export interface ImportReport {
  created: { line: number; id: number; name: string }[];
  duplicates: { line: number; name: string; existingId: number; existingName: string }[];
  rejected: { line: number; reason: string }[];
}

/** state and zip (optional) place the lead for calling hours. */
const COLUMNS = ["name", "phone", "email", "source", "state", "zip"] as const;

/**
 * The bytes of a lead CSV as text, refused whole when they are not one: a spreadsheet or other
 * binary file, or text that is not UTF-8. Shared by `npm run leads:import` and `/lead import`.
 */
export function csvText(bytes: Uint8Array, name: string): string {
  if (bytes.includes(0)) throw UserError.of("csv_binary", { name });
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw UserError.of("csv_not_utf8", { name });
  }
}

/** Imports a CSV with a header (name, phone, email, source, state, zip); each row is created whole or not at all. */
export async function importLeadsCsv(
  ws: number,
  text: string,
  leads: LeadService,
  author: string,
): Promise<ImportReport> {
  const report: ImportReport = { created: [], duplicates: [], rejected: [] };
  let rows: ReturnType<typeof parseCsv>;
  try {
    rows = parseCsv(text);
  } catch (error) {
    throw UserError.of("csv_unreadable", { detail: (error as Error).message });
  }
  const header = rows.shift();
  if (!header) throw UserError.of("csv_empty");
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const index = Object.fromEntries(COLUMNS.map((column) => [column, names.indexOf(column)])) as Record<
    (typeof COLUMNS)[number],
    number
  >;
  if (index.name < 0 || index.phone < 0) {
    throw UserError.of("csv_header", { found: header.fields });
  }
  for (const row of rows) {
    const get = (column: (typeof COLUMNS)[number]) =>
      index[column] >= 0 ? (row.fields[index[column]] ?? "").trim() : "";
    if (row.fields.every((field) => field.trim() === "")) continue;
    if (!get("phone")) {
      report.rejected.push({ line: row.line, reason: "no phone number" });
      continue;
    }
    try {
      const lead = await leads.create(ws, {
        name: get("name"),
        phone: get("phone"),
        email: get("email") || undefined,
        source: get("source") || undefined,
        state: get("state") || undefined,
        zip: get("zip") || undefined,
        author,
      });
      report.created.push({ line: row.line, id: lead.id, name: lead.name });
    } catch (error) {
      if (error instanceof DuplicateLeadError) {
        report.duplicates.push({
          line: row.line,
          name: get("name"),
          existingId: error.existing.id,
          existingName: error.existing.name,
        });
      } else if (error instanceof LeadValidationError) {
        report.rejected.push({ line: row.line, reason: Object.values(error.errors).join(" ") });
      } else {
        throw error;
      }
    }
  }
  return report;
}

export function formatImportReport(report: ImportReport): string {
  const lines = [
    `Created ${report.created.length}, duplicates ${report.duplicates.length}, rejected ${report.rejected.length}.`,
    ...report.duplicates.map(
      (d) =>
        `  line ${d.line}: duplicate — ${d.name || "(no name)"} has the phone of lead #${d.existingId} ${d.existingName}`,
    ),
    ...report.rejected.map((r) => `  line ${r.line}: rejected — ${r.reason}`),
  ];
  return lines.join("\n");
}
