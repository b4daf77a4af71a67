import type { KnownBlock } from "@slack/types";
import { ComplianceBlock, DatabaseFull, ExternalError, isDatabaseBusy, UserError } from "../lib/errors.js";
import { ids } from "../lib/ids.js";
import { ago } from "../lib/time.js";
import { escapeMrkdwn, escapeTruncate, mrkdwnSection, plain } from "./common.js";
import { type ComplianceCardOptions, complianceCard } from "./compliance.js";

export const DATABASE_BUSY =
  "Leadline's database is busy (another Leadline instance or a script is writing to it), so nothing was saved. Try again in a moment.";

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
    const service = error.service === "twilio" ? "Twilio" : "Slack";
    const code = error.code !== undefined ? ` (${error.code})` : "";
    const more = error.moreInfo && /^https:\/\/[\w./-]+$/.test(error.moreInfo) ? ` ${error.moreInfo}` : "";
    return {
      text: `:x: ${service} refused ${options.what ?? "the request"}${code}: ${escapeMrkdwn(error.message)}${more}`,
    };
  }
  if (error instanceof DatabaseFull) return { text: `:floppy_disk: ${databaseFull(options.what)}` };
  if (isDatabaseBusy(error)) return { text: `:hourglass_flowing_sand: ${DATABASE_BUSY}` };
  if (!(error instanceof UserError)) return { text: `:x: ${SOMETHING_WENT_WRONG}` };
  const data = error.data;
  const name = typeof data.leadName === "string" ? `*${escapeTruncate(data.leadName, 150)}*` : "the lead";
  switch (error.code) {
    case "already_calling": {
      const started = typeof data.startedAt === "string" ? new Date(data.startedAt) : undefined;
      const since = started ? `started ${ago(started, options.now)} ago` : "started just now";
      const by =
        typeof data.agentId === "string" && /^[UW][A-Z0-9]+$/.test(data.agentId) ? ` by <@${data.agentId}>` : "";
      return { text: `:hourglass_flowing_sand: Already calling ${name} (${since}${by}). Nothing was dialed again.` };
    }
    case "missing_settings": {
      // Labels are Leadline's own words (no user text): shown as they are.
      const labels = Array.isArray(data.labels) ? data.labels.map(String).join(", ") : "";
      return { text: `:x: Missing Twilio settings: ${labels}. An admin can run \`/twilio-setup\` to add them.` };
    }
    case "no_phone":
    case "phone_wrong": {
      const text =
        error.code === "phone_wrong"
          ? `:x: ${name}'s number was marked as a wrong number. Add the right one to call them.`
          : `:x: ${name} has no phone number. Add one to call them.`;
      if (typeof data.leadId !== "number") return { text };
      return {
        text,
        blocks: [
          mrkdwnSection(text),
          {
            type: "actions",
            elements: [
              {
                type: "button",
                action_id: ids.lead.phoneAction,
                text: plain("Add phone"),
                value: String(data.leadId),
                style: "primary",
              },
            ],
          },
        ],
      };
    }
    default:
      return { text: `:x: ${escapeMrkdwn(error.message)}` };
  }
}

/** The same answer as plain text, for a modal field error (Slack shows those as plain text). */
export function fieldError(error: unknown): string {
  if (error instanceof UserError || error instanceof ExternalError) return error.message;
  if (error instanceof DatabaseFull) return databaseFull();
  if (isDatabaseBusy(error)) return DATABASE_BUSY;
  return SOMETHING_WENT_WRONG;
}
