import type { Lead, Text } from "@prisma/client";
import type { KnownBlock, ModalView } from "@slack/types";
import type { UserError } from "../lib/errors.js";
import { INPUT_ACTION, ids } from "../lib/ids.js";
import type { TextTemplate } from "../services/texts/compose.js";
import type { StopConfirmation } from "../services/texts/text-notifier.js";
import { context, escapeMrkdwn, escapeTruncate, mrkdwnSection, phoneText, plain, truncate } from "./common.js";
import { userErrorWords } from "./error-words/index.js";
import { textErrorWords } from "./error-words/texts.js";
import { whenText } from "./schedule.js";

/** `/text` alone or `/text help` (mrkdwn: the angle brackets escaped, or Slack would read them as links). */
export const TEXT_HELP =
  'Text a lead: `/text &lt;lead&gt; &lt;message&gt;`, where &lt;lead&gt; is `#12` (the lead\'s number in Leadline), their phone number, the last 4 digits, a "quoted name" or one word of the name. E.g. `/text #12 Are you free at 5?`';

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

/** A stored status in a few words, with Twilio's code when it failed: "✅ delivered", "⚠️ undelivered (30006)". */
export function textStatusWords(status: string, errorCode: number | null): string {
  const words = STATUS_WORDS[status] ?? escapeTruncate(status, 40);
  return errorCode ? `${words} (${errorCode})` : words;
}

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
  // A lead who texted STOP is not offered a reply: no text can go to them until they text START.
  const stopped = lead !== null && text.optOutType === "STOP";
  const actions: KnownBlock = { type: "actions", block_id: `text_${text.id}`, elements: [button] };
  return {
    text: `Text from ${lead ? escapeTruncate(lead.name, 150) : phoneText(text.phone)}${keyword}`,
    blocks: [
      mrkdwnSection(head),
      mrkdwnSection(`>${escapeTruncate(text.body || " ", 2800).replace(/\n/g, "\n>")}`),
      ...(text.optOutType === "START"
        ? [
            context(
              "They opted back in to texts (START): texts to them can go again. Their do-not-call entry for calls stays.",
            ),
          ]
        : []),
      stopped ? context("They opted out of texts: none can be sent to them until they text START.") : actions,
    ],
  };
}

const CONFIRMATION_WORDS: Record<StopConfirmation, string> = {
  twilio: "Twilio answered the STOP with its own confirmation",
  sent: "the team's STOP confirmation was texted (once)",
  already: "the team's STOP confirmation had already gone for this STOP",
  not_sent:
    "the team's STOP confirmation was not sent (Twilio refused it; when Twilio handles STOP itself, its own reply is the confirmation)",
};

/** STOP (or Twilio's 21610) said in the lead's thread: what Leadline did about it. */
export function optedOutMessage(
  lead: Pick<Lead, "name"> | null,
  phone: string,
  facts: { source: string; cancelled: number; revoked: number; confirmation?: StopConfirmation },
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
  if (facts.confirmation) more.push(CONFIRMATION_WORDS[facts.confirmation]);
  const blocks: KnownBlock[] = [mrkdwnSection(parts[0]!)];
  if (more.length > 0) blocks.push(context(`${more.join("; ")}.`));
  return { text: `${parts[0]!.replace(/\*/g, "")}${more.length ? ` ${more.join("; ")}.` : ""}`, blocks };
}

/**
 * The Text form (Text on a card or a call line, Reply by text on an inbound text): the message, and the
 * team's templates to pick from. When texting cannot work for this lead, the form says why and has no Send.
 */
export function textModal(
  lead: Pick<Lead, "name">,
  /** off: why texting cannot work for this lead now (TextService.readiness), said without "Nothing was sent". */
  options: { templates: TextTemplate[]; off?: UserError; privateMetadata: string; reply?: boolean },
): ModalView {
  const title = plain(options.reply ? "Reply by text" : "Text a lead");
  const who = mrkdwnSection(`:speech_balloon: To *${escapeTruncate(lead.name, 150)}*`);
  if (options.off)
    return {
      type: "modal",
      title,
      close: plain("Close"),
      blocks: [
        who,
        mrkdwnSection(
          `:no_entry_sign: ${escapeTruncate(userErrorWords(options.off).replace(/ Nothing was sent\.?/, ""), 2800)}`,
        ),
      ],
    };
  const blocks: KnownBlock[] = [who];
  if (options.templates.length > 0)
    blocks.push({
      type: "input",
      block_id: ids.texts.templateBlock,
      optional: true,
      label: plain("Template"),
      hint: plain(
        "Sent as written here when the message below is left blank; {{firstName}} and your name are filled in.",
      ),
      element: {
        type: "static_select",
        action_id: INPUT_ACTION,
        placeholder: plain("Pick a template"),
        options: options.templates.slice(0, 100).map((template, index) => ({
          text: plain(truncate(template.name, 75)),
          description: plain(truncate(template.body, 75)),
          value: String(index),
        })),
      },
    });
  blocks.push({
    type: "input",
    block_id: ids.texts.bodyBlock,
    optional: options.templates.length > 0,
    label: plain("Message"),
    hint: plain(
      "Plain text, at most 10 segments. The first text to a lead also names the team and says “Reply STOP to opt out”.",
    ),
    element: { type: "plain_text_input", action_id: INPUT_ACTION, multiline: true, max_length: 1600 },
  });
  return {
    type: "modal",
    callback_id: ids.texts.callbackId,
    title,
    submit: plain("Send"),
    close: plain("Cancel"),
    private_metadata: options.privateMetadata,
    blocks,
  };
}

/** A text sent from the form (the /text command says the same). */
export function textSentMessage(leadName: string, shown: boolean): { text: string } {
  const where = shown ? " Its delivery shows in the lead's thread." : "";
  return { text: `:speech_balloon: Texted *${escapeTruncate(leadName, 150)}*.${where}` };
}

/** Send at … booked: when the text goes (the scheduler judges the law again then). */
export function textScheduledMessage(
  lead: Pick<Lead, "name" | "phone" | "state" | "zip">,
  at: Date,
  zone: string,
  now: Date,
): { text: string } {
  return {
    text: `:alarm_clock: The text to *${escapeTruncate(lead.name, 150)}* will be sent ${escapeMrkdwn(whenText(at, zone, lead, now))}, if the law allows it then. Nothing was sent now.`,
  };
}
