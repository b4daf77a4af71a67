import type { KnownBlock } from "@slack/types";
import { formatPhone } from "../lib/phone.js";
import { formatDuration } from "../lib/time.js";
import { context, escapeTruncate, mrkdwnSection } from "./common.js";
import { type CallMode, MODE_LABELS } from "./lead-card.js";

export interface CallMessageInput {
  agentId: string;
  leadName: string;
  leadId: number;
  to: string;
  from: string;
  mode: CallMode;
  sid?: string | null;
  status: string;
  durationSec?: number | null;
  answeredBy?: string | null;
  note?: string;
}

const STATUS_LABELS: Record<string, string> = {
  dialing: "dialing",
  queued: "queued",
  initiated: "initiated",
  ringing: "ringing",
  "in-progress": "in progress",
  completed: "completed",
  busy: "busy",
  "no-answer": "no answer",
  failed: "failed",
  canceled: "canceled",
  unknown: "unconfirmed",
};

function answeredByText(answeredBy: string | null | undefined): string | undefined {
  if (!answeredBy) return undefined;
  if (answeredBy === "human") return "answered by a person";
  if (answeredBy.startsWith("machine") || answeredBy === "fax") return "answered by a machine";
  return undefined;
}

export function statusText(input: Pick<CallMessageInput, "status" | "durationSec" | "answeredBy" | "note">): string {
  const label = STATUS_LABELS[input.status] ?? input.status;
  const details = [
    input.status === "completed" && input.durationSec != null ? formatDuration(input.durationSec) : undefined,
    answeredByText(input.answeredBy),
    input.note,
  ].filter(Boolean);
  return details.length > 0 ? `${label} (${details.join(", ")})` : label;
}

/** The channel line for a call, edited as the call moves on. Lead text is escaped. */
export function callMessage(input: CallMessageInput): { text: string; blocks: KnownBlock[] } {
  const line = [
    `:telephone_receiver: <@${input.agentId}> is calling *${escapeTruncate(input.leadName, 150)}* (${formatPhone(input.to)}) from ${formatPhone(input.from)}`,
    MODE_LABELS[input.mode],
    input.sid ? `Call SID ${input.sid}` : undefined,
    statusText(input),
  ]
    .filter(Boolean)
    .join(" · ");
  return { text: line, blocks: [mrkdwnSection(line), context(`lead #${input.leadId}`)] };
}
