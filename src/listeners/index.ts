import type { App } from "@slack/bolt";
import { ErrorCode } from "@slack/bolt";
import type { Container } from "../container/index.js";
import { registerActions } from "./actions/index.js";
import { registerCommands } from "./commands/index.js";
import { registerEvents } from "./events/index.js";
import { registerViews } from "./views/index.js";

/** Every Slack surface registers its listeners here; listeners only translate between Slack and services. */
export function registerSlackListeners(app: App, c: Container): void {
  registerCommands(app, c);
  registerActions(app, c);
  registerViews(app, c);
  registerEvents(app, c);
  app.error(async (error) => {
    // A request from a workspace that is not (or no longer) installed: expected, and refused.
    if ((error as { code?: string }).code === ErrorCode.AuthorizationError) {
      c.log.info({ err: error }, "refused a Slack request from a workspace that is not installed");
      return;
    }
    c.log.error({ err: error }, "unhandled Slack listener error");
  });
}
