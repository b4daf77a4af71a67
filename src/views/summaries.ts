import type { KnownBlock } from "@slack/types";
import { DateTime } from "luxon";
import { ids } from "../lib/ids.js";
import { OUTCOMES } from "../services/calls/outcomes.js";
import type { Suggestion } from "../services/transcripts/suggestions.js";
import { type CallSummaryData, stamp, type TranscriptLine } from "../services/transcripts/summary-request.js";
import type { SummarySettings } from "../services/transcripts/summary-settings.js";
import { context, escapeMrkdwn, escapeTruncate, mrkdwnSection, plain } from "./common.js";

/** Words and blocks for transcripts and summaries in a call's thread, and for `/twilio-setup summaries`. */

export const SUMMARIES_USAGE =
  "Usage: `/twilio-setup summaries` (status), `/twilio-setup summaries on` (transcripts and summaries), `/twilio-setup summaries transcripts-only`, `/twilio-setup summaries off`, `/twilio-setup summaries retention <days>`, `/twilio-setup summaries service <GA… SID>` (use an existing Voice Intelligence Service).";

/** The transcript file: plain text, one line per sentence, speakers labelled, times from the start of the recording. */
export function transcriptFileText(
  lines: readonly TranscriptLine[],
  names: { agent?: string; lead: string; callSid?: string | null },
): string {
  const agent = names.agent ? `Agent (${names.agent})` : "Agent";
  const lead = `Lead (${names.lead})`;
  const head = `Transcript of call ${names.callSid ?? ""} with ${names.lead}`.replace(/\s+/g, " ");
  const body = lines.map(
    (line) => `[${stamp(line.startSec)}] ${line.speaker === "agent" ? agent : lead}: ${line.text}`,
  );
  return `${head}\n\n${body.join("\n")}\n`;
}

export const transcriptComment = (leadName: string) =>
  `:page_facing_up: Transcript of the call with ${escapeMrkdwn(leadName)}`;

export const transcriptFailedMessage = (leadName: string) => ({
  text: `Twilio could not transcribe the call with ${escapeMrkdwn(leadName)}; the recording above is all there is.`,
});

export const summaryUnavailableMessage = () => ({
  text: ":memo: Summary unavailable for this call. The transcript above is complete.",
});

/** "Tue 5:00 PM EST" in the lead's zone: the time the lead named. */
export const callbackLabel = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat("ccc h:mm a ZZZZ");

function suggestionButtons(callId: number, suggestions: readonly Suggestion[]) {
  return suggestions.map((s) => {
    if (s.kind === "outcome")
      return {
        type: "button" as const,
        action_id: ids.summary.outcomeAction,
        text: plain(`Set outcome: ${OUTCOMES[s.outcome]}`),
        value: JSON.stringify({ callId, outcome: s.outcome }),
      };
    if (s.kind === "callback")
      return {
        type: "button" as const,
        action_id: ids.summary.callbackAction,
        text: plain(`Schedule call back ${callbackLabel(s.at, s.zone)}`),
        value: JSON.stringify({ callId, at: s.at.toISOString() }),
      };
    return {
      type: "button" as const,
      action_id: ids.summary.dncAction,
      text: plain("Add to do-not-call"),
      style: "danger" as const,
      value: JSON.stringify({ callId }),
      confirm: {
        title: plain("Add to do-not-call?"),
        text: plain(
          "The lead's number goes on the team's do-not-call list: nobody can call it, in any mode, and its consent ends. Only an admin can take it off.",
        ),
        confirm: plain("Add to do-not-call"),
        deny: plain("Cancel"),
        style: "danger" as const,
      },
    };
  });
}

function fieldsLine(fields: CallSummaryData["fields"]): string | undefined {
  const parts = [
    fields.timeline && `Timeline: ${fields.timeline}`,
    fields.priceRange && `Price: ${fields.priceRange}`,
    fields.preApproval && `Pre-approved: ${fields.preApproval}`,
    fields.areas.length > 0 && `Areas: ${fields.areas.join(", ")}`,
    fields.beds !== null && `Beds: ${fields.beds}`,
  ].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? escapeTruncate(parts.join(" · "), 1500) : undefined;
}

/** "Tue, Dec 8, 5:00 PM" from the model's "2026-12-08" and "17:00" (the lead's local time, as the model was asked). */
export function stepWhen(date: string, time: string | null): string {
  const at = DateTime.fromISO(time ? `${date}T${time}` : date, { zone: "UTC" });
  if (!at.isValid) return escapeTruncate(`${date}${time ? ` ${time}` : ""}`, 40);
  return at.toFormat(time ? "ccc, LLL d, h:mm a" : "ccc, LLL d");
}

/** The summary card: every piece of text from the call escaped; suggestions are buttons a person taps. */
export function summaryCard(input: {
  callId: number;
  leadName: string;
  summary: CallSummaryData;
  suggestions: readonly Suggestion[];
  cut: boolean;
}): { text: string; blocks: KnownBlock[] } {
  const { summary } = input;
  const lines = summary.summary.map((line) => `• ${escapeTruncate(line, 300)}`).join("\n");
  const steps = summary.nextSteps.map(
    (step) => `• ${escapeTruncate(step.action, 200)}${step.date ? ` — ${stepWhen(step.date, step.time)}` : ""}`,
  );
  const flags = [
    summary.flags.askedNotToBeCalled && ":no_entry: The lead asked not to be called again.",
    summary.flags.objectedToRecording && ":warning: The lead objected to the recording.",
  ].filter((flag): flag is string => Boolean(flag));
  const fields = fieldsLine(summary.fields);
  const blocks: KnownBlock[] = [
    mrkdwnSection(`:memo: *Call summary* · ${escapeTruncate(input.leadName, 100)}\n${lines}`),
    ...(fields ? [context(fields)] : []),
    ...(steps.length > 0 ? [mrkdwnSection(`*Next steps* (the lead's local time)\n${steps.join("\n")}`)] : []),
    ...(flags.length > 0 ? [mrkdwnSection(flags.join("\n"))] : []),
  ];
  const buttons = suggestionButtons(input.callId, input.suggestions);
  if (buttons.length > 0) blocks.push({ type: "actions", elements: buttons });
  blocks.push(
    context(
      `Suggestions only: nothing is applied until someone taps.${input.cut ? " The call was long: its middle was left out of the summary." : ""}`,
    ),
  );
  return { text: `Call summary: ${escapeTruncate(summary.summary[0] ?? "", 200)}`, blocks };
}

/** `/twilio-setup summaries`: what is on, the retention, the Service. */
export function summarySettingsMessage(settings: SummarySettings, saved?: boolean): { text: string } {
  const state = settings.transcripts
    ? settings.summaries
      ? "Transcripts and summaries are *on*"
      : "Transcripts are *on*, summaries are *off*"
    : "Transcripts and summaries are *off*";
  return {
    text: [
      `${saved ? ":white_check_mark: Saved. " : ""}${state} for this workspace.`,
      `Transcripts are deleted ${settings.retentionDays} days after they are posted (summaries are kept).`,
      settings.serviceSid
        ? `Voice Intelligence Service: \`${escapeMrkdwn(settings.serviceSid)}\``
        : "No Voice Intelligence Service yet: `/twilio-setup summaries on` makes one.",
      "Only calls recorded with the disclosure are transcribed; turn recording on in `/twilio-setup`.",
    ].join("\n"),
  };
}
