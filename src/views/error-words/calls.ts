import { countryName, formatPhone } from "../../lib/phone.js";
import type { Words } from "./words.js";

// The calls domain's refusals (src/services/calls), in the words a person reads.

const text = (value: unknown) => (typeof value === "string" ? value : String(value ?? ""));
const leadName = (data: Record<string, unknown>) => text(data.leadName);

/** The toll-fraud guard's refusal of a number (lib/phone.ts dialCheck's reason and country). */
export function dialRefusalWords(data: Record<string, unknown>): string {
  const phone = formatPhone(text(data.phone));
  if (data.reason === "premium_rate")
    return `${phone} is a premium-rate number; Leadline never calls those (toll-fraud guard).`;
  return typeof data.country === "string"
    ? `Calls to ${countryName(data.country)} are not enabled for this team.`
    : `${phone} is not in a country Leadline can call.`;
}

/** A lead's number refused by the guard; nothing was dialled. */
const leadNumberRefused: Words = (data) => `${dialRefusalWords(data)} Nothing was dialed.`;
/** The agent phone of a call refused by the guard. */
const agentPhoneRefused: Words = (data) => `The agent phone for this call cannot be dialed: ${dialRefusalWords(data)}`;

export const CALL_WORDS: Record<string, Words> = {
  link_invalid: () =>
    "This browser-phone link is not valid, already used or expired. Click Browser call in Slack again for a new one.",
  lead_missing: (data) =>
    typeof data.leadId === "number" ? `Lead #${data.leadId} no longer exists.` : "That lead no longer exists.",
  public_url_missing: () => "Browser calls need PUBLIC_BASE_URL to be set.",
  browser_unconfigured: () =>
    "Browser calls are not configured: an admin needs to add the API key, its secret and the TwiML App SID in /twilio-setup.",
  agent_phone_invalid: (data) =>
    `"${text(data.raw)}" is not a callable number: ${text(data.reason)}. Leave it blank (or type none) to clear it.`,
  agent_phone_premium_rate: dialRefusalWords,
  agent_phone_country_not_allowed: dialRefusalWords,
  missing_settings: (data) =>
    `Missing Twilio settings: ${Array.isArray(data.labels) ? data.labels.map(String).join(", ") : ""}. An admin can run /twilio-setup to add them.`,
  // A text to a lead without a phone says so in the texts' words (the same code, so Slack shows the button).
  no_phone: (data) =>
    data.toText
      ? `${leadName(data)} has no phone number to text.`
      : `${leadName(data)} has no phone number.${data.addOne ? " Add one to call them." : ""}`,
  phone_wrong: (data) => `${leadName(data)}'s number was marked as a wrong number. Add the right one to call them.`,
  invalid_phone: (data) => `${leadName(data)}'s number ${text(data.phone)} is not callable: ${text(data.reason)}.`,
  premium_rate: leadNumberRefused,
  country_not_allowed: leadNumberRefused,
  agent_premium_rate: agentPhoneRefused,
  agent_country_not_allowed: agentPhoneRefused,
  placed_unsaved: (data) => `The call to ${leadName(data)} was placed, but Leadline could not save it yet.`,
  unknown_outcome: (data) => `"${text(data.outcome)}" is not an outcome Leadline knows.`,
  call_elsewhere: () => "That call is not one of this workspace's.",
  call_going: () => "The call is still going: record how it went once it ends.",
  outcome_taken: (data) =>
    data.moment
      ? `Someone recorded "${text(data.outcome)}" a moment before you; nothing was recorded twice.`
      : `Someone already recorded "${text(data.outcome)}" for this call; nothing was changed.`,
  outcome_locked: (data) =>
    `Only the agent who made the call or an admin can change the recorded "${text(data.outcome)}".`,
  unknown: (data) =>
    `Twilio did not answer, and Leadline could not confirm whether the call to ${leadName(data)} was placed. It will not re-dial; Leadline keeps asking Twilio and the call's status will be settled within a few minutes.`,
  not_placed: (data) =>
    `Twilio did not answer in time and has no record of a call to ${leadName(data)}, so nothing was dialed. You can try again.`,
  already_placed: (data) => `This click already placed a call to ${leadName(data)}; nothing was dialed again.`,
  already_calling: (data) => `Already calling ${leadName(data)}.`,
  retry: (data) => `Could not start a call to ${leadName(data)}; try again.`,
};
