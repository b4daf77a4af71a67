import type { DncEntry } from "@prisma/client";
import { ago } from "../lib/time.js";
import { authorLabel, escapeTruncate, phoneText } from "./common.js";

// Angle brackets are escaped: Slack reads a raw <…> as a link, even inside `code`.
export const DNC_HELP =
  "*/dnc* — the team's do-not-call list, kept by phone number: a listed number blocks every lead that has it, in every call mode.\n" +
  "`/dnc add &lt;phone&gt; [reason]` puts a number on the list · `/dnc check &lt;phone&gt;` says whether it is listed · " +
  "`/dnc remove &lt;phone&gt; &lt;reason&gt;` takes it off (admins only, with a reason; audited).";

const SOURCE_LABELS: Record<string, string> = {
  keypress: "the lead pressed 9 on a call",
  card: "the Do not call button",
  command: "/dnc add",
  api: "the lead API",
  outcome: "a call outcome",
  registry: "the national registry import",
};

function entryText(entry: DncEntry, now: Date): string {
  const by = entry.source === "registry" || entry.addedBy === "lead" ? "" : ` by ${authorLabel(entry.addedBy)}`;
  const reason = entry.reason ? ` — “${escapeTruncate(entry.reason, 300)}”` : "";
  return `added ${ago(entry.createdAt, now)} ago from ${SOURCE_LABELS[entry.source] ?? entry.source}${by}${reason}`;
}

export function dncAdded(phone: string, entry: DncEntry, added: boolean, now: Date): { text: string } {
  return added
    ? {
        text: `:no_entry: ${phoneText(phone)} is on the do-not-call list now. No lead with this number can be called, in any mode; any consent for it has ended. An admin can take it off with \`/dnc remove\`.`,
      }
    : { text: `:no_entry: ${phoneText(phone)} was already on the do-not-call list (${entryText(entry, now)}).` };
}

export function dncRemoved(phone: string): { text: string } {
  return {
    text: `:white_check_mark: ${phoneText(phone)} is off the do-not-call list. Calls to it are checked against calling hours and consent as usual.`,
  };
}

export function dncChecked(phone: string, entry: DncEntry | undefined, now: Date): { text: string } {
  return entry
    ? { text: `:no_entry: ${phoneText(phone)} is on the do-not-call list (${entryText(entry, now)}).` }
    : { text: `:white_check_mark: ${phoneText(phone)} is not on the do-not-call list.` };
}
