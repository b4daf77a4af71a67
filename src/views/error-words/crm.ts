import type { Words } from "./words.js";

// The CRM domain's refusals (src/services/crm), in the words a person reads. The CRM's own words
// (`said`) are quoted as it sent them.

const text = (value: unknown) => (typeof value === "string" ? value : String(value ?? ""));

/** What Leadline asked the CRM for when it refused. */
const ASKED: Record<string, string> = { api_key: "the API key", users: "the list of users" };

export const CRM_WORDS: Record<string, Words> = {
  crm_refused: (data) =>
    `${text(data.provider)} refused ${ASKED[text(data.asked)] ?? "the request"}: "${text(data.said)}" Nothing was saved.`,
  crm_unavailable: (data) =>
    `${text(data.provider)} did not answer (${text(data.said)}); nothing was saved. Try again in a minute.`,
  crm_key_format: (data) => `Paste the ${text(data.provider)} API key (Admin → API in ${text(data.provider)}).`,
  crm_not_connected: (data) => `Connect ${text(data.provider)} first (/crm-setup).`,
  crm_user_unknown: (data) => `No ${text(data.provider)} user has the email "${text(data.email)}".`,
};
