import type { App, BlockAction, OverflowAction } from "@slack/bolt";
import type { Deps } from "../deps.js";
import { isExpected } from "../lib/errors.js";
import { ids } from "../lib/ids.js";
import { errorMessage } from "../views/errors.js";
import { homeView } from "../views/home.js";
import { openScheduleForm } from "./schedule.js";
import { workspaceOf } from "./scope.js";

/** Draws the Home tab for a user, as things are now. */
export async function publishHome(deps: Deps, ws: number, userId: string): Promise<void> {
  const [admin, zone] = await Promise.all([deps.admins.isAdmin(ws, userId), deps.agentZone(ws, userId)]);
  const data = await deps.home.data(ws, userId, { admin, zone, now: deps.clock.callingNow() });
  await (await deps.slackFor(ws)).publishHome(userId, homeView(data));
}

export function registerHomeInteractions(app: App, deps: Deps): void {
  app.event("app_home_opened", async ({ event, context }) => {
    if (event.tab !== "home") return;
    const ws = workspaceOf(context);
    try {
      await publishHome(deps, ws, event.user);
    } catch (error) {
      deps.log.warn({ err: error }, "could not publish the Home tab");
    }
  });

  app.action<BlockAction>(ids.home.scheduledMenuAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const [verb, id] = ((body.actions[0] as OverflowAction | undefined)?.selected_option?.value ?? "").split(":");
    const scheduledId = Number(id);
    if (!Number.isInteger(scheduledId) || scheduledId <= 0) return;
    try {
      if (verb === "move") await openScheduleForm(deps, ws, body, { scheduledId });
      else if (verb === "cancel") await deps.scheduler.cancel(ws, scheduledId, body.user.id);
      await publishHome(deps, ws, body.user.id);
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "a Home tab action failed");
      await (await deps.slackFor(ws)).tell(body.user.id, {}, errorMessage(error, { now: deps.clock.now() }));
    }
  });
}
