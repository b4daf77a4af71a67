import type { App, BlockAction, OverflowAction } from "@slack/bolt";
import { ids } from "../../lib/ids.js";
import type { HomeTab } from "../../presenters/home-tab.js";
import type { Scheduler } from "../../services/scheduling/scheduler.js";
import type { ListenerBase } from "../shared/base.js";
import { tellFailure } from "../shared/reply.js";
import { openScheduleForm, type ScheduleFormDeps } from "../shared/schedule-form.js";
import { workspaceOf } from "../shared/workspace.js";

export interface HomeMenuDeps extends ScheduleFormDeps, ListenerBase {
  scheduler: Pick<Scheduler, "upcoming" | "cancel">;
  homeTab: HomeTab;
}

/** Move / Cancel on a scheduled call in the Home tab; the tab is drawn again after. */
export function registerHomeMenu(app: App, deps: HomeMenuDeps): void {
  app.action<BlockAction>(ids.home.scheduledMenuAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const [verb, id] = ((body.actions[0] as OverflowAction | undefined)?.selected_option?.value ?? "").split(":");
    const scheduledId = Number(id);
    if (!Number.isInteger(scheduledId) || scheduledId <= 0) return;
    try {
      if (verb === "move") await openScheduleForm(deps, ws, body, { scheduledId });
      else if (verb === "cancel") await deps.scheduler.cancel(ws, scheduledId, body.user.id);
      await deps.homeTab.publish(ws, body.user.id);
    } catch (error) {
      await tellFailure(deps, ws, body, error, "a Home tab action");
    }
  });
}
