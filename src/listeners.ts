import type { App } from "@slack/bolt";
import type { Deps } from "./services/index.js";

/** Every Slack surface registers its listeners here; listeners only translate to services. */
export function registerSlackListeners(app: App, deps: Deps): void {
  app.error(async (error) => {
    deps.log.error({ err: error }, "unhandled Slack listener error");
  });
}
