import type { Button, KnownBlock } from "@slack/types";
import { ids } from "../lib/ids.js";
import { ago } from "../lib/time.js";
import type { CallMode } from "../services/calls/modes.js";
import type { CardFacts } from "../services/leads/card-facts.js";
import type { LeadWithLastNote } from "../services/leads/lead-service.js";
import { authorLabel, context, escapeTruncate, leadPhoneText, plain } from "./common.js";
import { describeVerdict } from "./verdict-words.js";

const MODE_BUTTONS: Record<CallMode, { actionId: string; text: string }> = {
  live: { actionId: ids.call.liveAction, text: "Call" },
  message: { actionId: ids.call.messageAction, text: "Message call" },
  bridge: { actionId: ids.call.bridgeAction, text: "Voice bridge" },
  browser: { actionId: ids.call.browserAction, text: "Browser call" },
};

export interface LeadCardOptions {
  now: Date;
  /** Browser calls are configured: show the button. */
  browserEnabled: boolean;
  /** The mode to put first (the one asked for in /call-lead). */
  firstMode?: CallMode;
  /** Shown above the card, e.g. "New lead · waited 12 s". */
  banner?: string;
  /** Link for the browser button (a signed, single-use URL) instead of an action. */
  browserUrl?: string;
  /** Numbers (E.164) on the team's do-not-call list: their cards offer no call. */
  listed?: ReadonlySet<string>;
  /** Numbers whose consent covers prerecorded calls: only their cards offer message calls and voice bridges. */
  consented?: ReadonlySet<string>;
  /** The calling-law verdict per lead id, in plain sentences (empty when a call is allowed now). */
  verdicts?: ReadonlyMap<number, string[]>;
  /** Leads whose verdict waits on no clock (do-not-call, consent, an unknown zone): "Cannot call", not "Not now". */
  blockedUntilFixed?: ReadonlySet<number>;
  /** The card is for a channel of a workspace that masks numbers: the lead's number shows its last 4 digits only. */
  maskPhone?: boolean;
}

/** Reasons no time passing lifts: the card says "Cannot call", not "Not now". */
const UNTIMED = new Set(["dnc", "consent", "text_consent", "unknown_zone"]);

/** The cards' options from the facts of now: each verdict in plain sentences, plus what the caller adds. */
export function cardOptions(facts: CardFacts, extra: Partial<LeadCardOptions> = {}): LeadCardOptions {
  const verdicts = facts.verdicts
    ? new Map(
        [...facts.verdicts].map(([id, { verdict, phone }]) => [
          id,
          describeVerdict(verdict, { phone: extra.maskPhone ? undefined : phone, now: facts.callingNow }),
        ]),
      )
    : undefined;
  const blockedUntilFixed = new Set(
    [...(facts.verdicts ?? [])]
      .filter(([, { verdict }]) => !verdict.allowed && verdict.reasons.some((reason) => UNTIMED.has(reason.kind)))
      .map(([id]) => id),
  );
  return {
    now: facts.now,
    browserEnabled: facts.browserEnabled,
    listed: facts.listed,
    consented: facts.consented,
    verdicts,
    blockedUntilFixed,
    ...extra,
  };
}

/** Text from leads (names, notes, sources) is escaped: it can never mention @channel or inject markup. */
export function leadCard(lead: LeadWithLastNote, options: LeadCardOptions): KnownBlock[] {
  const name = escapeTruncate(lead.name, 150);
  const listed = Boolean(lead.phone && options.listed?.has(lead.phone));
  // The banner is escaped like lead text; only a user mention Leadline itself wrote stays a mention.
  const banner = options.banner
    ? escapeTruncate(options.banner, 300).replace(/&lt;@([UW][A-Z0-9]{2,20})&gt;/g, "<@$1>")
    : undefined;
  const title = `${banner ? `${banner}\n` : ""}*${name}*  ·  lead #${lead.id}${listed ? "  ·  :no_entry: on the do-not-call list" : ""}`;
  const fields = [
    `*Phone*\n${lead.phone ? (lead.phoneWrongAt ? `~${leadPhoneText(lead.phone, options.maskPhone, lead.phoneExt)}~ wrong number` : leadPhoneText(lead.phone, options.maskPhone, lead.phoneExt)) : "_no phone_"}`,
    `*Email*\n${lead.email ? escapeTruncate(lead.email, 254) : "—"}`,
    `*Source*\n${lead.source ? escapeTruncate(lead.source, 100) : "—"}`,
    `*Owner*\n${lead.ownerSlackId ? `<@${lead.ownerSlackId}>` : "—"}`,
  ];
  const timing = [`Arrived ${ago(lead.createdAt, options.now)} ago`];
  timing.push(
    lead.lastContactedAt ? `last contact ${ago(lead.lastContactedAt, options.now)} ago` : "not contacted yet",
  );
  const blocks: KnownBlock[] = [
    {
      type: "section",
      block_id: `lead_${lead.id}`,
      text: { type: "mrkdwn", text: title },
      fields: fields.map((text) => ({ type: "mrkdwn", text })),
    },
    context(timing.join(" · ")),
  ];
  if (lead.lastNote) {
    blocks.push(
      context(
        `:memo: ${escapeTruncate(lead.lastNote.body.replace(/\s+/g, " "), 300)} — ${authorLabel(lead.lastNote.author)}, ${ago(lead.lastNote.createdAt, options.now)} ago`,
      ),
    );
  }
  const verdict = options.verdicts?.get(lead.id);
  if (verdict && verdict.length > 0) {
    const label = options.blockedUntilFixed?.has(lead.id) ? "Cannot call" : "Not now";
    blocks.push(context(`:no_entry_sign: *${label}:* ${verdict.map((line) => escapeTruncate(line, 600)).join(" ")}`));
  }
  blocks.push({ type: "actions", block_id: `lead_actions_${lead.id}`, elements: leadButtons(lead, options, listed) });
  return blocks;
}

/** A card's buttons: one per call mode the lead may be called in (the asked-for one first), then the lead's own. */
function leadButtons(lead: LeadWithLastNote, options: LeadCardOptions, listed: boolean): Button[] {
  const value = String(lead.id);
  const buttons: Button[] = [];
  const wrong = Boolean(lead.phoneWrongAt);
  if (lead.phone && !listed && !wrong) {
    const consented = options.consented?.has(lead.phone) ?? false;
    const modes: CallMode[] = [
      "live",
      ...(consented ? (["message", "bridge"] as const) : []),
      ...(options.browserEnabled ? (["browser"] as const) : []),
    ];
    const first = options.firstMode && modes.includes(options.firstMode) ? options.firstMode : "live";
    for (const mode of [first, ...modes.filter((m) => m !== first)]) {
      const button: Button = {
        type: "button",
        action_id: MODE_BUTTONS[mode].actionId,
        text: plain(MODE_BUTTONS[mode].text),
        value,
      };
      if (mode === first) button.style = "primary";
      if (mode === "browser" && options.browserUrl) button.url = options.browserUrl;
      buttons.push(button);
    }
  } else if (!lead.phone || wrong) {
    buttons.push({
      type: "button",
      action_id: ids.lead.phoneAction,
      text: plain(wrong ? "Change phone" : "Add phone"),
      value,
      style: "primary",
    });
  }
  if (lead.phone && !listed && !wrong) {
    buttons.push({ type: "button", action_id: ids.schedule.openAction, text: plain("Schedule"), value });
  }
  // Texts have their own checks (a number on the list for calls may have texted START): the form says why not.
  if (lead.phone && !wrong)
    buttons.push({ type: "button", action_id: ids.texts.openAction, text: plain("Text"), value });
  buttons.push({ type: "button", action_id: ids.lead.noteAction, text: plain("Add note"), value });
  buttons.push({ type: "button", action_id: ids.lead.historyAction, text: plain("History"), value });
  buttons.push({ type: "button", action_id: ids.lead.editAction, text: plain("Edit"), value });
  if (lead.phone && !listed) {
    const number = leadPhoneText(lead.phone, options.maskPhone);
    buttons.push({
      type: "button",
      action_id: ids.lead.dncAction,
      text: plain("Do not call"),
      value,
      confirm: {
        title: plain("Do not call?"),
        text: plain(
          `${number} goes on the team's do-not-call list: no lead with this number can be called, in any mode, and its consent ends. Only an admin can take it off.`,
        ),
        confirm: plain("Do not call"),
        deny: plain("Cancel"),
        style: "danger",
      },
    });
  }
  return buttons;
}

export function leadCardText(lead: LeadWithLastNote, maskPhone?: boolean): string {
  return `${escapeTruncate(lead.name, 150)} (lead #${lead.id})${lead.phone ? ` ${leadPhoneText(lead.phone, maskPhone, lead.phoneExt)}` : ""}`;
}
