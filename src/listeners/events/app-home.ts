import type { App } from "@slack/bolt";
import type { HomeTab } from "../../presenters/home-tab.js";
import type { ListenerBase } from "../shared/base.js";
import { workspaceOf } from "../shared/workspace.js";

export interface AppHomeDeps extends Pick<ListenerBase, "log"> {
  homeTab: HomeTab;
}

/** The Home tab opened: drawn as things are now. */
export function registerAppHomeOpened(app: App, deps: AppHomeDeps): void {
  app.event("app_home_opened", async ({ event, context }) => {
    if (event.tab !== "home") return;
    try {
      await deps.homeTab.publish(workspaceOf(context), event.user);
    } catch (error) {
      deps.log.warn({ err: error }, "could not publish the Home tab");
    }
  });
}
