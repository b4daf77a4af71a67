import { ErrorCode } from "@slack/web-api";
import type { Logger } from "../../lib/log.js";

/**
 * Slack's rate limits, honoured (https://docs.slack.dev/apis/web-api/rate-limits): a call Slack
 * answers 429 is sent again once its Retry-After has passed, and every other call on the same limit
 * (a method of this workspace; chat.postMessage per channel) waits for it too. @slack/web-api can do
 * the waiting itself, but it pauses the whole client (a chat.update limit would hold back views.open,
 * whose trigger lives 3 s) and gives up after its `retryConfig` retries, so its clients here reject
 * rate-limited calls (`rejectRateLimitedCalls`) and this gate waits per limit.
 *
 * A few calls go out at once on a limit; after a 429 only one, until one is taken again: the calls
 * that queued behind a Retry-After do not all rush Slack the moment it has passed ("continuing to send
 * messages after being rate limited runs the risk of having your app permanently disabled").
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

/** Calls in flight on one limit while Slack takes them. */
const IN_FLIGHT = 4;
/** A little past the time given: a timer can fire a millisecond early. */
const MARGIN_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Limit {
  /** Nothing on the limit is sent before this time (ms). */
  closedUntil: number;
  /** Set by a 429, cleared by the next call Slack takes: one call at a time meanwhile. */
  limited: boolean;
  inFlight: number;
  queued: (() => void)[];
}

export function createRateGate({
  log,
  maxWaitMs = 15 * 60_000,
  now = Date.now,
  wait = sleep,
}: {
  log: Logger;
  /** How long a call keeps waiting out 429s before it fails; long enough for a busy minute or several. */
  maxWaitMs?: number;
  now?: () => number;
  /** Waits out a Retry-After (tests pass one that moves their `now`). */
  wait?: (ms: number) => Promise<unknown>;
}): RateGate {
  const limits = new Map<string, Limit>();
  const stateOf = (name: string) => {
    let limit = limits.get(name);
    if (!limit) {
      limit = { closedUntil: 0, limited: false, inFlight: 0, queued: [] };
      limits.set(name, limit);
    }
    return limit;
  };
  const room = (limit: Limit) => (limit.limited ? 1 : IN_FLIGHT) - limit.inFlight;
  const wake = (limit: Limit) => {
    while (limit.queued.length > 0 && room(limit) > 0) {
      limit.inFlight += 1;
      limit.queued.shift()!();
    }
  };
  const enter = async (limit: Limit) => {
    if (limit.queued.length === 0 && room(limit) > 0) limit.inFlight += 1;
    else await new Promise<void>((resolve) => limit.queued.push(resolve));
  };
  const leave = (name: string, limit: Limit) => {
    limit.inFlight -= 1;
    wake(limit);
    if (limit.inFlight === 0 && limit.queued.length === 0 && !limit.limited) limits.delete(name);
  };

  return {
    async run(name, call) {
      const giveUpAt = now() + maxWaitMs;
      for (;;) {
        const limit = stateOf(name);
        await enter(limit);
        try {
          // Another call's 429 may close the limit again while this one waits: look again after each wait.
          for (let ms = limit.closedUntil - now(); ms > 0; ms = limit.closedUntil - now()) await wait(ms);
          const result = await call();
          limit.limited = false;
          return result;
        } catch (error) {
          const retryAfter = retryAfterOf(error);
          if (retryAfter === undefined) throw error;
          const until = now() + retryAfter * 1000 + MARGIN_MS;
          if (until > giveUpAt) throw error;
          limit.closedUntil = Math.max(limit.closedUntil, until);
          limit.limited = true;
          log.info({ limit: name, retryAfter }, "Slack rate-limited a call; sending it again after Retry-After");
        } finally {
          leave(name, limit);
        }
      }
    },
  };
}
