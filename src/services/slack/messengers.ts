import type { Logger as SlackLogger } from "@slack/logger";
import { WebClient } from "@slack/web-api";
import type { Logger } from "../../lib/log.js";
import type { Workspaces } from "../workspaces/workspace-service.js";
import { createSlackMessenger, type SlackMessenger } from "./messenger.js";

/** The Slack adapter for a workspace, with that workspace's bot token (refreshed when it rotates). */
export interface SlackMessengers {
  for(ws: number): Promise<SlackMessenger>;
}

export class WorkspaceUnavailable extends Error {
  constructor(readonly ws: number) {
    super(`workspace ${ws} is not installed (or its tokens were revoked)`);
    this.name = "WorkspaceUnavailable";
  }
}

export function slackClient(
  token: string | undefined,
  apiUrl: string,
  logger: SlackLogger,
  /** 0 for a caller with its own backoff (the start-up check), so one check is one request. */
  retries = 2,
): WebClient {
  return new WebClient(token, {
    slackApiUrl: apiUrl,
    logger,
    timeout: 10_000,
    // Network failures are retried a little; a post whose answer was lost could otherwise repeat for minutes.
    retryConfig: { retries, factor: 2, minTimeout: 500 },
    // A 429 is answered at once with its Retry-After: the messenger's rate gate waits it out per
    // limit, instead of this client pausing every call it makes and giving up after two retries.
    rejectRateLimitedCalls: true,
  });
}

export function createSlackMessengers({
  workspaces,
  apiUrl,
  log,
  slackLog,
}: {
  workspaces: Pick<Workspaces, "botToken">;
  apiUrl: string;
  log: Logger;
  slackLog: SlackLogger;
}): SlackMessengers {
  // One client per token: a rotated token gets a new client; old ones are dropped.
  const byWorkspace = new Map<number, { token: string; messenger: SlackMessenger }>();
  return {
    async for(ws) {
      const token = await workspaces.botToken(ws);
      if (!token) throw new WorkspaceUnavailable(ws);
      const known = byWorkspace.get(ws);
      if (known?.token === token) return known.messenger;
      const messenger = createSlackMessenger({ slack: slackClient(token, apiUrl, slackLog), log });
      byWorkspace.set(ws, { token, messenger });
      return messenger;
    },
  };
}
