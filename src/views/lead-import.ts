import type { KnownBlock, ModalView } from "@slack/types";
import { isExpected } from "../lib/errors.js";
import { INPUT_ACTION, ids, leadFields } from "../lib/ids.js";
import type { ImportReport } from "../services/leads/lead-import.js";
import { context, countOf, escapeTruncate, mrkdwnSection, plain } from "./common.js";
import { fieldError } from "./errors.js";

/** The columns a lead CSV may have, as `/lead import` and `npm run leads:import` read them. */
const COLUMNS_TEXT =
  "A header row naming the columns *name* and *phone* (needed), and any of *email*, *source*, *state*, *zip* (state or ZIP places the lead for calling hours).";

/** Lines of skipped rows listed in one report; the rest are counted. */
const LISTED = 40;

/** `/lead import`: the modal with a file input for one CSV (admins). */
export function leadImportModal(privateMetadata: string): ModalView {
  return {
    type: "modal",
    callback_id: ids.lead.importCallbackId,
    title: plain("Import leads"),
    submit: plain("Import"),
    close: plain("Cancel"),
    private_metadata: privateMetadata,
    blocks: [
      mrkdwnSection(
        `Upload a CSV file of leads (up to 10 MB). ${COLUMNS_TEXT} Each row is added whole or not at all; a row whose phone is already a lead's is skipped, so importing the same file again adds nothing twice.`,
      ),
      {
        type: "input",
        block_id: leadFields.importFile,
        label: plain("CSV file"),
        element: { type: "file_input", action_id: INPUT_ACTION, filetypes: ["csv", "txt"], max_files: 1 },
      },
      context("Leadline reads the file once and sends you a report of what was added and what was skipped, and why."),
    ],
  };
}

/** The modal after Import: the report comes as a direct message. */
export function leadImportStartedModal(fileName: string): ModalView {
  return {
    type: "modal",
    callback_id: ids.lead.savedCallbackId,
    title: plain("Import leads"),
    close: plain("Done"),
    blocks: [
      mrkdwnSection(
        `:hourglass_flowing_sand: Importing *${escapeTruncate(fileName, 200)}*. Leadline sends you the report in a direct message when it is done.`,
      ),
    ],
  };
}

/** The report of one import: counts, then each skipped row with its line and reason. */
export function leadImportReportMessage(
  fileName: string,
  report: ImportReport,
): { text: string; blocks: KnownBlock[] } {
  const added = countOf(report.created.length, "lead");
  const skipped = report.duplicates.length + report.rejected.length;
  const why = [
    report.duplicates.length > 0
      ? `${report.duplicates.length} already ${report.duplicates.length === 1 ? "a lead" : "leads"}`
      : "",
    report.rejected.length > 0 ? `${report.rejected.length} not valid` : "",
  ].filter(Boolean);
  const summary = `Imported ${escapeTruncate(fileName, 200)}: added ${added}, ${skipped > 0 ? `skipped ${countOf(skipped, "row")} (${why.join(", ")})` : "nothing skipped"}.`;
  const rows = [
    ...report.duplicates.map((d) => ({
      line: d.line,
      text: `line ${d.line}: ${escapeTruncate(d.name || "(no name)", 80)} — already a lead: its phone is #${d.existingId} ${escapeTruncate(d.existingName, 80)}'s`,
    })),
    ...report.rejected.map((r) => ({ line: r.line, text: `line ${r.line}: ${escapeTruncate(r.reason, 300)}` })),
  ].sort((a, b) => a.line - b.line);
  const blocks: KnownBlock[] = [mrkdwnSection(`:inbox_tray: ${summary}`)];
  const listed = rows.slice(0, LISTED).map((row) => `• ${row.text}`);
  // A section holds 3,000 characters: the skipped rows go in as many sections as they need.
  const chunks: string[] = [];
  for (const line of listed) {
    const last = chunks.at(-1);
    if (last !== undefined && last.length + line.length + 1 <= 2900) chunks[chunks.length - 1] = `${last}\n${line}`;
    else chunks.push(line);
  }
  for (const [i, chunk] of chunks.entries()) blocks.push(mrkdwnSection(i === 0 ? `*Skipped:*\n${chunk}` : chunk));
  if (rows.length > LISTED) blocks.push(context(`…and ${countOf(rows.length - LISTED, "more skipped row")}.`));
  if (report.rejected.length > 0)
    blocks.push(context("Fix those rows and import the file again: rows already added are skipped, not added twice."));
  return { text: summary, blocks };
}

/** The file could not be read as a lead CSV (or the asker may not import): what to fix; nothing was added. */
export function leadImportFailedMessage(fileName: string | undefined, error: unknown): { text: string } {
  const reason = isExpected(error)
    ? fieldError(error)
    : "Leadline could not read the file from Slack. Try again in a minute: rows already added are skipped, not added twice.";
  const what = fileName ? `*${escapeTruncate(fileName, 200)}*` : "the file";
  return { text: `:x: Could not import ${what}: ${escapeTruncate(reason, 1500)} No leads were added.` };
}
