import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNING_SECRET, settled, startTestApp, type TestApp } from "../helpers/app.js";
import { slackSignature } from "../helpers/signing.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

describe("the running app", () => {
  it("answers /healthz with the database reachable", async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: "reachable", slack: "reachable" });
  });

  it("answers unknown paths with 404", async () => {
    expect((await fetch(`${t.url}/nope`)).status).toBe(404);
  });

  it.each([
    ["a wrong signature", (body: string, ts: number) => slackSignature("wrong-secret", ts, body), 0],
    ["a stale timestamp", (body: string, ts: number) => slackSignature(SIGNING_SECRET, ts, body), -600],
    ["no signature", () => "", 0],
  ])("refuses a Slack request with %s (401) and does nothing", async (_name, sign, skew) => {
    const before = t.slack.calls.length;
    const ts = Math.floor(Date.now() / 1000) + skew;
    const body = new URLSearchParams({
      command: "/lead",
      text: "add",
      user_id: "U1",
      channel_id: "C1",
      trigger_id: "1.2.3",
    }).toString();
    const res = await t.post("/slack/events", body, {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": sign(body, ts),
    });
    expect(res.status).toBe(401);
    await settled(t);
    expect(t.slack.calls.slice(before).filter((c) => c.method !== "auth.test")).toEqual([]);
    expect(await t.app.deps.db.auditLog.count()).toBe(0);
  });
});
