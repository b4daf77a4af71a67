import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Writable } from "node:stream";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_CHANNEL, SANDBOX_TWILIO, SANDBOX_USERS, type Sandbox, startSandbox } from "../../sandbox/sandbox.js";
import type { SandboxMessage } from "../../sandbox/slack/workspace.js";
import { CREATE_PARAMS, MAGIC_TO } from "../../sandbox/twilio/simulator.js";
import { createLogger } from "../../src/lib/log.js";
import { eventually } from "../helpers/app.js";

const MARIA = SANDBOX_USERS.admin.id;
let sandbox: Sandbox;
let dir: string;
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "leadline-sandbox-"));
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  sandbox = await startSandbox({ log: createLogger("info", sink), port: 0, dataDir: dir, pace: 0.05, env: {} });
});
afterAll(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function consolePost(path: string, body: Record<string, unknown>) {
  const res = await fetch(`${sandbox.consoleUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-sandbox-token": sandbox.consoleToken },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

const channelMessages = () => sandbox.workspace.messages.filter((m) => m.channel === SANDBOX_CHANNEL);

/** Types `/call-lead <name>` as Maria and clicks Call on the card she gets; returns the call line once final. */
async function callFromCard(
  name: string,
  final: RegExp,
  until = (m: SandboxMessage) => m.text.includes(`*${name}*`) && final.test(m.text),
): Promise<SandboxMessage> {
  const before = channelMessages().length;
  await consolePost("/sandbox/command", { user: MARIA, text: `/call-lead ${name}` });
  const card = await eventually(
    () =>
      channelMessages()
        .slice(before)
        .find((m) => m.visibleTo === MARIA && m.text.startsWith("Call ")),
    `the call card for ${name}`,
  );
  const actions = card.blocks!.find((block) => block.type === "actions") as {
    block_id: string;
    elements: { action_id: string; value: string }[];
  };
  const call = actions.elements.find((element) => element.action_id === "call_simple")!;
  await consolePost("/sandbox/action", {
    user: MARIA,
    channel: card.channel,
    ts: card.ts,
    action: { type: "button", action_id: call.action_id, block_id: actions.block_id, value: call.value },
  });
  return eventually(
    () => channelMessages().slice(before).find(until),
    `the call to ${name} to end with ${final}`,
    15_000,
  );
}

describe("the sandbox", () => {
  it("never starts with NODE_ENV=production", async () => {
    await expect(
      startSandbox({ log: createLogger("silent"), port: 0, dataDir: dir, env: { NODE_ENV: "production" } }),
    ).rejects.toThrow(/never runs with NODE_ENV=production/);
  });

  it("is not reachable from npm start: nothing main.ts loads imports sandbox/", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, "utf8");
      for (const match of source.matchAll(/(?:import|export)[^"']*?from\s+["'](\.[^"']+)["']/g)) {
        visit(resolve(dirname(file), match[1]!.replace(/\.js$/, ".ts")));
      }
    };
    visit(new URL("../../src/main.ts", import.meta.url).pathname);
    expect(seen.size).toBeGreaterThan(20);
    const sandboxDir = new URL("../../sandbox/", import.meta.url).pathname;
    expect([...seen].filter((file) => file.startsWith(sandboxDir) || file.includes("/sandbox/"))).toEqual([]);
  });

  it("seeds demo leads and a Twilio account that is stored encrypted", async () => {
    const leads = await sandbox.leadline.deps.leads.recent(sandbox.ws, 20);
    expect(leads.map((lead) => lead.name)).toContain("Jane Doe");
    const settings = await sandbox.leadline.deps.settings.get(sandbox.ws);
    expect(settings.accountSid).toBe(SANDBOX_TWILIO.accountSid);
    const db = readFileSync(join(dir, "sandbox.db"));
    expect(db.includes(Buffer.from(SANDBOX_TWILIO.authToken))).toBe(false);
  });

  it("a busy line ends busy, with the outcome note", async () => {
    const line = await callFromCard("Bob Busy", /· busy/);
    expect(line.text).toContain("Message call");
    const lead = (await sandbox.leadline.deps.leads.search(sandbox.ws, "Bob Busy")).leads[0]!;
    await eventually(
      async () =>
        (await sandbox.leadline.deps.leads.detail(sandbox.ws, lead.id))!.notes.some((n) =>
          n.body.startsWith("[Call Busy]"),
        ),
      "the busy note",
    );
  });

  it("an answering machine gets the voicemail, through the AMD callback and a call update", async () => {
    const line = await callFromCard("Victor Voicemail", /· completed/);
    expect(line.text).toMatch(/voicemail/);
    const call = [...sandbox.twilio.calls.values()].find((c) => c.to === "+12015550104")!;
    expect(call.transcript).toContain("TwiML replaced by a call update");
  });

  it("a person pressing 9 is marked do-not-call and the next call is refused before Twilio", async () => {
    await callFromCard("Olga Optout", /· completed/);
    const lead = (await sandbox.leadline.deps.leads.search(sandbox.ws, "Olga")).leads[0]!;
    await eventually(async () => (await sandbox.leadline.deps.dnc.check(sandbox.ws, lead.phone!)).entry, "do-not-call");
    const created = sandbox.twilio.calls.size;
    const before = channelMessages().length;
    // The card shown before the opt-out still has its Call button: the click is refused.
    const oldCard = channelMessages().find((m) => m.visibleTo === MARIA && m.text === "Call Olga Optout?")!;
    await consolePost("/sandbox/action", {
      user: MARIA,
      channel: oldCard.channel,
      ts: oldCard.ts,
      action: { type: "button", action_id: "call_message", block_id: "b", value: String(lead.id) },
    });
    const refusal = await eventually(
      () =>
        channelMessages()
          .slice(before)
          .find((m) => /do not call|do-not-call/i.test(m.text)),
      "the do-not-call refusal",
    );
    expect(refusal.visibleTo).toBe(MARIA);
    // A fresh card says so and has no call buttons.
    await consolePost("/sandbox/command", { user: MARIA, text: "/call-lead Olga" });
    const card = await eventually(
      () =>
        channelMessages()
          .slice(before)
          .find((m) => m.visibleTo === MARIA && m.blocks !== undefined),
      "the card for Olga",
    );
    expect(JSON.stringify(card.blocks)).toContain("do not call");
    expect(JSON.stringify(card.blocks)).not.toContain("call_simple");
    expect(sandbox.twilio.calls.size).toBe(created);
  });

  it("with recording on, the simulated recording is uploaded into the call's thread once", async () => {
    await sandbox.leadline.deps.settings.save(sandbox.ws, { recording: "on" }, MARIA);
    try {
      await callFromCard("Jane Doe", /· completed/);
      const upload = await eventually(
        () => channelMessages().find((m) => (m.files?.length ?? 0) > 0),
        "the recording in the thread",
        10_000,
      );
      expect(upload.files).toHaveLength(1);
      expect(upload.files![0]!.bytes).toBeGreaterThan(1_000);
      expect(channelMessages().filter((m) => (m.files?.length ?? 0) > 0)).toHaveLength(1);
    } finally {
      await sandbox.leadline.deps.settings.save(sandbox.ws, { recording: "off" }, MARIA);
    }
  });

  it("Twilio's test number 21217 is refused with Twilio's code, and the call is recorded as failed", async () => {
    const refusal = await callFromCard("Ian Invalid", /21217/, (m) => m.text.includes("21217"));
    expect(refusal.text).toContain("Twilio refused the call (21217)");
    expect(refusal.visibleTo).toBe(MARIA);
    const lead = (await sandbox.leadline.deps.leads.search(sandbox.ws, "Ian Invalid")).leads[0]!;
    const detail = await sandbox.leadline.deps.leads.detail(sandbox.ws, lead.id);
    expect(detail!.calls.map((call) => [call.status, call.errorCode])).toEqual([["failed", 21217]]);
  });

  it("the simulated Twilio answers wrong credentials and unknown parameters with Twilio's errors", async () => {
    const base = `${sandbox.twilio.url}/2010-04-01/Accounts/${SANDBOX_TWILIO.accountSid}`;
    const auth = (token: string) => `Basic ${Buffer.from(`${SANDBOX_TWILIO.accountSid}:${token}`).toString("base64")}`;
    const wrong = await fetch(`${base}.json`, { headers: { authorization: auth("0".repeat(32)) } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 20003, message: "Authenticate" });
    const unknown = await fetch(`${base}/Calls.json`, {
      method: "POST",
      headers: { authorization: auth(SANDBOX_TWILIO.authToken), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        To: "+12015550101",
        From: SANDBOX_TWILIO.phoneNumber,
        Twiml: "<Response/>",
        Colour: "red",
      }),
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 21205 });
    const notOurs = await fetch(`${base}/Calls.json`, {
      method: "POST",
      headers: { authorization: auth(SANDBOX_TWILIO.authToken), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ To: "+12015550101", From: "+12015550999", Twiml: "<Response/>" }),
    });
    expect(await notOurs.json()).toMatchObject({ code: 21210 });
  });

  it("signs its webhooks as Twilio does: the app rejects the same body with a wrong signature", async () => {
    const sid = `CA${"0".repeat(32)}`;
    // A call the app knows (webhooks for unknown calls are refused whatever their signature).
    const { db } = sandbox.leadline.deps;
    const lead = (await sandbox.leadline.deps.leads.recent(sandbox.ws, 1))[0]!;
    await db.call.create({
      data: {
        workspaceId: sandbox.ws,
        leadId: lead.id,
        mode: "simple",
        fromNumber: SANDBOX_TWILIO.phoneNumber,
        toNumber: lead.phone!,
        status: "in-progress",
        placedBy: "U0SIGNING",
        twilioSid: sid,
      },
    });
    const params = { CallSid: sid, CallStatus: "completed", AccountSid: SANDBOX_TWILIO.accountSid };
    const url = `${sandbox.appUrl}/twilio/status`;
    const good = twilio.getExpectedTwilioSignature(SANDBOX_TWILIO.authToken, url, params);
    const post = (signature: string) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
        body: new URLSearchParams(params),
      });
    expect((await post(`${good.slice(0, -2)}AA`)).status).toBe(403);
    expect((await post(good)).status).toBeLessThan(300);
  });
});

describe("the sandbox serves only this machine", () => {
  const ports = () => ({
    console: Number(new URL(sandbox.consoleUrl).port),
    app: Number(new URL(sandbox.appUrl).port),
    twilio: Number(new URL(sandbox.twilio.url).port),
  });

  /** Whether a TCP connection to host:port is accepted. */
  const accepts = (host: string, port: number) =>
    new Promise<boolean>((resolveConnect) => {
      const socket = connect({ host, port });
      socket.setTimeout(1_000);
      socket.once("connect", () => {
        socket.destroy();
        resolveConnect(true);
      });
      socket.once("error", () => resolveConnect(false));
      socket.once("timeout", () => {
        socket.destroy();
        resolveConnect(false);
      });
    });

  it("binds the console, Leadline and the simulated Twilio to 127.0.0.1, not to every interface", async () => {
    expect((sandbox.leadline.server.address() as AddressInfo).address).toBe("127.0.0.1");
    for (const url of [sandbox.consoleUrl, sandbox.appUrl, sandbox.twilio.url]) {
      expect(new URL(url).hostname).toBe("127.0.0.1");
    }
    // This machine's other addresses (IPv6 loopback, network interfaces) reach none of them.
    const others = [
      "::1",
      ...Object.values(networkInterfaces())
        .flat()
        .filter((info) => info && info.family === "IPv4" && info.address !== "127.0.0.1")
        .map((info) => info!.address),
    ];
    for (const port of Object.values(ports())) {
      expect(await accepts("127.0.0.1", port)).toBe(true);
      for (const host of others) expect(await accepts(host, port), `${host}:${port}`).toBe(false);
    }
  });

  it("refuses console POSTs without this run's token, with a wrong one, or from another origin", async () => {
    const before = sandbox.workspace.messages.length;
    const attempt = (headers: Record<string, string>) =>
      fetch(`${sandbox.consoleUrl}/sandbox/command`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ user: MARIA, text: "a line typed by another site" }),
      });
    const own = new URL(sandbox.consoleUrl).origin;
    const token = sandbox.consoleToken;
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect((await attempt({})).status).toBe(403);
    expect((await attempt({ "x-sandbox-token": `${token.slice(0, -1)}x` })).status).toBe(403);
    expect((await attempt({ "x-sandbox-token": "" })).status).toBe(403);
    expect((await attempt({ "x-sandbox-token": token, origin: "https://evil.example" })).status).toBe(403);
    expect((await attempt({ "x-sandbox-token": token, origin: "null" })).status).toBe(403);
    // A cross-site form post (no custom header possible) is refused like any other.
    const form = await fetch(`${sandbox.consoleUrl}/sandbox/command`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: "https://evil.example" },
      body: JSON.stringify({ user: MARIA, text: "/twilio-setup" }),
    });
    expect(form.status).toBe(403);
    expect(sandbox.workspace.messages.length).toBe(before);

    expect((await attempt({ "x-sandbox-token": token, origin: own })).status).toBe(200);
    expect((await attempt({ "x-sandbox-token": token })).status).toBe(200);
    expect(sandbox.workspace.messages.length).toBe(before + 2);
  });

  it("hands the token to the console page only, and answers only to this machine's host names", async () => {
    const page = await (await fetch(`${sandbox.consoleUrl}/sandbox`)).text();
    expect(page).toContain(`<meta name="sandbox-token" content="${sandbox.consoleToken}">`);
    // A page on another site that rebinds its name to 127.0.0.1 is refused, so it cannot read the token.
    const rebound = await new Promise<{ status: number; body: string }>((resolveGet, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: ports().console,
          path: "/sandbox",
          headers: { host: `evil.example:${ports().console}` },
        },
        (res) => {
          let body = "";
          res.on("data", (chunk) => {
            body += String(chunk);
          });
          res.on("end", () => resolveGet({ status: res.statusCode ?? 0, body }));
        },
      );
      req.once("error", reject);
      req.end();
    });
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain(sandbox.consoleToken);
  });
});

describe("the simulated Twilio follows Twilio's published specs", () => {
  const reference = (name: string) =>
    JSON.parse(readFileSync(new URL(`../reference/twilio/${name}`, import.meta.url), "utf8"));

  it("accepts exactly the Calls create parameters of Twilio's OpenAPI spec", () => {
    const spec = reference("calls_create.json");
    const params = Object.keys(
      spec.operation.requestBody.content["application/x-www-form-urlencoded"].schema.properties,
    );
    expect([...CREATE_PARAMS].sort()).toEqual(params.sort());
  });

  it("gives the documented error code for each test number", () => {
    const documented = reference("test_credentials_magic_numbers.json").calls["To (with From=+15005550006)"];
    for (const [number, [code]] of Object.entries(MAGIC_TO)) expect(documented[number].code).toBe(code);
    expect(Object.keys(MAGIC_TO).sort()).toEqual(
      Object.keys(documented)
        .filter((k) => k.startsWith("+"))
        .sort(),
    );
  });
});
