import type { Logger } from "@slack/logger";
import oauth, { type Installation, type InstallationQuery, InstallProvider, type StateStore } from "@slack/oauth";
import type { Config } from "../config.js";
import type { Logger as AppLogger } from "../lib/log.js";
import type { OAuthStateStore } from "../services/workspaces/oauth-state-store.js";
import type { Workspaces } from "../services/workspaces/workspace-service.js";
import type { Router } from "./router.js";

/** The bot scopes Leadline asks for (the same as manifest.yml). */
export const BOT_SCOPES = ["commands", "chat:write", "users:read", "files:write", "im:write"];

// @slack/oauth is CommonJS, and Node's ESM loader does not see these two among its named exports.
const { ClearStateStore, InvalidStateError } = oauth;

/** How long an install link works (@slack/oauth's default, and the state cookie's Max-Age). */
const STATE_SECONDS = 600;

/**
 * @slack/oauth's signed state (no server memory, so any instance can finish an install another one
 * started), used once: a verified state is claimed in the database before the code is exchanged, and
 * a second use of it (the same link and cookie, on any instance) is refused.
 */
export function singleUseStates(secret: string, used: OAuthStateStore, seconds = STATE_SECONDS): StateStore {
  const signed = new ClearStateStore(secret, seconds);
  return {
    generateStateParam: (options, now) => signed.generateStateParam(options, now),
    async verifyStateParam(now, state) {
      const options = await signed.verifyStateParam(now, state);
      // Kept until the state cannot verify any more: at most `seconds` after it was made.
      if (!(await used.claim(state, new Date(now.getTime() + seconds * 1000), now)))
        throw new InvalidStateError("This install link was used already; it works once.");
      return options;
    },
  };
}

/**
 * Multi-workspace mode (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET): Slack's OAuth v2
 * flow through @slack/oauth's InstallProvider. The state is signed with SLACK_STATE_SECRET, kept in a
 * cookie and works once (singleUseStates); the installation goes into Leadline's own database, its
 * tokens encrypted.
 */
export function registerSlackOAuth(
  router: Router,
  deps: { workspaces: Workspaces; log: AppLogger; oauthStates: OAuthStateStore },
  config: Config,
  logger: Logger,
): void {
  const installer = new InstallProvider({
    // Its errors go to Leadline's JSON logs, at LOG_LEVEL.
    logger,
    clientId: config.SLACK_CLIENT_ID!,
    clientSecret: config.SLACK_CLIENT_SECRET!,
    stateStore: singleUseStates(config.SLACK_STATE_SECRET!, deps.oauthStates),
    stateCookieExpirationSeconds: STATE_SECONDS,
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
