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
/** The event's own id and time (the envelope's event_id and event_time, in seconds), when Slack gave them. */
function eventOf(body: unknown): { id?: string; time?: Date } {
  const envelope = body as { event_id?: unknown; event_time?: unknown };
  return {
    id: typeof envelope.event_id === "string" && envelope.event_id.length <= 100 ? envelope.event_id : undefined,
    time: typeof envelope.event_time === "number" ? new Date(envelope.event_time * 1000) : undefined,
  };
}

export function registerUninstallEvents(app: App, deps: UninstallDeps): void {
  // Bolt skips authorize() for exactly these two events (the token is gone already), so the workspace
  // is found from the team and enterprise the event names; an unknown team is ignored.
  const workspaceNamed = (context: Context) =>
    deps.workspaces.idFor({
      teamId: context.teamId,
      enterpriseId: context.enterpriseId,
      isEnterpriseInstall: context.isEnterpriseInstall,
    });
  app.event("app_uninstalled", async ({ body, context }) => {
    const ws = await workspaceNamed(context);
    if (ws !== undefined) await deps.workspaces.uninstall(ws, "app_uninstalled", eventOf(body));
  });
  app.event("tokens_revoked", async ({ event, body, context }) => {
    // Only the bot token matters to Leadline; a user token revoked alone changes nothing.
    const bots = (event as { tokens?: { bot?: string[] } }).tokens?.bot ?? [];
    const ws = bots.length > 0 ? await workspaceNamed(context) : undefined;
    if (ws !== undefined) await deps.workspaces.uninstall(ws, "tokens_revoked", eventOf(body));
  });
}
