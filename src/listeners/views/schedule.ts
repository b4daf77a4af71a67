import type { App, ViewSubmitAction } from "@slack/bolt";
import { isExpected, UserError } from "../../lib/errors.js";
import { ids, scheduleFields } from "../../lib/ids.js";
import type { Scheduler } from "../../services/scheduling/scheduler.js";
import { zoneOf } from "../../services/slack/people.js";
import { fieldError } from "../../views/errors.js";
import { scheduledConfirmation, scheduledModal } from "../../views/schedule.js";
import type { ListenerBase } from "../shared/base.js";
import { readMetadata, scheduleMeta } from "../shared/payloads.js";
import { picked, pickedTime } from "../shared/picked-time.js";
import { workspaceOf } from "../shared/workspace.js";

export interface ScheduleSubmitDeps extends ListenerBase {
  scheduler: Pick<Scheduler, "book" | "move">;
}

/** The schedule modal submitted: a new booking or a move; the confirmation lands where the call will be announced. */
export function registerScheduleSubmit(app: App, deps: ScheduleSubmitDeps): void {
  app.view(ids.schedule.callbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    try {
      const meta = readMetadata(scheduleMeta, view.private_metadata);
      const slack = await deps.slackFor(ws);
      const zone = await zoneOf(slack, body.user.id);
      const at = pickedTime(
        picked(view.state, scheduleFields.date, "selected_date"),
        picked(view.state, scheduleFields.time, "selected_time"),
        zone,
      );
      const result = meta.scheduledId
        ? await deps.scheduler.move(ws, meta.scheduledId, at, body.user.id)
        : await deps.scheduler.book({
            ws,
            leadId: meta.leadId,
            agentId: body.user.id,
            channel: meta.channel ?? body.user.id,
            threadTs: meta.threadTs,
            at,
            bookedBy: body.user.id,
          });
      const message = scheduledConfirmation(result, { agentZone: zone, now: deps.clock.callingNow() });
      await ack({ response_action: "update", view: scheduledModal(message) });
      deps.tasks.run(() => slack.tell(body.user.id, { channel: meta.channel }, message));
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "scheduling a call failed");
      const field = error instanceof UserError ? error.field : undefined;
      await ack({
        response_action: "errors",
        errors: { [field === scheduleFields.time ? scheduleFields.time : scheduleFields.date]: fieldError(error) },
      });
    }
  });
}
