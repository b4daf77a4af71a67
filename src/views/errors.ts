import type { KnownBlock } from "@slack/types";
import { ComplianceBlock, DatabaseFull, ExternalError, isDatabaseBusy, UserError } from "../lib/errors.js";
import { ids } from "../lib/ids.js";
import { ago } from "../lib/time.js";
import { escapeMrkdwn, escapeTruncate, mrkdwnSection, plain } from "./common.js";
import { type ComplianceCardOptions, complianceCard } from "./compliance.js";
import { ADMIN_ONLY, adminOnlyWords } from "./error-words/admin.js";
import { userErrorWords } from "./error-words/index.js";
import { twilioRefusalText } from "./twilio-refusal.js";

export const DATABASE_BUSY =
  "Leadline's database is busy (another Leadline instance or a script is writing to it), so nothing was saved. Try again in a moment.";

/** A Slack user id Leadline itself stored, shown as a mention; anything else is left out. */
const mention = (id: unknown) => (typeof id === "string" && /^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : "someone");

/** The disk under Leadline's database is full (DatabaseFull): nothing was kept, and for a call nothing was dialled. */
export function databaseFull(what?: string): string {
  const call = what === "the call";
  return (
    `Leadline could not save ${call ? "the call" : "this"}: the disk its database is on is full. ` +
    `Nothing was saved${call ? " and nothing was dialled" : ""}. ` +
    "Whoever runs Leadline has been told in the logs; try again once there is room."
  );
}

export const SOMETHING_WENT_WRONG =
  "Something went wrong on Leadline's side. The team has been told in the logs; please try again in a minute.";

/**
 * The one place that turns an error into what a Slack user reads. Services throw typed errors with
 * plain-English messages and data; this adds mentions, commands and buttons where they help, and
 * escapes everything that came from people or from Twilio.
 */
export function errorMessage(
  error: unknown,
  options: {
    now: Date;
    what?: string;
    /** Calling law's now, when it differs from the app clock (the sandbox's pretend time). */
    lawNow?: Date;
  } & Omit<Partial<ComplianceCardOptions>, "now"> = { now: new Date() },
): { text: string; blocks?: KnownBlock[] } {
  if (error instanceof ComplianceBlock)
    return complianceCard(error, { ...options, now: options.lawNow ?? options.now });
  if (error instanceof ExternalError) {
    if (error.service === "twilio") return { text: `:x: ${twilioRefusalText(error, options.what ?? "the request")}` };
    const code = error.code !== undefined ? ` (${error.code})` : "";
    const more = error.moreInfo && /^https:\/\/[\w./-]+$/.test(error.moreInfo) ? ` ${error.moreInfo}` : "";
    return {
      text: `:x: Slack refused ${options.what ?? "the request"}${code}: ${escapeMrkdwn(error.message)}${more}`,
    };
  }
  if (error instanceof DatabaseFull) return { text: `:floppy_disk: ${databaseFull(options.what)}` };
  if (isDatabaseBusy(error)) return { text: `:hourglass_flowing_sand: ${DATABASE_BUSY}` };
  if (!(error instanceof UserError)) return { text: `:x: ${SOMETHING_WENT_WRONG}` };
  const render = error.code ? USER_ERRORS[error.code] : undefined;
  if (!render) return { text: `:x: ${escapeMrkdwn(userErrorWords(error))}` };
  const data = error.data;
  const name = typeof data.leadName === "string" ? `*${escapeTruncate(data.leadName, 150)}*` : "the lead";
  return render(data, { name, now: options.now, code: error.code! });
}

type Answer = { text: string; blocks?: KnownBlock[] };
type UserErrorWords = (data: Record<string, unknown>, context: { name: string; now: Date; code: string }) => Answer;

/** A refusal about the lead's number, with the button that fixes it. */
const phoneRefusal: UserErrorWords = (data, { name, code }) => {
  const text =
    code === "phone_wrong"
      ? `:x: ${name}'s number was marked as a wrong number. Add the right one to call them.`
      : `:x: ${name} has no phone number. Add one to call them.`;
  if (typeof data.leadId !== "number") return { text };
  const button = {
    type: "button" as const,
    action_id: ids.lead.phoneAction,
    text: plain("Add phone"),
    value: String(data.leadId),
    style: "primary" as const,
  };
  return { text, blocks: [mrkdwnSection(text), { type: "actions", elements: [button] }] };
};

/** The words for each UserError code that says more than its plain message (mentions, commands, buttons). */
const USER_ERRORS: Record<string, UserErrorWords> = {
  already_calling: (data, { name, now }) => {
    const started = typeof data.startedAt === "string" ? new Date(data.startedAt) : undefined;
    const since = started ? `started ${ago(started, now)} ago` : "started just now";
    const by = typeof data.agentId === "string" && /^[UW][A-Z0-9]+$/.test(data.agentId) ? ` by <@${data.agentId}>` : "";
    return { text: `:hourglass_flowing_sand: Already calling ${name} (${since}${by}). Nothing was dialed again.` };
  },
  admin_only: (data) => ({
    text: `:no_entry: ${ADMIN_ONLY[String(data.area)] ?? "Only Leadline admins can do this."}`,
  }),
  reason_required: () => ({
    text: ":x: Say why the number comes off the list, e.g. `/dnc remove (212) 555-0182 added by mistake`.",
  }),
  booked_for_other: (data) => ({
    text: `:x: That call is booked for ${mention(data.agentId)}: only they or an admin can change it.`,
  }),
  outcome_taken: (data) => ({
    text: `:information_source: ${mention(data.by)} ${data.moment ? "recorded" : "already recorded"} *${escapeMrkdwn(String(data.outcome))}* ${data.moment ? "a moment before you" : "for this call"}; nothing was changed.${data.canChange ? " To change it, use *Change to…* on the call." : ""}`,
  }),
  outcome_locked: (data) => ({
    text: `:x: ${mention(data.by)} recorded *${escapeMrkdwn(String(data.outcome))}*. Only ${mention(data.placedBy)}, who made the call, or an admin can change it.`,
  }),
  twilio_missing: () => ({
    text: ":x: Twilio is not connected for this workspace. An admin can connect it with `/twilio-setup`.",
  }),
  placed_unsaved: (data, { name }) => ({
    text: `:warning: The call to ${name} was placed${typeof data.callSid === "string" ? ` (${escapeMrkdwn(data.callSid)})` : ""}, but Leadline could not save it yet${data.busy ? " (its database is busy)" : ""}. Do not call again: its post will appear here within a minute.`,
  }),
  // Labels are Leadline's own words (no user text): shown as they are.
  missing_settings: (data) => ({
    text: `:x: Missing Twilio settings: ${Array.isArray(data.labels) ? data.labels.map(String).join(", ") : ""}. An admin can run \`/twilio-setup\` to add them.`,
  }),
  no_phone: phoneRefusal,
  phone_wrong: phoneRefusal,
  retention_invalid: (data) => ({
    text: `:x: Give the retention as a number of days from 1 to ${Number(data.max)}, such as \`retention 90\`.`,
  }),
};

/** The same answer as plain text, for a modal field error (Slack shows those as plain text). */
export function fieldError(error: unknown): string {
  if (error instanceof UserError && error.code === "admin_only") return adminOnlyWords(error.data);
  if (error instanceof UserError) return userErrorWords(error);
  if (error instanceof ExternalError) return error.message;
  if (error instanceof DatabaseFull) return databaseFull();
  if (isDatabaseBusy(error)) return DATABASE_BUSY;
  return SOMETHING_WENT_WRONG;
}
