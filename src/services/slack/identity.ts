import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../lib/log.js";

/** Slack's answers to auth.test that mean the token itself is no good: retrying cannot help. */
const REJECTED = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "no_permission",
  "missing_scope",
  "not_allowed_token_type",
  "invalid_token_type",
]);

export interface BotIdentity {
  teamId: string;
  enterpriseId?: string;
  teamName?: string;
  botUserId?: string;
  botId?: string;
}

export class SlackTokenRejected extends Error {
  constructor(
    readonly variable: string,
    readonly code: string,
  ) {
    super(
      `${variable} was rejected by Slack (${code}). Copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page and start Leadline again.`,
    );
    this.name = "SlackTokenRejected";
  }
}

export type SlackCheck =
  | { ok: true; identity: BotIdentity }
  | { ok: false; rejected: true; code: string }
  | { ok: false; rejected: false; reason: string };

export interface SlackHealth {
  /** The first check at start: resolves with the identity, or when Slack is unreachable (then keeps retrying). Throws SlackTokenRejected. */
  start(onRejected: (error: SlackTokenRejected) => void): Promise<void>;
  /** For /healthz: Slack answered auth.test recently (checked again at most every `recheckMs`). */
  reachable(): Promise<boolean>;
  identity(): BotIdentity | undefined;
  stop(): void;
}

export async function checkSlack(client: WebClient, tokenless = false): Promise<SlackCheck> {
  try {
    if (tokenless) {
      await client.api.test();
      return { ok: true, identity: { teamId: "" } };
    }
    const result = await client.auth.test();
    return {
      ok: true,
      identity: {
        teamId: String(result.team_id ?? ""),
        enterpriseId: result.enterprise_id || undefined,
        teamName: result.team,
        botUserId: result.user_id,
        botId: result.bot_id,
      },
    };
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code && REJECTED.has(code)) return { ok: false, rejected: true, code };
    return { ok: false, rejected: false, reason: code ?? (error as Error).message ?? String(error) };
  }
}

/**
 * Whether Slack takes the bot token. At start a rejected token stops the app with one line naming
 * the variable; an unreachable Slack is retried in the background (with a log line when it changes)
 * and /healthz answers 503 until it answers. Requests are served meanwhile: a slash command needs
 * no call to Slack to be acknowledged.
 */
export function createSlackHealth(options: {
  client: WebClient;
  log: Logger;
  variable: string;
  apiUrl: string;
  retryMs?: number[];
  recheckMs?: number;
  /** Multi-workspace mode has no token of its own: only whether Slack answers (api.test). */
  tokenless?: boolean;
  /** Told the bot's identity the first time Slack answers. */
  onIdentity?: (identity: BotIdentity) => Promise<void>;
}): SlackHealth {
  const retries = options.retryMs ?? [1_000, 2_000, 5_000, 10_000, 30_000];
  const recheckMs = options.recheckMs ?? 30_000;
  let known: BotIdentity | undefined;
  let lastOk = 0;
  let lastCheck = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let checking: Promise<boolean> | undefined;

  const learned = async (identity: BotIdentity) => {
    const first = !known;
    known = identity;
    if (first) await options.onIdentity?.(identity);
  };

  const check = async (onRejected?: (error: SlackTokenRejected) => void): Promise<boolean> => {
    lastCheck = Date.now();
    const result = await checkSlack(options.client, options.tokenless);
    if (result.ok) {
      if (!lastOk) options.log.info({ team: result.identity.teamId }, "Slack answers");
      await learned(result.identity);
      lastOk = Date.now();
      return true;
    }
    if (result.rejected) {
      const error = new SlackTokenRejected(options.variable, result.code);
      if (onRejected) onRejected(error);
      else throw error;
      return false;
    }
    if (lastOk) options.log.warn({ reason: result.reason }, "Slack stopped answering; /healthz answers 503");
    lastOk = 0;
    return false;
  };

  const retry = (attempt: number, onRejected: (error: SlackTokenRejected) => void) => {
    if (stopped) return;
    const delay = retries[Math.min(attempt, retries.length - 1)]!;
    timer = setTimeout(async () => {
      if (await check(onRejected).catch(() => false)) {
        options.log.info("Slack is reachable again; Leadline is fully up");
        return;
      }
      retry(attempt + 1, onRejected);
    }, delay);
    timer.unref();
  };

  return {
    async start(onRejected) {
      const result = await checkSlack(options.client, options.tokenless);
      lastCheck = Date.now();
      if (result.ok) {
        await learned(result.identity);
        lastOk = Date.now();
        return;
      }
      if (result.rejected) throw new SlackTokenRejected(options.variable, result.code);
      options.log.warn(
        { slackApiUrl: options.apiUrl, reason: result.reason },
        "Slack is unreachable; Leadline takes requests and keeps trying (/healthz answers 503 until Slack answers)",
      );
      retry(0, onRejected);
    },
    async reachable() {
      if (Date.now() - lastCheck < recheckMs) return lastOk > 0;
      checking ??= check(() => {}).finally(() => {
        checking = undefined;
      });
      return checking;
    },
    identity: () => known,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
