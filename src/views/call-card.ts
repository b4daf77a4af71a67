import type { KnownBlock, ModalView } from "@slack/types";
import { agentFields, INPUT_ACTION, ids } from "../lib/ids.js";
import type { LeadWithLastNote } from "../services/leads/lead-service.js";
import { context, escapeTruncate, mrkdwnSection, phoneText, plain } from "./common.js";
import { type LeadCardOptions, leadCard } from "./lead-card.js";

// Angle brackets are escaped: Slack reads a raw <…> as a link, even inside `code`.
export const CALL_LEAD_HELP =
  "*/call-lead* `&lt;name, phone or lead id&gt; [live|message|bridge|browser]` — e.g. `/call-lead jane`, `/call-lead (212) 555-0182`, `/call-lead #12 message`.\n" +
  "Modes: *Call* (live, the default: your phone rings first, then Leadline dials the lead and you talk), " +
  "*Message call* (the lead hears the team's recorded message) and *Voice bridge* (the message, then your phone), both only for leads who consented to recorded calls, " +
  "*Browser call* (you talk from your browser). Leadline checks calling hours, the do-not-call list and consent before every dial. " +
  "`/call-lead jane at 3pm` (or `tomorrow 10am`, `in 2h`) books a call for later; `/call-lead scheduled` lists yours. " +
  "`/call-lead settings` sets your own phone for live calls and bridges.";

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

export function agentSettingsModal(currentPhone: string | undefined, privateMetadata = "{}"): ModalView {
  return {
    type: "modal",
    callback_id: ids.call.settingsCallbackId,
    private_metadata: privateMetadata,
    title: plain("Your call settings"),
    submit: plain("Save"),
    close: plain("Cancel"),
    blocks: [
      mrkdwnSection(
        "Your calls ring this phone first: a live call (the *Call* button) rings it before the lead is dialled, and a voice bridge puts the lead through to it. Without it, the team's agent phone is used.",
      ),
      {
        type: "input",
        block_id: agentFields.phone,
        optional: true,
        hint: plain("Leave it empty (or type none) to use the team's agent phone."),
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

/** Shown on a call card before anyone clicks when a mode still lacks settings. */
export function missingSettingsNotice(labels: string[]): string {
  // Labels are Leadline's own words (no user text): shown as they are.
  return `:warning: Missing Twilio settings: ${labels.join(", ")}. An admin can run \`/twilio-setup\` to add them.`;
}

/** The agent's phone was saved: the modal turns into this confirmation. */
export function agentSettingsSaved(phone: string | undefined): ModalView {
  const saved = phone
    ? `:white_check_mark: *Saved.* Your calls now ring *${phoneText(phone)}* first: a live call when you press Call, and a voice bridge when the lead presses 1.`
    : ":white_check_mark: *Cleared.* Your calls now ring the team's agent phone (set by an admin in `/twilio-setup`), if there is one.";
  return {
    type: "modal",
    callback_id: ids.call.settingsSavedCallbackId,
    title: plain("Your call settings"),
    close: plain("Done"),
    blocks: [mrkdwnSection(saved), context("Change it any time with `/call-lead settings`.")],
  };
}

/** The call is placed, but its line could not be posted where it was clicked. */
export function callPlacedUnposted(leadName: string, callSid: string | null): { text: string } {
  return {
    text: `:telephone_receiver: The call to *${escapeTruncate(leadName, 150)}* is placed${callSid ? ` (Call SID ${callSid})` : ""}, but Leadline could not post in this channel. Invite the app (\`/invite @Leadline\`) to see calls here.`,
  };
}
