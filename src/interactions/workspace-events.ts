import type { App } from "@slack/bolt";
import type { Deps } from "../deps.js";
import { workspaceOf } from "./scope.js";

/**
 * Slack says the app was uninstalled, or its tokens were revoked: the workspace's tokens are
 * deleted at once and its requests, webhooks and lead API calls are refused from now on. Its data
 * stays until an admin removes it (npm run workspace:remove) or the app is installed again.
 */
export function registerWorkspaceEvents(app: App, deps: Deps): void {
  app.event("app_uninstalled", async ({ context }) => {
    await deps.workspaces.uninstall(workspaceOf(context), "app_uninstalled");
  });
  app.event("tokens_revoked", async ({ event, context }) => {
    // Only the bot token matters to Leadline; a user token revoked alone changes nothing.
    const bots = (event as { tokens?: { bot?: string[] } }).tokens?.bot ?? [];
    if (bots.length > 0) await deps.workspaces.uninstall(workspaceOf(context), "tokens_revoked");
  });
}
