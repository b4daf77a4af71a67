import { ErrorCode } from "@slack/web-api";
import type { Logger } from "../../lib/log.js";

/**
 * Slack's rate limits, honoured (https://docs.slack.dev/apis/web-api/rate-limits): a call Slack
 * answers 429 is sent again once its Retry-After has passed, and every other call on the same limit
 * (a method of this workspace; chat.postMessage per channel) waits for it too, instead of adding to
 * the pile. @slack/web-api can do the waiting itself, but it pauses the whole client (a chat.update
 * limit would hold back views.open, whose trigger lives 3 s) and gives up after its `retryConfig`
 * retries, so its clients here reject rate-limited calls (`rejectRateLimitedCalls`) and this gate
 * waits per limit.
 */
export interface RateGate {
  /** Runs `call`, waiting out and retrying 429s on `limit`; throws what else fails, or a 429 after `maxWaitMs`. */
  run<T>(limit: string, call: () => Promise<T>): Promise<T>;
}

/** The seconds a rate-limited Web API call says to wait; undefined for any other failure. */
export function retryAfterOf(error: unknown): number | undefined {
  const failure = error as { code?: string; retryAfter?: unknown };
  return failure?.code === ErrorCode.RateLimitedError && typeof failure.retryAfter === "number"
    ? failure.retryAfter
    : undefined;
}

const MARGIN_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createRateGate({
  log,
  maxWaitMs = 15 * 60_000,
  now = Date.now,
}: {
  log: Logger;
  /** How long a call keeps waiting out 429s before it fails; long enough for a busy minute or several. */
  maxWaitMs?: number;
  now?: () => number;
}): RateGate {
  /** Per limit: nothing on it is sent before this time (ms). */
  const closedUntil = new Map<string, number>();
  const waitFor = (limit: string) => (closedUntil.get(limit) ?? 0) - now();
  return {
    async run(limit, call) {
      const giveUpAt = now() + maxWaitMs;
      for (;;) {
        // Another call's 429 may close the limit again while this one waits: look again after each wait.
        for (let wait = waitFor(limit); wait > 0; wait = waitFor(limit)) await sleep(wait);
        closedUntil.delete(limit);
        try {
          return await call();
        } catch (error) {
          const retryAfter = retryAfterOf(error);
          if (retryAfter === undefined) throw error;
          // A little past the time given: a timer can fire a millisecond early.
          const until = now() + retryAfter * 1000 + MARGIN_MS;
          if (until > giveUpAt) throw error;
          closedUntil.set(limit, Math.max(closedUntil.get(limit) ?? 0, until));
          log.info({ limit, retryAfter }, "Slack rate-limited a call; sending it again after Retry-After");
        }
      }
    },
  };
}
