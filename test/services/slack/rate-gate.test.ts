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
    const gate = createRateGate({ log: createLogger("silent") });
    const events: string[] = [];
    let refusedOnce = false;
    let inFlight = 0;
    let most = 0;
    const startedAt = new Map<string, number>();
    let takenAt = Number.POSITIVE_INFINITY;
    const call = (name: string) => async () => {
      if (name !== "a") startedAt.set(name, Date.now());
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      if (!refusedOnce) {
        refusedOnce = true;
        events.push(`${name} 429`);
        throw rateLimited(1);
      }
      events.push(name);
      if (name === "a") takenAt = Date.now();
      return name;
    };
    const started = Date.now();
    const first = gate.run("chat.update", call("a"));
    // Queued while the first is out: they wait for its Retry-After.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const rest = ["b", "c", "d", "e"].map((name) => gate.run("chat.update", call(name)));
    const other = await gate.run("views.open", async () => "modal");
    expect(other).toBe("modal");
    expect(Date.now() - started).toBeLessThan(500);
    expect(await Promise.all([first, ...rest])).toEqual(["a", "b", "c", "d", "e"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(events[0]).toBe("a 429");
    // After the wait the retried call went alone; the rest followed once it was taken.
    expect(events[1]).toBe("a");
    expect([...startedAt.values()].every((at) => at >= takenAt)).toBe(true);
    expect(most).toBeLessThanOrEqual(4);
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
