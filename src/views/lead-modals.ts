import type { KnownBlock, ModalView } from "@slack/types";
import { INPUT_ACTION, ids, leadFields } from "../lib/ids.js";
import { CONSENT_METHODS, CONSENT_TEXT_MAX } from "../services/compliance/consent-service.js";
import type { LeadWithLastNote } from "../services/leads/lead-service.js";
import { LIMITS } from "../services/leads/lead-service.js";
import { context, escapeTruncate, mrkdwnSection, phoneText, plain, truncate } from "./common.js";
import { type LeadCardOptions, leadCard, leadCardText } from "./lead-card.js";

type Prefill = Partial<Record<keyof typeof leadFields, string>>;

const input = (
  blockId: string,
  label: string,
  opts: { optional?: boolean; multiline?: boolean; max: number; initial?: string; placeholder?: string },
): KnownBlock => ({
  type: "input",
  block_id: blockId,
  optional: opts.optional ?? true,
  label: plain(label),
  element: {
    type: "plain_text_input",
    action_id: INPUT_ACTION,
    multiline: opts.multiline ?? false,
    max_length: opts.max,
    ...(opts.initial ? { initial_value: truncate(opts.initial, opts.max) } : {}),
    ...(opts.placeholder ? { placeholder: plain(opts.placeholder) } : {}),
  },
});

export function addLeadModal(prefill: Prefill, privateMetadata: string): ModalView {
  return {
    type: "modal",
    callback_id: ids.lead.addCallbackId,
    title: plain("Add a lead"),
    submit: plain("Add lead"),
    close: plain("Cancel"),
    private_metadata: privateMetadata,
    blocks: [
      input(leadFields.name, "Name", { optional: false, max: LIMITS.name, initial: prefill.name }),
      input(leadFields.phone, "Phone", {
        max: 40,
        initial: prefill.phone,
        placeholder: "(212) 555-0100 or +44 20 7946 0958",
      }),
      input(leadFields.email, "Email", { max: LIMITS.email, initial: prefill.email }),
      input(leadFields.source, "Source", {
        max: LIMITS.source,
        initial: prefill.source,
        placeholder: "Zillow, open house, referral…",
      }),
      input(leadFields.note, "First note", { multiline: true, max: 3000, initial: prefill.note }),
      ...addressInputs(prefill),
      context(
        "*Consent to recorded calls* — only for a lead who agreed to prerecorded or artificial-voice calls (message calls and voice bridges). Live calls need none.",
      ),
      consentMethodInput(),
      consentTextInput(),
      consentScopeInput(),
    ],
  };
}

/** What the consent covers: prerecorded calls unless autodial is picked (a queue's auto-advance needs it). */
const consentScopeInput = (): KnownBlock => ({
  type: "input",
  block_id: leadFields.consentScope,
  optional: true,
  label: plain("What they agreed to"),
  element: {
    type: "static_select",
    action_id: INPUT_ACTION,
    placeholder: plain("Prerecorded calls"),
    options: [
      { text: plain("Prerecorded or artificial-voice calls"), value: "prerecorded" },
      { text: plain("Automatic dialling from a call queue (autodial)"), value: "autodial" },
    ],
  },
});

const consentMethodInput = (): KnownBlock => ({
  type: "input",
  block_id: leadFields.consent,
  optional: true,
  label: plain("How they agreed"),
  element: {
    type: "static_select",
    action_id: INPUT_ACTION,
    placeholder: plain("No consent on record"),
    options: CONSENT_METHODS.map((method) => ({ text: plain(CONSENT_METHOD_LABELS[method]), value: method })),
  },
});

const consentTextInput = (): KnownBlock =>
  input(leadFields.consentText, "The words they agreed to", {
    multiline: true,
    max: CONSENT_TEXT_MAX,
    placeholder: 'e.g. "I agree to receive prerecorded calls from Acme Realty at this number."',
  });

/** Edit: the lead's details prefilled; the phone is the one shown (a save never overwrites a newer one). */
export function editLeadModal(lead: LeadWithLastNote, privateMetadata: string): ModalView {
  return {
    type: "modal",
    callback_id: ids.lead.editCallbackId,
    title: plain("Edit lead"),
    submit: plain("Save"),
    close: plain("Cancel"),
    private_metadata: privateMetadata,
    blocks: [
      input(leadFields.name, "Name", { optional: false, max: LIMITS.name, initial: lead.name }),
      input(leadFields.phone, "Phone", {
        optional: !lead.phone,
        max: 40,
        initial: lead.phone ? phoneText(lead.phone, lead.phoneExt) : undefined,
      }),
      input(leadFields.email, "Email", { max: LIMITS.email, initial: lead.email ?? undefined }),
      input(leadFields.source, "Source", { max: LIMITS.source, initial: lead.source ?? undefined }),
      {
        type: "input",
        block_id: leadFields.owner,
        optional: true,
        label: plain("Owner"),
        element: {
          type: "users_select",
          action_id: INPUT_ACTION,
          ...(lead.ownerSlackId ? { initial_user: lead.ownerSlackId } : {}),
        },
      },
      ...addressInputs(lead),
      context("Consent to recorded calls (optional): add a new record; earlier ones stay as evidence."),
      consentMethodInput(),
      consentTextInput(),
      consentScopeInput(),
    ],
  };
}

const CONSENT_METHOD_LABELS: Record<(typeof CONSENT_METHODS)[number], string> = {
  "web form": "A web form",
  signed: "A signed agreement",
  verbal: "Verbally (recorded)",
  other: "Other",
};

const addressInputs = (prefill: { state?: string | null; zip?: string | null }): KnownBlock[] => [
  input(leadFields.state, "State or province", {
    max: 40,
    initial: prefill.state ?? undefined,
    placeholder: "FL — decides which calling-hours rules apply",
  }),
  input(leadFields.zip, "ZIP or postal code", {
    max: 12,
    initial: prefill.zip ?? undefined,
    placeholder: "33101 — decides the lead's time zone",
  }),
];

/** The lead's state and ZIP: where the number alone cannot tell Leadline the lead's time zone. */
export function addressModal(lead: LeadWithLastNote, privateMetadata: string): ModalView {
  return {
    type: "modal",
    callback_id: ids.lead.addressCallbackId,
    title: plain("Lead's address"),
    submit: plain("Save"),
    close: plain("Cancel"),
    private_metadata: privateMetadata,
    blocks: [
      mrkdwnSection(`*${escapeTruncate(lead.name, 150)}* · lead #${lead.id}`),
      context(
        "Calling hours are the lead's local time: the ZIP code says which zone they are in, the state which rules apply.",
      ),
      ...addressInputs(lead),
    ],
  };
}

export function noteModal(lead: LeadWithLastNote, privateMetadata: string): ModalView {
  return {
    type: "modal",
    callback_id: ids.lead.noteCallbackId,
    title: plain("Add a note"),
    submit: plain("Save note"),
    close: plain("Cancel"),
    private_metadata: privateMetadata,
    blocks: [
      mrkdwnSection(`*${escapeTruncate(lead.name, 150)}* · lead #${lead.id}`),
      input(leadFields.note, "Note", { optional: false, multiline: true, max: 3000 }),
    ],
  };
}

/**
 * Add phone, or Change phone when the lead has one by now (the card may be older than the number):
 * the current number is shown, so nobody replaces a number they have not seen.
 */
export function phoneModal(lead: LeadWithLastNote, privateMetadata: string): ModalView {
  const current = lead.phone ? phoneText(lead.phone, lead.phoneExt) : undefined;
  return {
    type: "modal",
    callback_id: ids.lead.phoneCallbackId,
    title: plain(current ? "Change phone" : "Add a phone"),
    submit: plain("Save phone"),
    close: plain("Cancel"),
    private_metadata: privateMetadata,
    blocks: [
      mrkdwnSection(`*${escapeTruncate(lead.name, 150)}* · lead #${lead.id}`),
      ...(current
        ? [context(`Current number: *${current}*. Saving replaces it; the change is noted on the lead.`)]
        : []),
      input(leadFields.phone, current ? "New phone" : "Phone", {
        optional: false,
        max: 40,
        placeholder: "(212) 555-0100, ext. 12 if any",
      }),
    ],
  };
}

/** A saved form turns into this confirmation. */
export function leadSavedModal(confirmation: string): ModalView {
  return {
    type: "modal",
    callback_id: ids.lead.savedCallbackId,
    title: plain("Saved"),
    close: plain("Done"),
    blocks: [mrkdwnSection(`:white_check_mark: ${escapeTruncate(confirmation, 2900)}`)],
  };
}

/** A save from an ephemeral card: the confirmation and the card as the lead is now. */
export function savedCardMessage(
  confirmation: string,
  lead: LeadWithLastNote,
  options: LeadCardOptions,
): { text: string; blocks: KnownBlock[] } {
  return {
    text: `${escapeTruncate(confirmation, 300)} ${leadCardText(lead)}`,
    blocks: [mrkdwnSection(`:white_check_mark: ${escapeTruncate(confirmation, 2900)}`), ...leadCard(lead, options)],
  };
}

/** "Jane Doe's phone changed from +1 212 555 0182 to +1 212 555 0199." */
export function phoneSavedText(
  lead: { name: string; phone: string | null; phoneExt?: string | null },
  previous: string | null,
): string {
  const now = lead.phone ? phoneText(lead.phone, lead.phoneExt) : "none";
  return previous
    ? `${lead.name}'s phone changed from ${phoneText(previous)} to ${now}.`
    : `${lead.name}'s phone is now ${now}.`;
}

/** Slack shows at most 50 blocks in a message. */
const MESSAGE_BLOCKS = 50;

/**
 * Search results: at most 10 cards, and only whole ones: a card is 4 or 5 blocks (a lead calling
 * law blocks now carries its reasons), and a card cut short would arrive without its buttons.
 * The heading says how many more matched than are shown.
 */
export function searchResults(
  query: string,
  leads: LeadWithLastNote[],
  total: number,
  options: LeadCardOptions,
  notice?: string,
): { text: string; blocks: KnownBlock[] } {
  let room = MESSAGE_BLOCKS - 1 - (notice ? 1 : 0);
  const cards: KnownBlock[][] = [];
  for (const lead of leads.slice(0, 10)) {
    const card = leadCard(lead, options);
    if (card.length > room) break;
    cards.push(card);
    room -= card.length;
  }
  const more = total - cards.length;
  const heading =
    total === 1
      ? "1 lead found"
      : `${total} leads found${more > 0 ? ` — showing the ${cards.length} most recent, ${more} more` : ""}`;
  const blocks: KnownBlock[] = [
    ...(notice ? [mrkdwnSection(notice)] : []),
    context(`${heading} for “${escapeTruncate(query, 100)}”.${more > 0 ? " Add words to narrow it down." : ""}`),
    ...cards.flat(),
  ];
  return { text: heading, blocks };
}

export function noMatch(query: string, phone?: string): { text: string; blocks: KnownBlock[] } {
  const text = `No lead matches “${escapeTruncate(query, 100)}”.`;
  return {
    text,
    blocks: [
      mrkdwnSection(text),
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: ids.lead.addAction,
            style: "primary",
            text: plain("Add lead"),
            value: JSON.stringify(phone ? { phone } : { name: truncate(query, 200) }).slice(0, 2000),
          },
        ],
      },
    ],
  };
}

/** /call-lead found nobody: for a number, say so plainly; either way offer to add the lead. */
export function noLeadToCall(query: string, phone?: string): { text: string; blocks: KnownBlock[] } {
  const reply = noMatch(query, phone);
  if (phone) reply.text = `No lead has ${phoneText(phone)}. Add it as a lead to call it.`;
  return reply;
}

// Angle brackets are escaped: Slack reads a raw <…> as a link, even inside `code`.
export const LEAD_HELP =
  "*/lead* — `/lead add` adds a lead in a form. `/lead &lt;name, phone, last 4 digits, email, source or #id&gt;` finds leads, e.g. `/lead jane`, `/lead (212) 555-0100`, `/lead 0100`, `/lead zillow`, `/lead #12`. `/lead import` adds leads from a CSV file you upload (admins).";

/** After Edit: what changed, or that nothing did. */
export function leadEditedText(name: string, changed: string[]): string {
  return changed.length > 0 ? `Saved ${name}: ${changed.join(", ")} updated.` : `Nothing changed on ${name}.`;
}

/** After Add note. */
export function noteSavedText(leadName: string | undefined): string {
  return `Note saved on ${leadName ?? "the lead"}.`;
}

/** After Add ZIP or state. */
export function addressSavedText(lead: { name: string; state: string | null; zip: string | null }): string {
  return `Address saved on ${lead.name}: ${[lead.state, lead.zip].filter(Boolean).join(" ") || "cleared"}.`;
}
