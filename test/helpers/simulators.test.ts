import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSlackSimulator } from "../../sandbox/slack/simulator.js";
import { startTwilioSimulator, type TwilioSimulator } from "../../sandbox/twilio/simulator.js";
import { eventually } from "./app.js";
import { startFakeSlack } from "./fake-slack.js";
import { startFakeTwilio } from "./fake-twilio.js";
import { startReceiver } from "./twilio-receiver.js";

// The simulators' fault-injection options and call flows, and the fakes' views over them.

const FROM = "+15005550006";
const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello there.</Say></Response>';

describe("the simulated Twilio", () => {
  let sim: TwilioSimulator;
  const sid = "AC0123456789abcdef0123456789abcdef";
  const token = "0123456789abcdef0123456789abcdef";
  const auth = { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString("base64")}` };
  const base = () => `${sim.url}/2010-04-01/Accounts/${sid}`;
  const create = (params: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      for (const one of Array.isArray(value) ? value : [value]) body.append(key, one);
    }
    return fetch(`${base()}/Calls.json`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/x-www-form-urlencoded" },
      body,
    });
  };

  beforeAll(async () => {
    sim = await startTwilioSimulator({ callFlow: "hold", recordRequests: true, pace: 0.02 });
    sim.addAccount({ sid, authToken: token, numbers: new Set([FROM]) });
  });
  afterAll(async () => {
    await sim.close();
  });
  afterEach(() => {
    sim.faults.delays.clear();
    sim.faults.failNextCreates = undefined;
  });

  it("holds a created call queued with no webhooks until play(), then plays it out with signed callbacks", async () => {
    const receiver = await startReceiver(() => token);
    try {
      const res = await create({
        To: "+12015550101",
        From: FROM,
        Twiml: TWIML,
        StatusCallback: `${receiver.url}/status`,
        StatusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
      });
      expect(res.status).toBe(201);
      const call = (await res.json()) as { sid: string; status: string };
      expect(call.status).toBe("queued");
      // Held: nothing is scheduled for it (no timer, no webhook) until play().
      expect(sim.calls.get(call.sid)!.held).toBe(true);
      expect(receiver.hooks).toEqual([]);
      expect(sim.calls.get(call.sid)!.status).toBe("queued");

      sim.play(call.sid);
      await eventually(() => sim.calls.get(call.sid)!.status === "completed", "the call to complete");
      await eventually(() => receiver.hooks.length === 4, "four status callbacks");
      expect(receiver.hooks.map((hook) => hook.params.CallStatus)).toEqual([
        "initiated",
        "ringing",
        "in-progress",
        "completed",
      ]);
      expect(receiver.hooks.every((hook) => hook.signed)).toBe(true);
      expect(() => sim.play(call.sid)).toThrow(/not a queued, held call/);
    } finally {
      await receiver.close();
    }
  });

  it("asks a call's Url for its TwiML when it is answered", async () => {
    const receiver = await startReceiver(() => token, { "/twiml": TWIML });
    const account = sim.accounts.get(sid)!;
    account.callFlow = "play";
    try {
      const res = await create({ To: "+12015550101", From: FROM, Url: `${receiver.url}/twiml` });
      const call = (await res.json()) as { sid: string };
      await eventually(() => sim.calls.get(call.sid)!.status === "completed", "the call to complete");
      const asked = receiver.hooks.find((hook) => hook.path === "/twiml")!;
      expect(asked.signed).toBe(true);
      expect(asked.params.CallSid).toBe(call.sid);
      expect(sim.calls.get(call.sid)!.transcript).toContain('says: "Hello there."');
    } finally {
      account.callFlow = undefined;
      await receiver.close();
    }
  });

  it("failNextCreates answers with Twilio's JSON error body, without placing the call unless asked", async () => {
    const placed = () => sim.calls.size;
    const before = placed();
    sim.faults.failNextCreates = { status: 502, count: 2 };
    for (let i = 0; i < 2; i += 1) {
      const res = await create({ To: "+12015550101", From: FROM, Twiml: TWIML });
      expect(res.status).toBe(502);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(await res.json()).toEqual({
        code: 20500,
        message: "Internal Server Error",
        more_info: "https://www.twilio.com/docs/errors/20500",
        status: 502,
      });
    }
    expect(placed()).toBe(before);
    expect(sim.faults.failNextCreates).toBeUndefined();
    expect((await create({ To: "+12015550101", From: FROM, Twiml: TWIML })).status).toBe(201);
    expect(placed()).toBe(before + 1);

    sim.faults.failNextCreates = { status: 500, code: 20500, count: 1, placesCall: true };
    const failed = await create({ To: "+12015550177", From: FROM, Twiml: TWIML });
    expect(failed.status).toBe(500);
    expect(placed()).toBe(before + 2);
    const listed = await fetch(`${base()}/Calls.json?To=${encodeURIComponent("+12015550177")}`, { headers: auth });
    expect(((await listed.json()) as { calls: unknown[] }).calls).toHaveLength(1);

    sim.faults.failNext.set("createCall", { status: 400, code: 21215, message: "Account not authorized", count: 1 });
    expect(await (await create({ To: "+12015550101", From: FROM, Twiml: TWIML })).json()).toEqual({
      code: 21215,
      message: "Account not authorized",
      more_info: "https://www.twilio.com/docs/errors/21215",
      status: 400,
    });
    expect(sim.faults.failNext.has("createCall")).toBe(false);

    sim.faults.failNextCreates = { status: 429, count: 1 };
    expect(await (await create({ To: "+12015550101", From: FROM, Twiml: TWIML })).json()).toMatchObject({
      code: 20429,
      status: 429,
    });
  });

  it("a '*' delay applies to every operation; a named one wins over it", async () => {
    sim.faults.delays.set("*", 250);
    let started = Date.now();
    expect((await fetch(`${base()}.json`, { headers: auth })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    started = Date.now();
    expect((await fetch(`${base()}/IncomingPhoneNumbers.json`, { headers: auth })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    sim.faults.delays.set("account", 0);
    started = Date.now();
    await fetch(`${base()}.json`, { headers: auth });
    expect(Date.now() - started).toBeLessThan(200);
  });

  it("validates Calls create as Twilio does, and still refuses bad credentials", async () => {
    expect(await (await create({ To: "+12015550101", From: FROM })).json()).toMatchObject({ code: 21205 });
    expect(await (await create({ To: "+12015550101", From: FROM, Twiml: "<Response>" })).json()).toMatchObject({
      code: 12100,
    });
    expect(await (await create({ To: "+15005550002", From: FROM, Twiml: TWIML })).json()).toMatchObject({
      code: 21214,
    });
    const wrong = await fetch(`${base()}.json`, {
      headers: { authorization: `Basic ${Buffer.from(`${sid}:wrong`).toString("base64")}` },
    });
    expect(wrong.status).toBe(401);
  });

  it("serves a recording as MP3 audio that names the recording", async () => {
    const recordingSid = `RE${"c3".repeat(16)}`;
    const res = await fetch(`${base()}/Recordings/${recordingSid}.mp3`, { headers: auth });
    expect(res.headers.get("content-type")).toBe("audio/mpeg");
    const audio = Buffer.from(await res.arrayBuffer());
    expect(audio.subarray(0, 3).toString("latin1")).toBe("ID3");
    expect(audio.includes(Buffer.from(recordingSid))).toBe(true);
    expect(audio.includes(Buffer.from([0xff, 0xfb, 0x90, 0x64]))).toBe(true);
    expect(audio.length).toBeGreaterThan(10_000);
  });

  it("refuses connections while unreachable, and answers again afterwards", async () => {
    await sim.unreachable({ forMs: 300 });
    await expect(fetch(`${base()}.json`, { headers: auth })).rejects.toThrow();
    await eventually(
      async () => (await fetch(`${base()}.json`, { headers: auth }).catch(() => undefined))?.status === 200,
      "the simulator to answer again",
    );
    await sim.unreachable({ mode: "reset" });
    await expect(fetch(`${base()}.json`, { headers: auth })).rejects.toThrow();
    await sim.reachable();
    expect((await fetch(`${base()}.json`, { headers: auth })).status).toBe(200);
  });
});

describe("the fake Twilio is a view of the simulator", () => {
  it("shows calls as Twilio's REST API does; setting a field changes what Twilio answers", async () => {
    const twilio = await startFakeTwilio();
    try {
      const account = twilio.addAccount();
      expect([...twilio.accounts.keys()]).toEqual([account.sid]);
      const res = await fetch(`${twilio.url}/2010-04-01/Accounts/${account.sid}/Calls.json`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${account.sid}:${account.token}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ To: "+12125550182", From: FROM, Twiml: TWIML }),
      });
      const { sid } = (await res.json()) as { sid: string };
      expect(twilio.creates()).toHaveLength(1);
      const remote = twilio.calls.get(sid)!;
      expect(remote.status).toBe("queued");
      remote.status = "completed";
      remote.duration = "133";
      remote.price = "-0.01300";
      const fetched = await fetch(`${twilio.url}/2010-04-01/Accounts/${account.sid}/Calls/${sid}.json`, {
        headers: { authorization: `Basic ${Buffer.from(`${account.sid}:${account.token}`).toString("base64")}` },
      });
      expect(await fetched.json()).toMatchObject({ sid, status: "completed", duration: "133", price: "-0.01300" });
      expect(twilio.requests.map((r) => r.method)).toEqual(["POST", "GET"]);
    } finally {
      await twilio.close();
    }
  });
});

describe("the simulated Slack", () => {
  const call = (apiUrl: string, method: string, args: Record<string, unknown> = {}) =>
    fetch(`${apiUrl}${method}`, {
      method: "POST",
      headers: { authorization: "Bearer xoxb-test", "content-type": "application/json" },
      body: JSON.stringify(args),
    }).then((res) => res.json() as Promise<Record<string, unknown>>);

  it("authError makes every method, auth.test first, fail as for a revoked token", async () => {
    const slack = await startSlackSimulator({ workspace: { openWorld: true } });
    try {
      expect(await call(slack.apiUrl, "auth.test")).toMatchObject({ ok: true });
      slack.faults.authError = "invalid_auth";
      expect(await call(slack.apiUrl, "auth.test")).toEqual({ ok: false, error: "invalid_auth" });
      expect(await call(slack.apiUrl, "chat.postMessage", { channel: "U0AGENT01", text: "hi" })).toEqual({
        ok: false,
        error: "invalid_auth",
      });
      slack.faults.authError = undefined;
      expect(await call(slack.apiUrl, "auth.test")).toMatchObject({ ok: true });
    } finally {
      await slack.close();
    }
  });

  it("can be unreachable for a while (refused, or reset), then answers again", async () => {
    const slack = await startSlackSimulator({ workspace: { openWorld: true } });
    try {
      await slack.unreachable({ forMs: 300 });
      await expect(call(slack.apiUrl, "auth.test")).rejects.toThrow();
      await eventually(
        async () => (await call(slack.apiUrl, "auth.test").catch(() => undefined))?.ok === true,
        "Slack to answer again",
      );
      await slack.unreachable({ mode: "reset", forMs: 300 });
      await expect(call(slack.apiUrl, "auth.test")).rejects.toThrow();
      await eventually(
        async () => (await call(slack.apiUrl, "auth.test").catch(() => undefined))?.ok === true,
        "Slack to answer again",
      );
    } finally {
      await slack.close();
    }
  });

  it("a '*' delay applies to every method; failNext fails one call once", async () => {
    const slack = await startSlackSimulator({ workspace: { openWorld: true }, recordRequests: true });
    try {
      slack.faults.delays.set("*", 250);
      const started = Date.now();
      await call(slack.apiUrl, "users.info", { user: "U0NOBODY" });
      expect(Date.now() - started).toBeGreaterThanOrEqual(240);
      slack.faults.delays.clear();
      slack.faults.failNext.set("auth.test", "ratelimited");
      expect(await call(slack.apiUrl, "auth.test")).toEqual({ ok: false, error: "ratelimited" });
      expect(await call(slack.apiUrl, "auth.test")).toMatchObject({ ok: true });
      expect(slack.requests.map((r) => r.method)).toEqual(["users.info", "auth.test", "auth.test"]);
    } finally {
      await slack.close();
    }
  });

  it("knows where the bot is a member: not_in_channel elsewhere, a DM for a user id, channel_not_found when closed", async () => {
    const open = await startSlackSimulator({ workspace: { openWorld: true } });
    const closed = await startSlackSimulator();
    try {
      open.workspace.botChannels.add("C0LEADS001");
      expect(await call(open.apiUrl, "chat.postMessage", { channel: "C0LEADS001", text: "x" })).toMatchObject({
        ok: true,
      });
      expect(await call(open.apiUrl, "chat.postMessage", { channel: "C0OTHER01", text: "x" })).toEqual({
        ok: false,
        error: "not_in_channel",
      });
      expect(
        await call(open.apiUrl, "chat.postEphemeral", { channel: "C0OTHER01", user: "U0AGENT01", text: "x" }),
      ).toEqual({ ok: false, error: "not_in_channel" });
      expect(await call(open.apiUrl, "chat.postMessage", { channel: "U0AGENT01", text: "x" })).toMatchObject({
        ok: true,
        channel: "D0AGENT01",
      });
      expect(await call(open.apiUrl, "conversations.info", { channel: "C0OTHER01" })).toMatchObject({
        channel: { id: "C0OTHER01", is_member: false },
      });
      expect(await call(closed.apiUrl, "chat.postMessage", { channel: "C0OTHER01", text: "x" })).toEqual({
        ok: false,
        error: "channel_not_found",
      });
      expect(await call(closed.apiUrl, "views.open", { trigger_id: "1.2.made-up", view: {} })).toEqual({
        ok: false,
        error: "invalid_trigger_id",
      });
    } finally {
      await Promise.all([open.close(), closed.close()]);
    }
  });
});

describe("the fake Slack is a view of the simulator", () => {
  it("shows stored messages and views live, records calls and response_url posts", async () => {
    const slack = await startFakeSlack();
    try {
      slack.botChannels.add("C0LEADS001");
      slack.users.set("U0ADMIN01", { id: "U0ADMIN01", name: "maria", is_admin: true, tz: "America/Chicago" });
      const view = { type: "modal", title: { type: "plain_text", text: "Hi" }, blocks: [] };
      const opened = await call(slack.apiUrl, "views.open", { trigger_id: "1.2.trigger", view });
      const id = (opened.view as { id: string }).id;
      expect(slack.views.get(id)).toMatchObject({ id, title: { text: "Hi" } });
      await call(slack.apiUrl, "views.update", {
        view_id: id,
        view: { ...view, title: { type: "plain_text", text: "Bye" } },
      });
      expect([...slack.views.values()].at(-1)).toMatchObject({ id, title: { text: "Bye" } });

      const posted = await call(slack.apiUrl, "chat.postMessage", { channel: "C0LEADS001", text: "one" });
      await call(slack.apiUrl, "chat.update", { channel: "C0LEADS001", ts: posted.ts, text: "two" });
      expect(slack.messages.get(`C0LEADS001:${String(posted.ts)}`)).toMatchObject({ text: "two" });

      expect(await call(slack.apiUrl, "users.info", { user: "U0ADMIN01" })).toMatchObject({
        user: { is_admin: true, is_owner: false, tz: "America/Chicago" },
      });
      expect(slack.callsTo("chat.update")).toHaveLength(1);

      const url = slack.responseUrl();
      const res = await fetch(url, {
        method: "POST",
        body: JSON.stringify({ text: "told", response_type: "ephemeral" }),
      });
      expect(res.status).toBe(200);
      expect(slack.responses).toEqual([
        { path: new URL(url).pathname, body: expect.objectContaining({ text: "told" }), at: expect.any(Number) },
      ]);
    } finally {
      await slack.close();
    }
  });

  async function call(apiUrl: string, method: string, args: Record<string, unknown>) {
    const res = await fetch(`${apiUrl}${method}`, {
      method: "POST",
      headers: { authorization: "Bearer xoxb-test", "content-type": "application/json" },
      body: JSON.stringify(args),
    });
    return (await res.json()) as Record<string, unknown>;
  }
});
