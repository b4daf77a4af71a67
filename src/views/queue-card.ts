import type { Call, CallQueue, Lead, QueueRun } from "@prisma/client";
import type { KnownBlock, ModalView } from "@slack/types";
import { DateTime } from "luxon";
import { INPUT_ACTION, ids, scheduleFields } from "../lib/ids.js";
import { OUTCOMES, outcomesFor } from "../services/calls/outcomes.js";
import type { Verdict } from "../services/compliance/verdict.js";
import type { AutoBlock } from "../services/queues/auto-advance.js";
import type { ProgressCounts } from "../services/queues/claim-store.js";
import { context, escapeTruncate, mrkdwnSection, phoneText, plain } from "./common.js";
import { readableNote } from "./history.js";
import { dayAndTime } from "./schedule.js";
import { SKIP_MENU, SNOOZE_MENU, skipsText } from "./skip-words.js";
import { zoneLabel } from "./verdict-words.js";

/** What the queue card shows: the run, the lead on offer (or being called), the call, the progress. */
export interface QueueCardData {
  run: Pick<QueueRun, "id" | "status" | "endReason"> & Partial<Pick<QueueRun, "listenerId" | "listenMode">>;
  queue: Pick<CallQueue, "name"> | undefined;
  claim?: { id: number; status: string };
  lead?: Pick<Lead, "name" | "phone" | "phoneExt" | "state" | "source">;
  /** Calling law's now and the lead's zone, when known: shown as "2:05 PM in New York (Eastern)". */
  leadNow?: { at: Date; zone: string };
  verdict?: Verdict;
  activities: string[];
  call?: Pick<Call, "status" | "outcome" | "durationSec">;
  progress: ProgressCounts;
  auto?: { sec: number; block?: AutoBlock };
}

/** Why a lead of an auto-advancing queue waits for the agent's press (docs/queues.md "Auto-advance"). */
const AUTO_WORDS: Record<AutoBlock, string> = {
  no_consent: "no autodial consent is on record for this number",
  florida: "the lead may be in Florida (by number or address), whose law covers systems that pick and dial numbers",
  oklahoma: "the lead may be in Oklahoma (by number or address), whose law bars systems that pick or dial numbers",
  unknown_place: "where the lead is is not known, so Florida and Oklahoma cannot be ruled out",
};

export function autoLine(auto: { sec: number; block?: AutoBlock }): string {
  return auto.block
    ? `:raised_hand: Agent-paced for this lead: ${AUTO_WORDS[auto.block]}. Press Call.`
    : `:fast_forward: Auto-advance: this lead is dialled ${auto.sec} s after your outcome (autodial consent on record). Skip or Stop to prevent it.`;
}

const END_WORDS: Record<string, string> = {
  stopped: "you stopped it",
  agent_hung_up: "you hung up",
  agent_no_key: "no key was pressed on your phone",
  "agent_no-answer": "your phone did not answer",
  agent_busy: "your phone was busy",
  agent_failed: "your phone could not be reached",
  twilio_refused: "Twilio refused to ring your phone",
  queue_deleted: "the queue was deleted",
  abandoned: "it was left running",
};

const LISTEN_WORDS: Record<string, string> = {
  listen: "is listening to this run (muted)",
  whisper: "is coaching you: you hear them, the lead does not",
  join: "has joined the call",
};

export function progressText(progress: ProgressCounts): string {
  const left = progress.left === undefined ? "" : ` · ${progress.left} left`;
  return `${progress.called} called · ${skipsText(progress.skipsByReason)}${left}`;
}

/** A menu on the card (Skip's reasons, Snooze's times): each option carries the run, the claim and the choice. */
const menu = (placeholder: string, action: string, value: string, options: Record<string, string>) => ({
  type: "static_select" as const,
  action_id: action,
  placeholder: plain(placeholder),
  options: Object.entries(options).map(([choice, label]) => ({ text: plain(label), value: `${value}:${choice}` })),
});

const button = (text: string, action: string, value: string, style?: "primary" | "danger") => ({
  type: "button" as const,
  text: plain(text),
  action_id: action,
  value,
  ...(style ? { style } : {}),
});

function leadBlocks(data: QueueCardData): KnownBlock[] {
  const lead = data.lead!;
  const localTime = data.leadNow
    ? `${DateTime.fromJSDate(data.leadNow.at, { zone: data.leadNow.zone }).toFormat("h:mm a")} in ${zoneLabel(data.leadNow.zone)}`
    : undefined;
  const where = [localTime, lead.state ? `state ${escapeTruncate(lead.state, 10)}` : undefined]
    .filter(Boolean)
    .join(" · ");
  const lines = [
    `*${escapeTruncate(lead.name, 200)}*  ${lead.phone ? phoneText(lead.phone, lead.phoneExt) : "no phone"}`,
    [where, lead.source ? `source: ${escapeTruncate(lead.source, 100)}` : undefined].filter(Boolean).join(" · "),
  ].filter(Boolean);
  const blocks: KnownBlock[] = [mrkdwnSection(lines.join("\n"))];
  if (data.activities.length > 0)
    blocks.push(
      context(
        data.activities
          .slice(0, 3)
          // As History shows notes: times in the lead's zone, Call SIDs left to History and the call's line.
          .map((line) => `• ${escapeTruncate(readableNote(line, data.leadNow?.zone ?? "UTC").text, 300)}`)
          .join("\n"),
      ),
    );
  const compliance = data.verdict?.allowed
    ? `:white_check_mark: Calling law allows a call now${data.verdict.zones.length > 0 ? ` (their time: ${data.verdict.zones.map(zoneLabel).join(", ")})` : ""}`
    : ":no_entry: Not allowed now";
  blocks.push(context(compliance));
  if (data.auto) blocks.push(context(autoLine(data.auto)));
  return blocks;
}

function actionsFor(data: QueueCardData): KnownBlock | undefined {
  const value = `${data.run.id}:${data.claim?.id ?? 0}`;
  if (data.run.status === "ended") return undefined;
  const stop = button("Stop", ids.queue.stopAction, value, "danger");
  if (!data.claim || !data.lead)
    return { type: "actions", elements: [button("Look again", ids.queue.nextAction, value), stop] };
  if (data.claim.status === "offered")
    return {
      type: "actions",
      elements: [
        button("Call", ids.queue.callAction, value, "primary"),
        menu("Skip…", ids.queue.skipAction, value, SKIP_MENU),
        menu("Snooze…", ids.queue.snoozeAction, value, SNOOZE_MENU),
        stop,
      ],
    };
  const ended = data.call && ["completed", "busy", "no-answer", "failed", "canceled"].includes(data.call.status);
  if (!ended) return { type: "actions", elements: [stop] };
  return {
    type: "actions",
    elements: outcomesFor(data.call!).map((kind) => button(OUTCOMES[kind], `${ids.queue.outcomePrefix}${kind}`, value)),
  };
}

export function queueCard(data: QueueCardData): { text: string; blocks: KnownBlock[] } {
  const name = data.queue ? escapeTruncate(data.queue.name, 60) : "(deleted queue)";
  const blocks: KnownBlock[] = [mrkdwnSection(`:telephone_receiver: *Queue: ${name}*`)];
  if (data.run.status === "ended") {
    const why = END_WORDS[data.run.endReason ?? ""] ?? "it ended";
    blocks.push(mrkdwnSection(`The run has ended: ${why}.`));
  } else if (data.run.status === "ringing") {
    blocks.push(
      mrkdwnSection(
        "Ringing your phone: answer and press any key to start. Your phone rings only once for the whole run.",
      ),
    );
  } else if (!data.lead) {
    blocks.push(
      mrkdwnSection(
        "No lead to offer right now (everyone is called, claimed, or waiting for their next allowed time).",
      ),
    );
  }
  if (data.lead && data.run.status !== "ended") {
    blocks.push(...leadBlocks(data));
    if (data.call) {
      const status = data.call.status === "dialing" || data.call.status === "queued" ? "dialing" : data.call.status;
      blocks.push(
        context(
          `Call: ${status}${data.call.durationSec ? ` · ${data.call.durationSec} s` : ""}. Record an outcome before the next lead.`,
        ),
      );
    }
  }
  if (data.run.listenerId && data.run.status !== "ended")
    blocks.push(
      context(`:ear: <@${data.run.listenerId}> ${LISTEN_WORDS[data.run.listenMode ?? ""] ?? "is listening"}.`),
    );
  const actions = actionsFor(data);
  if (actions) blocks.push(actions);
  blocks.push(context(progressText(data.progress)));
  return { text: `Queue ${data.queue?.name ?? ""}: ${progressText(data.progress)}`, blocks };
}

/** Snooze's "Pick a day and time…": Slack's date and time pickers in the agent's zone, the lead back then. */
export function snoozeModal(
  meta: { runId: number; claimId: number },
  options: { agentZone: string; initial: Date; maxDays: number },
): ModalView {
  const local = DateTime.fromJSDate(options.initial, { zone: options.agentZone });
  return {
    type: "modal",
    callback_id: ids.queue.snoozeCallbackId,
    title: plain("Snooze until"),
    submit: plain("Snooze"),
    close: plain("Cancel"),
    private_metadata: JSON.stringify(meta),
    blocks: [
      mrkdwnSection(
        `The lead leaves your queue card and is offered to no one before this time (at most ${options.maxDays} days ahead).`,
      ),
      ...dayAndTime(local),
      context(
        `Times are in your Slack time zone: ${zoneLabel(options.agentZone)}. The lead's calling hours still apply when it comes back.`,
      ),
    ],
  };
}
