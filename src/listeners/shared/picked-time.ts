import type { ViewSubmitAction } from "@slack/bolt";
import { DateTime } from "luxon";
import { UserError } from "../../lib/errors.js";
import { scheduleFields } from "../../lib/ids.js";

// A day and a time picked in a modal (the schedule form, Snooze's "Pick a day and time…"): the same two
// blocks (scheduleFields), read in the agent's Slack zone.

type ViewState = ViewSubmitAction["view"]["state"];

/** A time picked in the modal (a day and a wall time), read in the agent's Slack zone. */
export function pickedTime(date: string | undefined, time: string | undefined, zone: string): Date {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new UserError("Pick a day.", { field: scheduleFields.date });
  if (!time || !/^\d{2}:\d{2}$/.test(time)) throw new UserError("Pick a time.", { field: scheduleFields.time });
  const local = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!local.isValid) throw new UserError("That day and time do not exist.", { field: scheduleFields.date });
  return local.toJSDate();
}

/** The first element's value in an input block (the date picker's selected_date, the time picker's selected_time). */
export function picked(state: ViewState, block: string, key: "selected_date" | "selected_time"): string | undefined {
  const elements = state.values[block] ?? {};
  const element = elements[Object.keys(elements)[0] ?? ""] as Record<string, unknown> | undefined;
  const value = element?.[key];
  return typeof value === "string" ? value : undefined;
}
