import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FubSimulatorOptions, startFubSimulator } from "../../sandbox/fub/simulator.js";
import type { FubUser } from "../../sandbox/fub/store.js";

// The simulated Follow Up Boss (sandbox/fub): rate limits, scripted and random faults, webhooks.

const SYSTEM = { name: "Leadline", key: "system-key-0123456789" };
// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers field by field.
type Json = Record<string, any>;

async function setUp(options: FubSimulatorOptions = {}) {
  const sim = await startFubSimulator({ systems: [SYSTEM], autoEmit: false, ...options });
  const owner = sim.addUser({ name: "Olivia Owner", email: "olivia@example.com", role: "Broker", isOwner: true });
  const lead = sim.addPerson({ firstName: "Jane", phones: [{ value: "+15550101234" }] });
  const api = async (
    path: string,
    init: { method?: string; body?: unknown; user?: FubUser; signal?: AbortSignal } = {},
  ) => {
    const res = await fetch(`${sim.url}${path}`, {
      method: init.method ?? "GET",
      headers: {
        authorization: `Basic ${Buffer.from(`${(init.user ?? owner).apiKey}:`).toString("base64")}`,
        "x-system": SYSTEM.name,
        "x-system-key": SYSTEM.key,
        "content-type": "application/json",
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
  };
  const logCall = (signal?: AbortSignal) =>
    api("/v1/calls", { method: "POST", body: { personId: lead.id, phone: "+15550101234", isIncoming: false }, signal });
  return { sim, owner, lead, api, logCall };
}

describe("the simulated FUB's rate limits (sliding 10 s window per key and context)", () => {
  let now = 1_800_000_000_000;
  let env: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    env = await setUp({ clock: () => now, limits: { registered: { global: 3 } } });
  });
  afterAll(() => env.sim.close());

  it("counts down on every answer, then refuses with 429 and Retry-After, and keeps a request that did not wait", async () => {
    const remaining = [];
    for (let i = 0; i < 3; i++) {
      const answer = await env.api("/v1/me");
      expect(answer.headers.get("x-ratelimit-limit")).toBe("3");
      expect(answer.headers.get("x-ratelimit-window")).toBe("10");
      expect(answer.headers.get("x-ratelimit-context")).toBe("global");
      remaining.push(answer.headers.get("x-ratelimit-remaining"));
      now += 1_000;
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const refused = await env.api("/v1/me");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("7");
    expect(refused.body.errorMessage).toMatch(/Too many requests/);
    expect(env.sim.earlyRequests()).toEqual([]);

    now += 6_000;
    expect((await env.api("/v1/me")).status).toBe(429);
    expect(env.sim.earlyRequests()).toHaveLength(1);
    expect(env.sim.earlyRequests()[0]).toMatchObject({ path: "/v1/me", earlyByMs: 1_000 });

    now += 10_000;
    expect((await env.api("/v1/me")).status).toBe(200);
    expect(env.sim.earlyRequests()).toHaveLength(1);
  });

  it("keeps each key and each context to its own window", async () => {
    env.sim.resetRateLimits();
    for (let i = 0; i < 3; i++) await env.api("/v1/me");
    expect((await env.api("/v1/me")).status).toBe(429);
    const other = env.sim.addUser({ email: "alex@example.com", role: "Broker" });
    expect((await env.api("/v1/me", { user: other })).status).toBe(200);
    const events = await env.api("/v1/events");
    expect(events.status).toBe(200);
    expect(events.headers.get("x-ratelimit-context")).toBe("events");
    expect(events.headers.get("x-ratelimit-limit")).toBe("20");
  });
});

describe("the simulated FUB's faults", () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    env = await setUp();
  });
  afterEach(() => env.sim.faults.clear());
  afterAll(() => env.sim.close());

  it("answers a scripted 429 like a real one, without processing the request", async () => {
    env.sim.faults.script("POST /v1/calls", { kind: "rate-limit", retryAfter: 2 });
    const before = env.sim.calls.size;
    const refused = await env.logCall();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("2");
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(env.sim.calls.size).toBe(before);
    expect((await env.api("/v1/me")).status).toBe(200);
    expect(env.sim.earlyRequests().at(-1)?.path).toBe("/v1/me");
  });

  it("answers scripted 5xx with or without having applied the write", async () => {
    env.sim.faults.script(
      "POST /v1/calls",
      { kind: "server-error" },
      { kind: "server-error", status: 503, applied: true },
    );
    const before = env.sim.calls.size;
    expect((await env.logCall()).status).toBe(500);
    expect(env.sim.calls.size).toBe(before);
    expect((await env.logCall()).status).toBe(503);
    expect(env.sim.calls.size).toBe(before + 1);
    expect((await env.logCall()).status).toBe(201);
  });

  it("applies a slow write at once while the client gives up (the ambiguous send)", async () => {
    // The client gives up long before the answer, yet late enough (on a loaded machine too) for the
    // simulator to have read the request and taken the scripted fault.
    env.sim.faults.script("POST /v1/calls", { kind: "slow", ms: 5_000 });
    const before = env.sim.calls.size;
    await expect(env.logCall(AbortSignal.timeout(750))).rejects.toThrow(/aborted/i);
    expect(env.sim.calls.size).toBe(before + 1);
    expect(env.sim.requests.at(-1)?.fault).toBe("slow");
  });

  it("drops the connection, after applying the write when told to", async () => {
    env.sim.faults.script("*", { kind: "drop", applied: true }, { kind: "drop" });
    const before = env.sim.calls.size;
    await expect(env.logCall()).rejects.toThrow(/fetch failed/);
    expect(env.sim.calls.size).toBe(before + 1);
    await expect(env.logCall()).rejects.toThrow(/fetch failed/);
    expect(env.sim.calls.size).toBe(before + 1);
    expect(env.sim.requests.at(-1)).toMatchObject({ status: null, fault: "drop" });
    expect(env.sim.faults.pending()).toBe(0);
  });

  it("fails at random, the same way for the same seed", async () => {
    const run = async (seed: number) => {
      const other = await setUp({ randomFaults: { seed, rateLimit: 0.2, serverError: 0.3, applied: false } });
      const statuses = [];
      for (let i = 0; i < 30; i++) statuses.push((await other.logCall()).status);
      await other.sim.close();
      return statuses;
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([201, 429, 500, 503]));
    expect(await run(8)).not.toEqual(first);
  });
});

describe("the simulated FUB's webhooks", () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  const received: { headers: IncomingHttpHeaders; raw: string }[] = [];
  let answerWith = 200;
  const receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(answerWith).end();
  });
  let hookUrl = "";
  beforeAll(async () => {
    env = await setUp({ autoEmit: true });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/fub/webhooks`;
  });
  afterAll(async () => {
    await env.sim.close();
    await new Promise((resolve) => receiver.close(resolve));
  });
  const expectedSignature = (raw: string) =>
    createHmac("sha256", SYSTEM.key).update(Buffer.from(raw).toString("base64")).digest("hex");

  it("lets the owner register a webhook from a registered system, over HTTPS or this machine", async () => {
    const agent = env.sim.addUser({ email: "alex@example.com" });
    const body = { event: "peopleCreated", url: hookUrl };
    expect((await env.api("/v1/webhooks", { method: "POST", body, user: agent })).status).toBe(403);
    const insecure = await env.api("/v1/webhooks", {
      method: "POST",
      body: { ...body, url: "http://example.com/hook" },
    });
    expect(insecure.body.errorMessage).toMatch(/HTTPS/);
    const created = await env.api("/v1/webhooks", { method: "POST", body });
    expect(created).toMatchObject({ status: 201, body: { event: "peopleCreated", url: hookUrl, system: "Leadline" } });
    await env.api("/v1/webhooks", { method: "POST", body: { event: "peopleUpdated", url: hookUrl } });
    expect((await env.api("/v1/webhooks")).body.webhooks).toHaveLength(2);
  });

  it("posts a thin, signed peopleCreated when a person is added in FUB", async () => {
    received.length = 0;
    const person = env.sim.addPerson({ firstName: "Walt", phones: [{ value: "+15550107777" }] });
    await env.sim.settled();
    expect(received).toHaveLength(1);
    const { headers, raw } = received[0]!;
    const body = JSON.parse(raw) as Json;
    expect(Object.keys(body)).toEqual(["eventId", "eventCreated", "event", "resourceIds", "uri"]);
    expect(body).toMatchObject({ event: "peopleCreated", resourceIds: [person.id] });
    expect(body.eventCreated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(headers["fub-signature"]).toBe(expectedSignature(raw));
    expect(headers["fub-signature"]).not.toBe(createHmac("sha256", SYSTEM.key).update(raw).digest("hex"));
    expect(body.uri).toBe(`${env.sim.url}/v1/people?id=${person.id}`);
    expect((await env.api(body.uri.slice(env.sim.url.length))).status).toBe(200);
  });

  it("splits one batch across requests, with distinct or shared event ids", async () => {
    received.length = 0;
    const distinct = await env.sim.emit("peopleUpdated", [1, 2, 3, 4, 5], { split: 2 });
    expect(distinct.map((d) => d.resourceIds)).toEqual([[1, 2], [3, 4], [5]]);
    expect(new Set(distinct.map((d) => d.eventId)).size).toBe(3);
    const shared = await env.sim.emit("peopleUpdated", [6, 7, 8], { split: 1, eventIds: "same" });
    expect(new Set(shared.map((d) => d.eventId)).size).toBe(1);
    expect(received).toHaveLength(6);
    expect(received.every(({ headers, raw }) => headers["fub-signature"] === expectedSignature(raw))).toBe(true);
  });

  it("replays a delivery byte for byte, and records receivers that refuse or cannot be reached", async () => {
    received.length = 0;
    const [original] = await env.sim.emit("peopleCreated", [42]);
    const replayed = await env.sim.replay(original!);
    expect(replayed).toMatchObject({ replay: true, eventId: original!.eventId, status: 200 });
    expect(received[1]).toEqual({ ...received[0], headers: expect.anything() });
    expect(received[1]!.headers["fub-signature"]).toBe(received[0]!.headers["fub-signature"]);
    answerWith = 500;
    expect((await env.sim.emit("peopleCreated", [43]))[0]?.status).toBe(500);
    answerWith = 200;
    env.sim.store.addWebhook({ event: "callsCreated", url: "http://127.0.0.1:9/closed", system: SYSTEM.name });
    const [unreachable] = await env.sim.emit("callsCreated", [1]);
    expect(unreachable).toMatchObject({ status: null, error: expect.any(String) });
  });
});
