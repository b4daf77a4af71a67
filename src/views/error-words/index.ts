import type { UserError } from "../../lib/errors.js";
import { CALLERID_WORDS, COMPLIANCE_WORDS, SETUP_WORDS, SLACK_FILE_WORDS, STATS_WORDS } from "./admin.js";
import { CALL_WORDS } from "./calls.js";
import { CRM_WORDS } from "./crm.js";
import { LEAD_WORDS } from "./leads.js";
import { QUEUE_WORDS } from "./queues.js";
import { SCHEDULE_WORDS } from "./scheduling.js";
import { TEXT_WORDS } from "./texts.js";
import { TRANSCRIPT_WORDS } from "./transcripts.js";
import type { Words } from "./words.js";

/** Every typed refusal's words, by code; one table per domain, in the order the domains moved here. */
const WORDS: Record<string, Words> = {
  ...CALL_WORDS,
  ...LEAD_WORDS,
  ...SCHEDULE_WORDS,
  ...COMPLIANCE_WORDS,
  ...STATS_WORDS,
  ...SETUP_WORDS,
  ...SLACK_FILE_WORDS,
  ...CALLERID_WORDS,
  ...TRANSCRIPT_WORDS,
  ...QUEUE_WORDS,
  ...TEXT_WORDS,
  ...CRM_WORDS,
};

/** The sentence a person reads for a UserError: a typed refusal's words, or an unmoved domain's message. */
export function userErrorWords(error: UserError): string {
  const words = error.typed && error.code ? WORDS[error.code] : undefined;
  return words ? words(error.data) : error.message;
}

/** The codes that have words (the architecture test checks every `UserError.of` code is one). */
export const WORDED_CODES: ReadonlySet<string> = new Set(Object.keys(WORDS));
