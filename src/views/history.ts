import type { Call, Lead, Note } from "@prisma/client";
import type { KnownBlock, ModalView } from "@slack/types";
import { ids } from "../lib/ids.js";
import { formatDuration } from "../lib/time.js";
import { MODE_LABELS } from "../services/calls/modes.js";
import { OUTCOMES, type Outcome } from "../services/calls/outcomes.js";
import { authorLabel, context, escapeTruncate, mrkdwnSection, phoneText, plain } from "./common.js";

/** Items per History page: each is one block, well inside a modal's 100 blocks and its size limit. */
export const HISTORY_PAGE_SIZE = 40;

type Item = { at: Date; note?: Note; call?: Call };

/** Every note and call of a lead, newest first. */
export function historyItems(notes: Note[], calls: Call[]): Item[] {
  return [
    ...notes.map((note) => ({ at: note.createdAt, note })),
    ...calls.map((call) => ({ at: call.createdAt, call })),
  ].sort((a, b) => b.at.getTime() - a.at.getTime());
}

const when = (at: Date) => at.toISOString().slice(0, 16).replace("T", " ");

function callText(call: Call, recordingUrl?: string): string {
  const status =
    call.status === "completed" && call.durationSec != null
      ? `completed (${formatDuration(call.durationSec)})`
      : call.status;
  const parts = [
    `:telephone_receiver: *${MODE_LABELS[call.mode] ?? call.mode}* by <@${call.placedBy}> to ${phoneText(call.toNumber)}`,
    status,
    call.outcome ? `outcome: ${OUTCOMES[call.outcome as Outcome] ?? call.outcome}` : undefined,
    call.twilioSid ? `Call SID ${call.twilioSid}` : undefined,
    recordingUrl ? `<${recordingUrl}|recording>` : undefined,
  ].filter(Boolean);
  return parts.join(" · ");
}

/** The History modal: one page of the lead's notes and calls, with Older / Newer. */
export function historyModal(
  lead: Pick<Lead, "id" | "name">,
  items: Item[],
  page: number,
  options: { recordingUrl?: (call: Call) => string | undefined; privateMetadata: string },
): ModalView {
  const pages = Math.max(1, Math.ceil(items.length / HISTORY_PAGE_SIZE));
  const current = Math.min(Math.max(0, page), pages - 1);
  const shown = items.slice(current * HISTORY_PAGE_SIZE, (current + 1) * HISTORY_PAGE_SIZE);
  const blocks: KnownBlock[] = [
    mrkdwnSection(`*${escapeTruncate(lead.name, 150)}* · lead #${lead.id} · ${items.length} entries`),
  ];
  if (shown.length === 0) blocks.push(context("No notes or calls yet."));
  for (const item of shown) {
    const text = item.call
      ? callText(item.call, item.call.recordingSid ? options.recordingUrl?.(item.call) : undefined)
      : `:memo: ${escapeTruncate(item.note!.body, 1500)} — ${authorLabel(item.note!.author)}`;
    blocks.push(context(`${when(item.at)} UTC · ${text}`));
  }
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
