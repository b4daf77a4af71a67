import { WebClient } from "@slack/web-api";
import type { BotTokens } from "../workspaces/workspace-store.js";

/** Slack's token rotation: a refresh token buys a new bot token (and a new refresh token) for 12 hours. */
export async function refreshBotToken(options: {
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  now: () => Date;
}): Promise<BotTokens> {
  const client = new WebClient(undefined, { slackApiUrl: options.apiUrl, retryConfig: { retries: 1 } });
  const result = (await client.oauth.v2.access({
    client_id: options.clientId,
    client_secret: options.clientSecret,
    grant_type: "refresh_token",
    refresh_token: options.refreshToken,
  })) as { access_token?: string; refresh_token?: string; expires_in?: number };
  if (!result.access_token) throw new Error("oauth.v2.access gave no access token");
  return {
    botToken: result.access_token,
    refreshToken: result.refresh_token ?? options.refreshToken,
    expiresAt: result.expires_in ? new Date(options.now().getTime() + result.expires_in * 1000) : undefined,
  };
}
