import type { Call, Lead, Note, Text } from "@prisma/client";
import type { ContextBlock, KnownBlock, ModalView } from "@slack/types";
import { DateTime } from "luxon";
import { ids } from "../lib/ids.js";
import { formatDuration } from "../lib/time.js";
import { MODE_LABELS } from "../services/calls/modes.js";
import { OUTCOMES, type Outcome } from "../services/calls/outcomes.js";
import type { CallSummaryBrief } from "../services/transcripts/summary-insights.js";
import { authorLabel, context, escapeTruncate, mrkdwnSection, phoneText, plain } from "./common.js";
import { textStatusWords } from "./texts.js";
import { zoneAbbreviation } from "./verdict-words.js";

/** Items per History page: each is one block, well inside a modal's 100 blocks and its size limit. */
export const HISTORY_PAGE_SIZE = 40;

type Item = { at: Date; note?: Note; call?: Call; text?: Text };

/** Every note, call and text of a lead, newest first. */
export function historyItems(notes: Note[], calls: Call[], texts: Text[] = []): Item[] {
  return [
    ...notes.map((note) => ({ at: note.createdAt, note })),
    ...calls.map((call) => ({ at: call.createdAt, call })),
    ...texts.map((text) => ({ at: text.createdAt, text })),
  ].sort((a, b) => b.at.getTime() - a.at.getTime());
}

/** A text in History: who, which way, where it got (Twilio's code when it failed), and its words, escaped. */
function textText(text: Text): string {
  const inbound = text.direction === "inbound";
  const who = inbound
    ? `from ${phoneText(text.phone)}`
    : `${text.agentId && /^[UW][A-Z0-9]{2,}$/.test(text.agentId) ? `by <@${text.agentId}> ` : ""}to ${phoneText(text.phone)}`;
  const keyword = text.optOutType ? ` (${text.optOutType})` : "";
  // In the words of the text's line in the thread ("not sent", "queued"), never the stored code ("not_sent").
  const status = inbound ? "received" : textStatusWords(text.status, text.errorCode).replace(/^:[a-z_]+: /, "");
  return `:speech_balloon: *Text* ${who}${keyword} · ${status} · “${escapeTruncate(text.body, 600)}”`;
}

/** "Tue Nov 24, 10:03 AM EST": a moment in the reader's zone. */
export function readerTime(at: Date, zone: string): string {
  return `${DateTime.fromJSDate(at, { zone }).toFormat("ccc LLL d, h:mm a")} ${zoneAbbreviation(zone, at)}`;
}

const ISO_TIME = /\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z\b/g;
const NOTE_SID = /\s*-?\s*Call SID:?\s*((?:CA|RE)[0-9a-f]{32})/gi;

/**
 * A stored note as the reader reads it: ISO times (as notes are written, for other systems) in the
 * reader's zone, and its Call SIDs taken out of the sentence (shown apart, for Twilio's console).
 */
export function readableNote(body: string, zone: string): { text: string; sids: string[] } {
  const sids = [...body.matchAll(NOTE_SID)].map((match) => match[1]!);
  const text = body
    .replace(NOTE_SID, "")
    .replace(ISO_TIME, (iso) => {
      const at = new Date(iso);
      return Number.isNaN(at.getTime()) ? iso : readerTime(at, zone);
    })
    .replace(/\s+-\s*$/, "");
  return { text, sids };
}

/** A call's summary beside it: its lines (escaped: they come from a call), and what it suggested. */
function summaryText(brief: CallSummaryBrief): string {
  const suggested = brief.suggestedOutcome
    ? (OUTCOMES[brief.suggestedOutcome as Outcome] ?? brief.suggestedOutcome)
    : "";
  const applied = brief.appliedOutcome ? " (applied)" : "";
  return `\n:memo: _Summary:_ ${escapeTruncate(brief.lines.join(" "), 900)}${suggested ? ` · suggested: ${suggested}${applied}` : ""}`;
}

function callText(call: Call, recordingUrl?: string): string {
  const status =
    call.status === "completed" && call.durationSec != null
      ? `completed (${formatDuration(call.durationSec)})`
      : call.status;
  const parts = [
    `:telephone_receiver: *${MODE_LABELS[call.mode] ?? call.mode}* by <@${call.placedBy}> to ${phoneText(call.toNumber)}`,
    status,
    call.outcome ? `outcome: ${OUTCOMES[call.outcome as Outcome] ?? call.outcome}` : undefined,
    recordingUrl ? `<${recordingUrl}|recording>` : undefined,
  ].filter(Boolean);
  return parts.join(" · ");
}

/** One entry: when (the reader's zone) and what, with the Call SID in its own, quieter element. */
function historyEntry(
  item: Item,
  options: {
    recordingUrl?: (call: Call) => string | undefined;
    summaryOf?: (call: Call) => CallSummaryBrief | undefined;
    zone: string;
  },
): ContextBlock {
  const at = readerTime(item.at, options.zone);
  let text: string;
  let sids: string[];
  if (item.text) {
    text = textText(item.text);
    sids = [];
  } else if (item.call) {
    text = callText(item.call, item.call.recordingSid ? options.recordingUrl?.(item.call) : undefined);
    const brief = options.summaryOf?.(item.call);
    if (brief && brief.lines.length > 0) text += summaryText(brief);
    sids = item.call.twilioSid ? [item.call.twilioSid] : [];
  } else {
    const note = readableNote(item.note!.body, options.zone);
    text = `:memo: ${escapeTruncate(note.text, 1500)} — ${authorLabel(item.note!.author)}`;
    sids = note.sids;
  }
  const elements: ContextBlock["elements"] = [{ type: "mrkdwn", text: `${at} · ${text}` }];
  if (sids.length > 0) elements.push({ type: "plain_text", text: `Call SID ${sids.join(", ")}`, emoji: false });
  return { type: "context", elements };
}

/** The History modal: one page of the lead's notes and calls, with Older / Newer. */
export function historyModal(
  lead: Pick<Lead, "id" | "name">,
  items: Item[],
  page: number,
  options: {
    recordingUrl?: (call: Call) => string | undefined;
    /** The call's summary, when one was made (transcripts and summaries on). */
    summaryOf?: (call: Call) => CallSummaryBrief | undefined;
    privateMetadata: string;
    /** The reader's time zone (their Slack profile's): every time is shown in it. */
    zone: string;
  },
): ModalView {
  const pages = Math.max(1, Math.ceil(items.length / HISTORY_PAGE_SIZE));
  const current = Math.min(Math.max(0, page), pages - 1);
  const shown = items.slice(current * HISTORY_PAGE_SIZE, (current + 1) * HISTORY_PAGE_SIZE);
  const blocks: KnownBlock[] = [
    mrkdwnSection(`*${escapeTruncate(lead.name, 150)}* · lead #${lead.id} · ${items.length} entries`),
  ];
  if (shown.length === 0) blocks.push(context("No notes, calls or texts yet."));
  for (const item of shown) blocks.push(historyEntry(item, options));
  const buttons = [];
  if (current > 0)
    buttons.push({
      type: "button" as const,
      action_id: ids.lead.historyNewerAction,
      text: plain("Newer"),
      value: String(current - 1),
    });
  if (current < pages - 1)
    buttons.push({
      type: "button" as const,
      action_id: ids.lead.historyOlderAction,
      text: plain("Older"),
      value: String(current + 1),
    });
  if (buttons.length > 0) blocks.push({ type: "actions", elements: buttons });
  blocks.push(context(`Page ${current + 1} of ${pages}`));
  return {
    type: "modal",
    callback_id: ids.lead.historyCallbackId,
    title: plain("History"),
    close: plain("Close"),
    private_metadata: options.privateMetadata,
    blocks,
  };
}
