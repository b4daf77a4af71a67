import type { KnownBlock } from "@slack/types";
import type { ComplianceBlock } from "../lib/errors.js";
import { ids } from "../lib/ids.js";
import type { Verdict } from "../services/compliance/verdict.js";
import { context, escapeMrkdwn, escapeTruncate, mrkdwnSection, plain } from "./common.js";
import { describeNextAllowed, describeVerdict } from "./verdict-words.js";

export interface ComplianceCardOptions {
  /** The instant calling hours were judged at. */
  now: Date;
  /** The agent's IANA zone (from Slack), to say next-allowed times in their time too. */
  agentZone?: string;
  /** Scheduling is available: offer "Schedule for <next allowed time>". */
  canSchedule?: boolean;
}

/**
 * What an agent sees when calling law blocks a call: every reason in plain words (the local time
 * there, the rule and its source, the next allowed time in the lead's and the agent's zones), and
 * what they can do about it.
 */
export function complianceCard(
  block: ComplianceBlock,
  options: ComplianceCardOptions,
): { text: string; blocks: KnownBlock[] } {
  const verdict = block.verdict as Extract<Verdict, { allowed: false }>;
  if (block.mode === "text") return textComplianceCard(block, verdict, options);
  const name = escapeTruncate(block.lead.name, 150);
  const lines = describeVerdict(verdict, {
    phone: block.lead.phone ?? undefined,
    agentZone: options.agentZone,
    now: options.now,
  });
  const text = `:no_entry_sign: Not calling *${name}* now: calling law blocks it. Nothing was dialed.`;
  const blocks: KnownBlock[] = [mrkdwnSection(text), ...lines.map((line) => mrkdwnSection(`• ${escapeMrkdwn(line)}`))];
  const value = String(block.lead.id);
  const buttons: Extract<KnownBlock, { type: "actions" }>["elements"] = [];
  const kinds = new Set(verdict.reasons.map((reason) => reason.kind));
  if (verdict.nextAllowedAt && options.canSchedule) {
    buttons.push({
      type: "button",
      action_id: ids.schedule.fromBlockAction,
      text: plain(
        `Schedule for ${describeNextAllowed(verdict.nextAllowedAt, verdict.zones, options.agentZone, options.now).replace(/ \(in .*\)$/, "")}`.slice(
          0,
          75,
        ),
      ),
      value: JSON.stringify({ leadId: block.lead.id, mode: block.mode, at: verdict.nextAllowedAt.toISOString() }),
      style: "primary",
    });
  } else if (verdict.nextAllowedAt) {
    blocks.push(
      context(
        `Try again after ${escapeMrkdwn(describeNextAllowed(verdict.nextAllowedAt, verdict.zones, options.agentZone, options.now))}.`,
      ),
    );
  }
  if (kinds.size === 1 && kinds.has("consent")) {
    buttons.push({
      type: "button",
      action_id: ids.call.liveAction,
      text: plain("Call live instead"),
      value,
      style: "primary",
    });
  }
  if (kinds.has("unknown_zone")) {
    buttons.push({ type: "button", action_id: ids.lead.addressAction, text: plain("Add ZIP or state"), value });
  }
  if (buttons.length > 0) blocks.push({ type: "actions", elements: buttons });
  // The text (notifications, screen readers) carries the reasons too.
  return {
    text: escapeTruncate(
      `Not calling ${block.lead.name} now: calling law blocks it. Nothing was dialed. ${lines.join(" ")}`,
      3000,
    ),
    blocks,
  };
}

/** A text the law refuses now: every reason, and **Send at …** (a scheduled text) when only time stands in the way. */
function textComplianceCard(
  block: ComplianceBlock,
  verdict: Extract<Verdict, { allowed: false }>,
  options: ComplianceCardOptions,
): { text: string; blocks: KnownBlock[] } {
  const name = escapeTruncate(block.lead.name, 150);
  const lines = describeVerdict(verdict, {
    phone: block.lead.phone ?? undefined,
    agentZone: options.agentZone,
    now: options.now,
    channel: "text",
  });
  const text = `:no_entry_sign: Not texting *${name}* now: the law blocks it. Nothing was sent.`;
  const blocks: KnownBlock[] = [mrkdwnSection(text), ...lines.map((line) => mrkdwnSection(`• ${escapeMrkdwn(line)}`))];
  const textId = block.data.textId;
  if (verdict.nextAllowedAt && typeof textId === "number") {
    const when = describeNextAllowed(verdict.nextAllowedAt, verdict.zones, options.agentZone, options.now).replace(
      / \(in .*\)$/,
      "",
    );
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: ids.texts.sendAtAction,
          text: plain(`Send at ${when}`.slice(0, 75)),
          value: JSON.stringify({ textId, at: verdict.nextAllowedAt.toISOString() }),
          style: "primary",
        },
      ],
    });
  }
  return {
    text: escapeTruncate(
      `Not texting ${block.lead.name} now: the law blocks it. Nothing was sent. ${lines.join(" ")}`,
      3000,
    ),
    blocks,
  };
}
