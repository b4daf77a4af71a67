import { describe, expect, it } from "vitest";
import { messageRefusal, viewRefusal } from "../../sandbox/slack/block-kit/index.js";
import { UserError } from "../../src/lib/errors.js";
import { AdminOnly } from "../../src/services/setup/admin-gate.js";
import {
  leadImportFailedMessage,
  leadImportModal,
  leadImportReportMessage,
  leadImportStartedModal,
} from "../../src/views/lead-import.js";
import { HOSTILE_NAME } from "./fixtures.js";

// /lead import's words: the form, the report of what was added and skipped (and why), the refusals.

describe("/lead import views", () => {
  it("the form is one CSV file input Slack accepts, and says what the file needs", () => {
    const modal = leadImportModal("{}");
    expect(viewRefusal(modal, "modal")).toBeUndefined();
    expect(JSON.stringify(modal)).toContain("*name* and *phone* (needed)");
    expect(modal.blocks[1]).toMatchObject({ type: "input", element: { type: "file_input", max_files: 1 } });
    expect(viewRefusal(leadImportStartedModal(HOSTILE_NAME), "modal")).toBeUndefined();
  });

  it("the report counts, then lists each skipped row by line with its reason, escaped", () => {
    const message = leadImportReportMessage("leads.csv", {
      created: [{ line: 2, id: 1, name: "Jane" }],
      duplicates: [{ line: 4, name: HOSTILE_NAME, existingId: 1, existingName: "Jane" }],
      rejected: [{ line: 3, reason: "no phone number" }],
    });
    expect(message.text).toBe("Imported leads.csv: added 1 lead, skipped 2 rows (1 already a lead, 1 not valid).");
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain("line 3: no phone number\\n• line 4: &lt;!channel&gt;");
    expect(shown).not.toContain("<!channel>");
    expect(shown).toContain("Fix those rows and import the file again");
    expect(messageRefusal({ text: message.text, blocks: message.blocks })).toBeUndefined();
  });

  it("a thousand skipped rows fit Slack's limits: 40 listed, the rest counted", () => {
    const rejected = Array.from({ length: 1000 }, (_, i) => ({ line: i + 2, reason: `reason ${"x".repeat(250)}` }));
    const message = leadImportReportMessage("big.csv", { created: [], duplicates: [], rejected });
    expect(messageRefusal({ text: message.text, blocks: message.blocks })).toBeUndefined();
    expect(JSON.stringify(message.blocks).match(/• line/g)).toHaveLength(40);
    expect(JSON.stringify(message.blocks)).toContain("…and 960 more skipped rows.");
  });

  it("refusals say what to fix and that nothing was added", () => {
    expect(leadImportFailedMessage("a.csv", new UserError("The file is empty.")).text).toBe(
      ":x: Could not import *a.csv*: The file is empty. No leads were added.",
    );
    expect(leadImportFailedMessage(undefined, new AdminOnly("lead_import")).text).toBe(
      ":x: Could not import the file: Only Leadline admins can import leads. No leads were added.",
    );
    expect(leadImportFailedMessage("a.csv", new Error("socket hang up")).text).toContain(
      "could not read the file from Slack. Try again in a minute",
    );
  });
});
