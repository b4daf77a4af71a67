import type { KnownBlock, ModalView } from "@slack/types";
import { agentFields, INPUT_ACTION, ids } from "../lib/ids.js";
import type { LeadWithLastNote } from "../services/leads/lead-service.js";
import { escapeTruncate, mrkdwnSection, plain } from "./common.js";
import { type CallMode, type LeadCardOptions, leadCard } from "./lead-card.js";

export const CALL_LEAD_HELP =
  "*/call-lead* `<name, phone or lead id> [simple|bridge|browser]` — e.g. `/call-lead jane`, `/call-lead (212) 555-0182 bridge`, `/call-lead #12`.\n" +
  "Modes: *Call* (outbound, the lead hears the team's message), *Voice bridge* (then rings your phone), *Browser call* (you talk from your browser). " +
  "`/call-lead settings` sets your own phone for bridge calls.";

/** The ephemeral call card: the lead, one button per mode, the asked mode first. */
export function callCard(
  lead: LeadWithLastNote,
  options: LeadCardOptions & { notice?: string },
): { text: string; blocks: KnownBlock[] } {
  const blocks = leadCard(lead, options);
  if (options.notice) blocks.unshift(mrkdwnSection(options.notice));
  return { text: `Call ${escapeTruncate(lead.name, 150)}?`, blocks };
}

export function callHelp(recent: LeadWithLastNote[], options: LeadCardOptions): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [mrkdwnSection(CALL_LEAD_HELP)];
  if (recent.length > 0) blocks.push(mrkdwnSection("*Recently touched leads*"));
  for (const lead of recent.slice(0, 5)) blocks.push(...leadCard(lead, options));
  return { text: "How to use /call-lead", blocks };
}

export function browserLinkMessage(leadName: string, url: string): { text: string; blocks: KnownBlock[] } {
  const text = `Your browser phone for ${escapeTruncate(leadName, 150)} is ready. The link works once, for 10 minutes.`;
  return {
    text,
    blocks: [
      mrkdwnSection(`:computer: ${text}`),
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: ids.call.browserLinkAction,
            text: plain("Open the browser phone"),
            url,
            style: "primary",
          },
        ],
      },
    ],
  };
}

export function agentSettingsModal(currentPhone: string | undefined): ModalView {
  return {
    type: "modal",
    callback_id: ids.call.settingsCallbackId,
    title: plain("Your call settings"),
    submit: plain("Save"),
    close: plain("Cancel"),
    blocks: [
      mrkdwnSection(
        "Voice-bridge calls ring this phone once the lead has heard the message. Without it, the team's agent phone is used.",
      ),
      {
        type: "input",
        block_id: agentFields.phone,
        label: plain("Your phone number"),
        element: {
          type: "plain_text_input",
          action_id: INPUT_ACTION,
          max_length: 40,
          ...(currentPhone ? { initial_value: currentPhone } : {}),
          placeholder: plain("(212) 555-0100"),
        },
      },
    ],
  };
}

export type { CallMode };
