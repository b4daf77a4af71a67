import type { Lead, ScheduledCall } from "@prisma/client";
import type { KnownBlock, ModalView } from "@slack/types";
import { DateTime } from "luxon";
import { ExternalError, UserError } from "../lib/errors.js";
import { INPUT_ACTION, ids, scheduleFields } from "../lib/ids.js";
import { candidateZones } from "../services/compliance/verdict.js";
import type { BookResult, ScheduleEvent } from "../services/scheduling/scheduler.js";
import { context, escapeMrkdwn, escapeTruncate, mrkdwnSection, plain } from "./common.js";
import { userErrorWords } from "./error-words/index.js";
import { describeNextAllowed, describeVerdict, untilText, zoneAbbreviation, zoneLabel } from "./verdict-words.js";

type Message = { text: string; blocks: KnownBlock[] };

/** The lead's candidate zones (from its number and address), for "2:00 PM CT their time". */
function leadZones(lead: Pick<Lead, "phone" | "state" | "zip">): readonly string[] {
  if (!lead.phone) return [];
  const zones = candidateZones(lead.phone, { state: lead.state, zip: lead.zip }).zones;
  return zones.length <= 4 ? zones : [];
}

/** "Tue Nov 24, 3:00 PM EST your time · 2:00 PM CST their time (in 3 h)". */
export function whenText(at: Date, agentZone: string, lead: Pick<Lead, "phone" | "state" | "zip">, now: Date): string {
  const mine = `${DateTime.fromJSDate(at, { zone: agentZone }).toFormat("ccc LLL d, h:mm a")} ${zoneAbbreviation(agentZone, at)}`;
  const theirs = [
    ...new Set(
      leadZones(lead).map(
        (zone) => `${DateTime.fromJSDate(at, { zone }).toFormat("h:mm a")} ${zoneAbbreviation(zone, at)}`,
      ),
    ),
  ].filter((text) => !mine.endsWith(text));
  return `${mine} your time${theirs.length > 0 ? ` · ${theirs.join(" / ")} their time` : ""} (${untilText(at, now)})`;
}

function scheduleButtons(row: Pick<ScheduledCall, "id">): KnownBlock {
  return {
    type: "actions",
    elements: [
      { type: "button", action_id: ids.schedule.moveAction, text: plain("Move"), value: String(row.id) },
      {
        type: "button",
        action_id: ids.schedule.cancelAction,
        text: plain("Cancel"),
        value: String(row.id),
        style: "danger",
        confirm: {
          title: plain("Cancel this call?"),
          text: plain("The scheduled call will not be placed."),
          confirm: plain("Cancel it"),
          deny: plain("Keep it"),
        },
      },
    ],
  };
}

/**
 * What the agent sees after booking: the time in their zone and the lead's, and a warning with the
 * next allowed time when that moment is outside calling hours (the call would be moved then anyway).
 */
export function scheduledConfirmation(result: BookResult, options: { agentZone: string; now: Date }): Message {
  const name = escapeTruncate(result.lead.name, 150);
  const when = whenText(result.row.dueAt, options.agentZone, result.lead, options.now);
  if (result.existing) return alreadyBooked(result, name, when);
  const text = `:alarm_clock: Scheduled a live call to *${name}* for ${escapeMrkdwn(when)}. Your phone rings first; Leadline checks calling law again when it is due.`;
  const blocks: KnownBlock[] = [mrkdwnSection(text)];
  const verdict = result.verdict;
  if (!verdict.allowed) {
    const lines = describeVerdict(verdict, {
      phone: result.lead.phone ?? undefined,
      agentZone: options.agentZone,
      now: options.now,
    });
    blocks.push(
      mrkdwnSection(`:warning: *That time is outside what calling law allows:* ${escapeMrkdwn(lines.join(" "))}`),
    );
    if (verdict.nextAllowedAt && !verdict.reasons.some((reason) => reason.kind === "dnc")) {
      blocks.push({
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: ids.schedule.moveToAction,
            text: plain(
              `Move to ${describeNextAllowed(verdict.nextAllowedAt, verdict.zones, options.agentZone).replace(/ \(.*\)$/, "")}`.slice(
                0,
                75,
              ),
            ),
            value: JSON.stringify({ id: result.row.id, at: verdict.nextAllowedAt.toISOString() }),
            style: "primary",
          },
        ],
      });
      blocks.push(context("If it is not moved, Leadline moves it to the next allowed time when it comes due."));
    }
  }
  blocks.push(scheduleButtons(result.row));
  blocks.push(...otherBookings(result, options));
  return { text: `Scheduled a live call to ${escapeTruncate(result.lead.name, 150)} for ${when}.`, blocks };
}

/** The lead's calls booked before this one: both are kept, said so, each with its Cancel. */
function otherBookings(result: BookResult, options: { agentZone: string; now: Date }): KnownBlock[] {
  const others = (result.others ?? []).slice(0, 5);
  if (others.length === 0) return [];
  const name = escapeTruncate(result.lead.name, 150);
  const list = others
    .map(
      (other) =>
        `${escapeMrkdwn(whenText(other.dueAt, options.agentZone, result.lead, options.now))} (booked by <@${other.bookedBy}>)`,
    )
    .join("; ");
  const blocks: KnownBlock[] = [
    mrkdwnSection(
      `:warning: *${name} already had ${others.length === 1 ? "a call" : `${others.length} calls`} scheduled:* ${list}. Both are kept and each will be placed; cancel the earlier one if this one replaces it.`,
    ),
  ];
  // One block each: an action id is unique within its block, and every Cancel is the same action.
  for (const other of others)
    blocks.push({
      type: "actions",
      block_id: `schedule_other_${other.id}`,
      elements: [
        {
          type: "button",
          action_id: ids.schedule.cancelAction,
          text: plain(`Cancel the earlier one (${untilText(other.dueAt, options.now)})`.slice(0, 75)),
          value: String(other.id),
        },
      ],
    });
  return blocks;
}

/** A suggestion tapped again: the booking it made the first time, in whatever state it is now. Nothing new was booked. */
function alreadyBooked(result: BookResult, name: string, when: string): Message {
  const state: Record<string, string> = {
    scheduled: "It is booked",
    claimed: "It is being placed now",
    placed: "It was placed",
    cancelled: "It was cancelled; book another with *Schedule* on the lead's card",
    missed: "It was missed",
  };
  const waiting = result.row.status === "scheduled" || result.row.status === "claimed";
  const rings = waiting ? ` (<@${result.row.agentId}>'s phone rings)` : "";
  const now = `${state[result.row.status] ?? "It is booked"}${rings}.`;
  const text = `:information_source: This call back was already booked from this summary: a live call to *${name}* for ${escapeMrkdwn(when)}. ${now} Nothing new was booked.`;
  const blocks: KnownBlock[] = [mrkdwnSection(text)];
  if (result.row.status === "scheduled") blocks.push(scheduleButtons(result.row));
  return { text: `This call back was already booked: ${escapeTruncate(result.lead.name, 150)} for ${when}.`, blocks };
}

/** `/call-lead scheduled`: the agent's upcoming calls, each with Move and Cancel. */
export function scheduledList(
  rows: (ScheduledCall & { lead?: Lead })[],
  options: { agentZone: string; now: Date },
): Message {
  if (rows.length === 0)
    return {
      text: "You have no scheduled calls.",
      blocks: [
        mrkdwnSection(
          "You have no scheduled calls. Book one with `/call-lead Jane tomorrow 10am`, or *Schedule* on a lead card.",
        ),
      ],
    };
  const blocks: KnownBlock[] = [mrkdwnSection(`*Your scheduled calls* (${rows.length})`)];
  for (const row of rows.slice(0, 20)) {
    const name = row.lead ? escapeTruncate(row.lead.name, 150) : `lead #${row.leadId}`;
    const when = whenText(
      row.dueAt,
      options.agentZone,
      row.lead ?? { phone: null, state: null, zip: null },
      options.now,
    );
    const moved = row.reason ? ` · _${escapeTruncate(row.reason, 200)}_` : "";
    blocks.push(
      mrkdwnSection(
        `:alarm_clock: *${name}* · ${escapeMrkdwn(when)}${row.status === "claimed" ? " · being placed now" : ""}${moved}`,
      ),
    );
    if (row.status === "scheduled") blocks.push(scheduleButtons(row));
  }
  return { text: `You have ${rows.length} scheduled calls.`, blocks };
}

/** A day and a time picker (scheduleFields' blocks), opening on `local`: the schedule form's, Snooze's. */
export function dayAndTime(local: DateTime): KnownBlock[] {
  return [
    {
      type: "input",
      block_id: scheduleFields.date,
      label: plain("Day"),
      element: { type: "datepicker", action_id: INPUT_ACTION, initial_date: local.toFormat("yyyy-LL-dd") },
    },
    {
      type: "input",
      block_id: scheduleFields.time,
      label: plain("Time"),
      element: { type: "timepicker", action_id: INPUT_ACTION, initial_time: local.toFormat("HH:mm") },
    },
  ];
}

/** Slack's date and time pickers, read in the agent's Slack time zone. */
export function scheduleModal(
  lead: Pick<Lead, "id" | "name">,
  privateMetadata: string,
  options: { agentZone: string; initial: Date; moving?: boolean },
): ModalView {
  const local = DateTime.fromJSDate(options.initial, { zone: options.agentZone });
  return {
    type: "modal",
    callback_id: ids.schedule.callbackId,
    title: plain(options.moving ? "Move the call" : "Schedule a call"),
    submit: plain(options.moving ? "Move" : "Schedule"),
    close: plain("Cancel"),
    private_metadata: privateMetadata,
    blocks: [
      mrkdwnSection(`A live call to *${escapeTruncate(lead.name, 150)}* (lead #${lead.id}): your phone rings first.`),
      ...dayAndTime(local),
      context(`Times are in your Slack time zone: ${escapeMrkdwn(zoneLabel(options.agentZone))}.`),
    ],
  };
}

/** A modal that replaces the form once saved. */
export function scheduledModal(message: Message): ModalView {
  return {
    type: "modal",
    callback_id: ids.schedule.doneCallbackId,
    title: plain("Scheduled"),
    close: plain("Done"),
    blocks: message.blocks.filter((block) => block.type !== "actions"),
  };
}

/** What the agent is told when a scheduled call is moved, cancelled, missed or fails. */
export function scheduleEventMessage(event: ScheduleEvent, options: { agentZone: string; now: Date }): Message {
  const name = event.lead ? `*${escapeTruncate(event.lead.name, 150)}*` : `lead #${event.row.leadId}`;
  const booked = event.lead ? whenText(event.row.dueAt, options.agentZone, event.lead, options.now) : "";
  let text: string;
  switch (event.kind) {
    case "moved": {
      const lines = describeVerdict(event.verdict, {
        phone: event.lead.phone ?? undefined,
        agentZone: options.agentZone,
        now: options.now,
      });
      text = `:alarm_clock: Your scheduled call to ${name} was due now, but calling law does not allow it: ${escapeMrkdwn(lines.join(" "))} It moved to ${escapeMrkdwn(whenText(event.to, options.agentZone, event.lead, options.now))}.`;
      break;
    }
    case "missed":
      text = `:alarm_clock: Your call to ${name} scheduled for ${escapeMrkdwn(booked)} was not placed: Leadline was not running then, and it is now ${Math.round(event.overdueMs / 60_000)} minutes late. Nothing was dialed; schedule it again if you still want it.`;
      break;
    case "failed": {
      const why =
        event.error instanceof UserError
          ? escapeMrkdwn(userErrorWords(event.error))
          : event.error instanceof ExternalError
            ? escapeMrkdwn(event.error.message)
            : "something went wrong on Leadline's side";
      text = `:x: Your scheduled call to ${name} could not be placed: ${why}`;
      break;
    }
    case "cancelled": {
      const why = {
        dnc: "the number is on the team's do-not-call list",
        lead_gone: "the lead was deleted",
        no_phone: "the lead has no phone number any more",
        busy: "someone was already calling the lead at that moment",
        blocked: event.verdict
          ? escapeMrkdwn(describeVerdict(event.verdict, { now: options.now }).join(" "))
          : "calling law blocks it",
      }[event.why];
      text = `:no_entry_sign: Your scheduled call to ${name} was cancelled: ${why}. Nothing was dialed.`;
      break;
    }
  }
  if (event.row.textBody !== null && event.row.textBody !== undefined) text = asText(text);
  return { text: text.replace(/\*/g, ""), blocks: [mrkdwnSection(text)] };
}

/** The same words for a scheduled text ("Send at …"): a text is sent, not a call placed or dialed. */
const asText = (words: string) =>
  words
    .replace(/scheduled call/g, "scheduled text")
    .replace(/call to/g, "text to")
    .replace(/could not be placed/g, "could not be sent")
    .replace(/was not placed/g, "was not sent")
    .replace(/Nothing was dialed/g, "Nothing was sent");

/** /call-lead "<words> at <time>" that matched several leads: which one to book is the agent's to say. */
export const SEVERAL_TO_SCHEDULE =
  "Several leads match: to schedule, name one exactly, e.g. `/call-lead #12 at 3pm`. Or use *Schedule* on a card below.";

/** A scheduled call the agent cancelled. */
export function scheduleCancelledMessage(leadName: string | undefined, leadId: number): { text: string } {
  return {
    text: `:white_check_mark: Cancelled the scheduled call to ${leadName ? escapeTruncate(leadName, 150) : `lead #${leadId}`}. Nothing will be dialed.`,
  };
}
