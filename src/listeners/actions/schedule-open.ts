import type { App, BlockAction } from "@slack/bolt";
import { ids } from "../../lib/ids.js";
import type { ListenerBase } from "../shared/base.js";
import { leadIdOf, scheduledIdOf } from "../shared/payloads.js";
import { tellFailure } from "../shared/reply.js";
import { openScheduleForm, type ScheduleFormDeps } from "../shared/schedule-form.js";
import { workspaceOf } from "../shared/workspace.js";

/** Schedule (a lead card) and Move (a booked call) open the date and time modal. */
export function registerScheduleOpen(app: App, deps: ScheduleFormDeps & ListenerBase): void {
  for (const actionId of [ids.schedule.openAction, ids.schedule.moveAction]) {
    app.action<BlockAction>(actionId, async ({ ack, body, context }) => {
      await ack();
      const ws = workspaceOf(context);
      try {
        const moving = actionId === ids.schedule.moveAction;
        await openScheduleForm(
          deps,
          ws,
          body,
          moving ? { scheduledId: scheduledIdOf(body) } : { leadId: leadIdOf(body) },
        );
      } catch (error) {
        await tellFailure(deps, ws, body, error, "opening the schedule form");
      }
    });
  }
}
