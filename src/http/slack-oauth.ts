import type { Logger } from "@slack/logger";
import { type Installation, type InstallationQuery, InstallProvider } from "@slack/oauth";
import type { Config } from "../config.js";
import type { Logger as AppLogger } from "../lib/log.js";
import type { Workspaces } from "../services/workspaces/workspace-service.js";
import type { Router } from "./router.js";

/** The bot scopes Leadline asks for (the same as manifest.yml). */
export const BOT_SCOPES = ["commands", "chat:write", "users:read", "files:write"];

/**
 * Multi-workspace mode (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET): Slack's OAuth v2
 * flow through @slack/oauth's InstallProvider. The state is signed with SLACK_STATE_SECRET and kept
 * in a cookie (no server memory, so any instance can finish an install another one started); the
 * installation goes into Leadline's own database, its tokens encrypted.
 */
export function registerSlackOAuth(
  router: Router,
  deps: { workspaces: Workspaces; log: AppLogger },
  config: Config,
  logger: Logger,
): void {
  const installer = new InstallProvider({
    // Its errors go to Leadline's JSON logs, at LOG_LEVEL.
    logger,
    clientId: config.SLACK_CLIENT_ID!,
    clientSecret: config.SLACK_CLIENT_SECRET!,
    stateSecret: config.SLACK_STATE_SECRET!,
    directInstall: true,
    clientOptions: { slackApiUrl: config.SLACK_API_URL },
    installUrlOptions: {
      scopes: BOT_SCOPES,
      redirectUri: config.PUBLIC_BASE_URL ? `${config.PUBLIC_BASE_URL}/slack/oauth_redirect` : undefined,
    },
    authorizationUrl: config.SLACK_AUTHORIZE_URL,
    installationStore: {
      async storeInstallation(installation: Installation) {
        if (!installation.bot?.token) throw new Error("the installation has no bot token");
        const workspace = await deps.workspaces.install(
          {
            teamId: installation.isEnterpriseInstall ? "" : (installation.team?.id ?? ""),
            enterpriseId: installation.enterprise?.id ?? "",
          },
          {
            name: installation.team?.name ?? installation.enterprise?.name ?? null,
            botUserId: installation.bot.userId,
            botId: installation.bot.id,
            appId: installation.appId ?? null,
            installerUserId: installation.user.id,
            isEnterpriseInstall: Boolean(installation.isEnterpriseInstall),
          },
          {
            botToken: installation.bot.token,
            refreshToken: installation.bot.refreshToken,
            expiresAt: installation.bot.expiresAt ? new Date(installation.bot.expiresAt * 1000) : undefined,
          },
          installation.user.id,
        );
        deps.log.info({ workspace: workspace.id }, "Leadline was installed in a workspace");
      },
      // Leadline authorizes requests itself (src/app.ts); the installer never needs to read one back.
      async fetchInstallation(_query: InstallationQuery<boolean>): Promise<Installation> {
        throw new Error("not used: Leadline reads installations through its own store");
      },
    },
  });

  router.add("GET", "/slack/install", async ({ req, res }) => {
    await installer.handleInstallPath(req, res);
  });
  router.add("GET", "/slack/oauth_redirect", async ({ req, res }) => {
    await installer.handleCallback(req, res, {
      success: (_installation, _options, _req, response) => {
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        response.end(
          "<!doctype html><title>Leadline installed</title><h1>Leadline is installed.</h1><p>Go back to Slack: an admin runs <code>/twilio-setup</code> to connect Twilio.</p>",
        );
      },
      failure: (error, _options, _req, response) => {
        deps.log.warn({ err: error }, "a Slack install failed");
        response.writeHead(400, { "content-type": "text/html; charset=utf-8" });
        response.end(
          "<!doctype html><title>Leadline</title><h1>The install did not finish.</h1><p>Start again from the install link; the link works once and for ten minutes.</p>",
        );
      },
    });
  });
}
