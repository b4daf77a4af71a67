import type { Words } from "./words.js";

// Refusals of the smaller domains, in the words a person reads: compliance (src/services/compliance),
// stats, setup, the Slack adapter's file download, and the caller-ID pool.

const text = (value: unknown) => (typeof value === "string" ? value : String(value ?? ""));

/** What only admins may do, in the words a refused person reads (Slack's: views/errors.ts shows the backticks). */
export const ADMIN_ONLY: Record<string, string> = {
  twilio_settings:
    "Only Leadline admins can change the Twilio settings. Ask an admin, or run `/twilio-setup status` to see what is configured.",
  dnc_remove: "Only Leadline admins can take a number off the do-not-call list.",
  lead_import: "Only Leadline admins can import leads.",
  queues: "Only Leadline admins can create, change or delete call queues.",
  crm_settings: "Only Leadline admins can connect or change the CRM.",
  supervise: "Only Leadline admins can listen to, coach or join agents' calls.",
};

/** AdminOnly (services/setup/admin-gate.ts) in plain words: a modal field, the import script, a spoken answer. */
export const adminOnlyWords: Words = (data) =>
  (ADMIN_ONLY[text(data.area)] ?? "Only Leadline admins can do this.").replace(/`/g, "");

export const COMPLIANCE_WORDS: Record<string, Words> = {
  not_a_phone: (data) => `"${text(data.raw)}" is not a phone number: ${text(data.reason)}.`,
  reason_required: () => "Say why the number comes off the list.",
  not_listed: (data) => `${text(data.phone)} is not on the do-not-call list.`,
  consent_needs_phone: () => "Consent covers a phone number: add the lead's phone first.",
  dnc_listed: () =>
    "This number is on the team's do-not-call list, so consent cannot be recorded for it. An admin can take it off the list if the lead asked to be called again.",
};

export const STATS_WORDS: Record<string, Words> = {
  range_unreadable: (data) =>
    `"${text(data.text)}" is not a range /call-stats reads. Use today, week, month, a day (2026-11-03) or days (2026-11-01..2026-11-15), optionally with @agent and export.`,
  range_backwards: () => "The range ends before it starts: put the earlier day first.",
  range_too_long: (data) => `Ask for at most ${text(data.maxDays)} days at a time.`,
};

export const SETUP_WORDS: Record<string, Words> = {
  admin_only: adminOnlyWords,
  number_gone: (data) => `${text(data.number)} is no longer a number on this Twilio account.`,
  inbound_no_public_url: () =>
    "Set PUBLIC_BASE_URL (the https address Twilio reaches Leadline at) first: Twilio needs it to send calls to Leadline.",
};

export const SLACK_FILE_WORDS: Record<string, Words> = {
  file_missing: () => "Slack did not give Leadline that file. Upload it again.",
  file_too_big: (data) => `${text(data.name)} is over ${text(data.maxMb)} MB: split it into smaller files.`,
};

export const CALLERID_WORDS: Record<string, Words> = {
  callerid_no_public_url: () =>
    "Set PUBLIC_BASE_URL (the https address Twilio reaches Leadline at) first: a pool number must send call-backs to Leadline.",
  callerid_not_on_account: (data) => `${text(data.number)} is not a voice number of this Twilio account.`,
  callerid_unknown_number: (data) => `${text(data.number)} is not a number of this Twilio account that Leadline knows.`,
  callerid_bad_cap: (data) => `The daily cap is a whole number of calls from 1 to ${text(data.max)}.`,
};
