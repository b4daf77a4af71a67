import type { Words } from "./words.js";

// The transcripts and summaries domain's refusals (src/services/transcripts), in the words a person reads.

const text = (value: unknown) => (typeof value === "string" ? value : String(value ?? ""));

export const TRANSCRIPT_WORDS: Record<string, Words> = {
  call_lead_missing: () => "That call's lead no longer exists.",
  no_phone_to_call_back: (data) => `${text(data.leadName)} has no phone number to call back.`,
  service_sid_invalid: () =>
    "A Voice Intelligence Service SID starts with GA and has 32 hexadecimal characters after it.",
  service_missing: (data) =>
    `Twilio has no Voice Intelligence Service ${text(data.serviceSid)} on this workspace's account.`,
  summariser_missing: () =>
    "Summaries need a summary model: whoever runs Leadline sets SUMMARY_API_URL, SUMMARY_API_KEY and SUMMARY_MODEL. For transcripts alone, use /twilio-setup summaries transcripts-only.",
  retention_invalid: (data) =>
    `Give the retention as a number of days from 1 to ${text(data.max)}, such as "retention 90".`,
};
