import type { Lead, Text } from "@prisma/client";
import type { KnownBlock } from "@slack/types";
import { ids } from "../lib/ids.js";
import { textErrorWords } from "../services/texts/compose.js";
import { context, escapeTruncate, mrkdwnSection, phoneText, plain } from "./common.js";

/** How each stored status reads on a text's line. */
const STATUS_WORDS: Record<string, string> = {
  sending: ":hourglass_flowing_sand: sending",
  unknown: ":grey_question: asking Twilio whether it was sent",
  accepted: ":hourglass_flowing_sand: queued",
  queued: ":hourglass_flowing_sand: queued",
  "sending-twilio": ":outbox_tray: sending",
  sent: ":outbox_tray: sent",
  delivered: ":white_check_mark: delivered",
  undelivered: ":warning: undelivered",
  failed: ":x: failed",
  not_sent: ":no_entry_sign: not sent",
};

/** An outbound text's line in the lead's thread: who sent what, and where it is (queued → sent → delivered). */
export function outboundTextLine(text: Text, lead: Pick<Lead, "name"> | null): { text: string; blocks: KnownBlock[] } {
  const to = lead ? `*${escapeTruncate(lead.name, 150)}*` : phoneText(text.phone);
  const by = text.agentId && /^[UW][A-Z0-9]{2,}$/.test(text.agentId) ? `<@${text.agentId}>` : "Leadline";
  const status = STATUS_WORDS[text.status] ?? escapeTruncate(text.status, 40);
  const failed = text.status === "undelivered" || text.status === "failed";
  const why =
    failed || text.errorCode
      ? ` (${text.errorCode ?? "?"}: ${escapeTruncate(textErrorWords(text.errorCode, text.errorMessage), 400)})`
      : "";
  const head = `:speech_balloon: ${by} texted ${to} — ${status}${why}`;
  return {
    text: `${by} texted ${lead ? escapeTruncate(lead.name, 150) : phoneText(text.phone)}: ${status.replace(/^:[a-z_]+: /, "")}`,
    blocks: [mrkdwnSection(head), mrkdwnSection(`>${escapeTruncate(text.body, 2800).replace(/\n/g, "\n>")}`)],
  };
}

/** An inbound text: in the lead's thread, or a new "Text from …" message (an unknown number gets Add as lead). */
export function inboundTextMessage(
  text: Text,
  lead: Pick<Lead, "id" | "name"> | null,
): {
  text: string;
  blocks: KnownBlock[];
} {
  const from = lead ? `*${escapeTruncate(lead.name, 150)}*` : phoneText(text.phone);
  const keyword = text.optOutType ? ` (${text.optOutType})` : "";
  const head = `:incoming_envelope: Text from ${from}${keyword}`;
  const button = lead
    ? {
        type: "button" as const,
        action_id: ids.texts.replyAction,
        text: plain("Reply by text"),
        value: String(lead.id),
      }
    : {
        type: "button" as const,
        action_id: ids.lead.addAction,
        text: plain("Add as lead"),
        value: JSON.stringify({ phone: text.phone }),
        style: "primary" as const,
      };
  return {
    text: `Text from ${lead ? escapeTruncate(lead.name, 150) : phoneText(text.phone)}${keyword}`,
    blocks: [
      mrkdwnSection(head),
      mrkdwnSection(`>${escapeTruncate(text.body || " ", 2800).replace(/\n/g, "\n>")}`),
      { type: "actions", block_id: `text_${text.id}`, elements: [button] },
    ],
  };
}

/** STOP (or Twilio's 21610) said in the lead's thread: what Leadline did about it. */
export function optedOutMessage(
  lead: Pick<Lead, "name"> | null,
  phone: string,
  facts: { source: string; cancelled: number; revoked: number },
): { text: string; blocks: KnownBlock[] } {
  const who = lead ? `*${escapeTruncate(lead.name, 150)}*` : phoneText(phone);
  const how = facts.source.startsWith("twilio") ? "Twilio reports they opted out of texts (21610)" : "they texted STOP";
  const parts = [
    `:no_entry: ${who} opted out: ${how}. ${phoneText(phone)} is now on the do-not-call list for calls and texts.`,
  ];
  const more: string[] = [];
  if (facts.revoked > 0) more.push(`${facts.revoked} consent record${facts.revoked === 1 ? "" : "s"} revoked`);
  if (facts.cancelled > 0)
    more.push(
      `${facts.cancelled} scheduled call${facts.cancelled === 1 ? "" : "s"} or text${facts.cancelled === 1 ? "" : "s"} cancelled`,
    );
  const blocks: KnownBlock[] = [mrkdwnSection(parts[0]!)];
  if (more.length > 0) blocks.push(context(`${more.join("; ")}.`));
  return { text: `${parts[0]!.replace(/\*/g, "")}${more.length ? ` ${more.join("; ")}.` : ""}`, blocks };
}
