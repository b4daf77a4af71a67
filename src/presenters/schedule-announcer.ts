import type { Clock } from "../lib/clock.js";
import type { ScheduleEvent } from "../services/scheduling/scheduler.js";
import type { SlackMessenger } from "../services/slack/messenger.js";
import { zoneOf } from "../services/slack/people.js";
import { scheduleEventMessage } from "../views/schedule.js";

/** What happened to a scheduled call (placed, moved, missed, cancelled, failed), told where it was booked. */
export function createScheduleAnnouncer(deps: {
  slackFor(ws: number): Promise<SlackMessenger>;
  clock: Clock;
}): (ws: number, event: ScheduleEvent) => Promise<void> {
  return async (ws, event) => {
    const slack = await deps.slackFor(ws);
    const message = scheduleEventMessage(event, {
      agentZone: await zoneOf(slack, event.row.agentId),
      now: deps.clock.callingNow(),
    });
    await slack.tell(event.row.agentId, { channel: event.row.channel }, message);
  };
}
