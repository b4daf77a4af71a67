import { WebAPIRateLimitedError } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/lib/log.js";
import { createRateGate } from "../../../src/services/slack/rate-gate.js";

// The gate around every Slack call: a 429's Retry-After holds back the whole limit; after it, one call
// goes first and the rest follow once Slack has taken it, instead of all at once.

const rateLimited = (seconds: number) =>
  Object.assign(new Error("ratelimited"), { code: "slack_webapi_rate_limited_error", retryAfter: seconds });

describe("the rate gate", () => {
  it("recognises @slack/web-api's rate-limited error", () => {
    const error = new (WebAPIRateLimitedError as unknown as new (seconds: number) => Error)(3);
    expect((error as unknown as { code: string }).code).toBe("slack_webapi_rate_limited_error");
  });

  it("after a 429, waits Retry-After, sends one call, then lets the others through; other limits are not held", async () => {
    // The gate's time is the test's: waiting out Retry-After moves it, and nothing waits on the wall clock.
    let clock = 1_000_000;
    const waits: number[] = [];
    let waiting!: () => void;
    const waitStarted = new Promise<void>((resolve) => (waiting = resolve));
    let endWait!: () => void;
    const gate = createRateGate({
      log: createLogger("silent"),
      now: () => clock,
      wait: (ms) => {
        waits.push(ms);
        waiting();
        return new Promise<void>((resolve) => {
          endWait = () => {
            clock += ms;
            resolve();
          };
        });
      },
    });
    const events: string[] = [];
    let inFlight = 0;
    let most = 0;
    let takeRetry!: () => void;
    const retryTaken = new Promise<void>((resolve) => (takeRetry = resolve));
    let retrying!: () => void;
    const retryOut = new Promise<void>((resolve) => (retrying = resolve));
    const started: string[] = [];
    const call = (name: string) => async () => {
      started.push(name);
      inFlight += 1;
      most = Math.max(most, inFlight);
      await Promise.resolve();
      try {
        if (name === "a" && events.length === 0) {
          events.push("a 429");
          throw rateLimited(1);
        }
        if (name === "a") {
          retrying();
          await retryTaken;
        }
        events.push(name);
        return name;
      } finally {
        inFlight -= 1;
      }
    };
    const first = gate.run("chat.update", call("a"));
    // The 429 closed the limit for Retry-After (a second, and a little margin).
    await waitStarted;
    expect(waits).toEqual([1_050]);
    // Queued behind it: none of them is sent while the wait runs; another limit is not held.
    const rest = ["b", "c", "d", "e"].map((name) => gate.run("chat.update", call(name)));
    expect(await gate.run("views.open", async () => "modal")).toBe("modal");
    expect(started).toEqual(["a"]);
    // After the wait the retried call goes alone.
    endWait();
    await retryOut;
    expect(started).toEqual(["a", "a"]);
    // Slack takes the retried call: the others follow, never more than four at once.
    takeRetry();
    expect(await Promise.all([first, ...rest])).toEqual(["a", "b", "c", "d", "e"]);
    expect(events).toEqual(["a 429", "a", "b", "c", "d", "e"]);
    expect(started.slice(2).sort()).toEqual(["b", "c", "d", "e"]);
    expect(most).toBeLessThanOrEqual(4);
    expect(waits).toEqual([1_050]);
  });

  it("gives up with the 429 when Retry-After is past how long a call may wait", async () => {
    const gate = createRateGate({ log: createLogger("silent"), maxWaitMs: 10_000 });
    await expect(
      gate.run("chat.update", async () => {
        throw rateLimited(30);
      }),
    ).rejects.toThrow("ratelimited");
  });
});
