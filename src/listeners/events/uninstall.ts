import type { App, Context } from "@slack/bolt";
import type { Workspaces } from "../../services/workspaces/workspace-service.js";

export interface UninstallDeps {
  workspaces: Pick<Workspaces, "idFor" | "uninstall">;
}

/**
 * Slack says the app was uninstalled, or its tokens were revoked: the workspace's tokens are
 * deleted at once and its requests, webhooks and lead API calls are refused from now on. Its data
 * stays until an admin removes it (npm run workspace:remove) or the app is installed again.
 */
export function registerUninstallEvents(app: App, deps: UninstallDeps): void {
  // Bolt skips authorize() for exactly these two events (the token is gone already), so the workspace
  // is found from the team and enterprise the event names; an unknown team is ignored.
  const workspaceNamed = (context: Context) =>
    deps.workspaces.idFor({
      teamId: context.teamId,
      enterpriseId: context.enterpriseId,
      isEnterpriseInstall: context.isEnterpriseInstall,
    });
  app.event("app_uninstalled", async ({ context }) => {
    const ws = await workspaceNamed(context);
    if (ws !== undefined) await deps.workspaces.uninstall(ws, "app_uninstalled");
  });
  app.event("tokens_revoked", async ({ event, context }) => {
    // Only the bot token matters to Leadline; a user token revoked alone changes nothing.
    const bots = (event as { tokens?: { bot?: string[] } }).tokens?.bot ?? [];
    const ws = bots.length > 0 ? await workspaceNamed(context) : undefined;
    if (ws !== undefined) await deps.workspaces.uninstall(ws, "tokens_revoked");
  });
}
