import { afterEach, describe, expect, it } from "vitest";
import { RateLimits } from "../../sandbox/slack/rate-limits.js";
import { type SlackSimulator, startSlackSimulator } from "../../sandbox/slack/simulator.js";

// Slack's rate limits in the simulated Slack: per method tier, per workspace, chat.postMessage per
// channel; 429 with Retry-After; a request sent before its Retry-After ran out is marked early.

/** A limiter on a hand-driven clock (real milliseconds). */
function limiter(options: { timeScale?: number } = {}) {
  let now = 1_000_000;
  const limits = new RateLimits({ ...options, now: () => now });
  return {
    limits,
    advance: (ms: number) => {
      now += ms;
    },
    take: (method: string, args: Record<string, unknown> = {}, team = "T1") => limits.take(method, team, args),
  };
}

const takeMany = (n: number, take: () => ReturnType<RateLimits["take"]>) => Array.from({ length: n }, take);

describe("Slack's rate limits, counted", () => {
  it("chat.update is Tier 3: 50 a minute per workspace, then 429 until the minute has passed", () => {
    const { take, advance } = limiter();
    expect(takeMany(50, () => take("chat.update")).every((d) => d.retryAfter === undefined)).toBe(true);
    expect(take("chat.update")).toEqual({ retryAfter: 60 });
    advance(30_000);
    // Another workspace has its own budget; so has another method.
    expect(take("chat.update", {}, "T2")).toEqual({});
    expect(take("chat.delete")).toEqual({});
    advance(30_000);
    expect(take("chat.update")).toEqual({});
  });

  it.each([
    ["users.info", 100],
    ["views.open", 100],
    ["views.update", 100],
    ["views.publish", 100],
    ["chat.postEphemeral", 100],
    ["files.getUploadURLExternal", 100],
    ["files.completeUploadExternal", 100],
    ["conversations.info", 50],
    ["chat.delete", 50],
  ])("%s allows %i a minute (its tier)", (method, perMinute) => {
    const { take } = limiter();
    expect(takeMany(perMinute, () => take(method)).every((d) => d.retryAfter === undefined)).toBe(true);
    expect(take(method).retryAfter).toBeGreaterThan(0);
  });

  it("chat.postMessage: a burst of 5 in a channel, then one a second; other channels are not held up", () => {
    const { take, advance } = limiter();
    const post = (channel: string) => take("chat.postMessage", { channel });
    expect(takeMany(5, () => post("C1")).every((d) => d.retryAfter === undefined)).toBe(true);
    expect(post("C1")).toEqual({ retryAfter: 1 });
    expect(post("C2")).toEqual({});
    advance(1_000);
    expect(post("C1")).toEqual({});
    expect(post("C1").retryAfter).toBe(1);
  });

  it("chat.postMessage: at most 300 a minute across a workspace's channels", () => {
    const { take } = limiter();
    const results = Array.from({ length: 301 }, (_, i) => take("chat.postMessage", { channel: `C${i}` }));
    expect(results.slice(0, 300).every((d) => d.retryAfter === undefined)).toBe(true);
    expect(results[300]!.retryAfter).toBe(60);
  });

  it("a time scale runs Slack's minute faster; Retry-After is in real seconds, at least 1", () => {
    const { take, advance } = limiter({ timeScale: 30 });
    takeMany(50, () => take("chat.update"));
    // 60 Slack seconds at 30× are 2 real seconds.
    expect(take("chat.update")).toEqual({ retryAfter: 2 });
    advance(2_000);
    expect(take("chat.update")).toEqual({});
  });

  it("marks a request sent while its Retry-After runs as early, but not one already in flight", () => {
    const { take, advance } = limiter();
    takeMany(50, () => take("chat.update"));
    expect(take("chat.update")).toEqual({ retryAfter: 60 });
    advance(100);
    // Sent before the 429 arrived: refused, not early.
    expect(take("chat.update")).toEqual({ retryAfter: 60 });
    advance(1_000);
    expect(take("chat.update")).toEqual({ retryAfter: 59, early: true });
    advance(59_000);
    expect(take("chat.update")).toEqual({});
  });
});

describe("the simulated Slack over HTTP", () => {
  let slack: SlackSimulator;
  afterEach(async () => {
    await slack.close();
  });

  const call = (method: string, args: Record<string, unknown>, token = "xoxb-test") =>
    fetch(`${slack.apiUrl}${method}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(args),
    });

  it("answers 429 ratelimited with Retry-After, records it, and takes the request once it has passed", async () => {
    // Slack's limits judged on a clock the test moves (real milliseconds; a Slack minute is a real second).
    let ms = Date.now();
    slack = await startSlackSimulator({
      workspace: { openWorld: true },
      recordRequests: true,
      rateLimits: { perMinute: { "chat.update": 2 }, timeScale: 60, now: () => ms },
    });
    slack.workspace.botChannels.add("C0LEADS001");
    const posted = (await (await call("chat.postMessage", { channel: "C0LEADS001", text: "one" })).json()) as {
      ts: string;
    };
    const update = (text: string) => call("chat.update", { channel: "C0LEADS001", ts: posted.ts, text });
    expect((await update("two")).status).toBe(200);
    expect((await update("three")).status).toBe(200);
    const limited = await update("four");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(await limited.json()).toEqual({ ok: false, error: "ratelimited" });
    // Sent too soon: refused again, and marked.
    ms += 400;
    expect((await update("five")).status).toBe(429);
    ms += 1_000;
    const after = await update("six");
    expect(after.status).toBe(200);
    const updates = slack.requests.filter((r) => r.method === "chat.update");
    expect(updates.map((r) => [r.retryAfter, r.early])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
      [1, undefined],
      [1, true],
      [undefined, undefined],
    ]);
    expect(slack.workspace.find("C0LEADS001", posted.ts)?.text).toBe("six");
  });

  it("with rate limits off (the tests' default), never says no", async () => {
    slack = await startSlackSimulator({ workspace: { openWorld: true } });
    const answers = await Promise.all(Array.from({ length: 120 }, () => call("users.info", { user: "U0NOBODY" })));
    expect(answers.every((res) => res.status === 200)).toBe(true);
  });
});
