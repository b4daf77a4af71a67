import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Writable } from "node:stream";
import { DateTime } from "luxon";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOCK_ZONES, createCallingClock, defaultClockSetting } from "../../sandbox/calling-clock.js";
import {
  DEMO_LEADS,
  SANDBOX_CHANNEL,
  SANDBOX_TWILIO,
  SANDBOX_USERS,
  type Sandbox,
  startSandbox,
} from "../../sandbox/sandbox.js";
import type { SandboxMessage } from "../../sandbox/slack/workspace.js";
import { CREATE_PARAMS, MAGIC_TO } from "../../sandbox/twilio/simulator.js";
import { createLogger } from "../../src/lib/log.js";
import { eventually } from "../helpers/app.js";

const MARIA = SANDBOX_USERS.admin.id;
let sandbox: Sandbox;
let dir: string;
const logs: string[] = [];
/** What the sandbox logged while starting on a fresh data directory. */
let startLogs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "leadline-sandbox-"));
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  sandbox = await startSandbox({ log: createLogger("info", sink), port: 0, dataDir: dir, pace: 0.05, env: {} });
  startLogs = [...logs];
});
afterAll(async () => {
  const refused = sandbox.slack.refusals;
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
  // Nothing Leadline sent was refused by Slack's Block Kit checks.
  expect(refused).toEqual([]);
});

async function consolePost(path: string, body: Record<string, unknown>) {
  const res = await fetch(`${sandbox.consoleUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-sandbox-token": sandbox.consoleToken },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as Promise<Record<string, unknown>>;
}

/** Sets the console's calling clock, as its form does: "pretend it is <local> in <zone>", or real time. */
const setClock = (setting: { mode: "real" } | { mode: "pretend"; local: string; zone: string }) =>
  consolePost("/sandbox/clock", setting);

/** A weekday morning in New York, inside every demo lead's calling hours. */
const WEEKDAY_MORNING = { mode: "pretend", local: "2026-12-01T11:00", zone: "America/New_York" } as const;

const channelMessages = () => sandbox.workspace.messages.filter((m) => m.channel === SANDBOX_CHANNEL);

type Actions = { block_id: string; elements: { action_id: string; value: string }[] };
const actionsOf = (card: SandboxMessage) =>
  card.blocks!.find((block) => block.type === "actions" && String(block.block_id).startsWith("lead_actions_")) as
    | Actions
    | undefined;

/** Types `/call-lead <name>` as Maria; returns the card she gets. */
async function callCard(name: string): Promise<SandboxMessage> {
  const before = channelMessages().length;
  await consolePost("/sandbox/command", { user: MARIA, text: `/call-lead ${name}` });
  return eventually(
    () =>
      channelMessages()
        .slice(before)
        .find((m) => m.visibleTo === MARIA && m.text.startsWith("Call ")),
    `the call card for ${name}`,
  );
}

/** Clicks one of a card's buttons as Maria. */
async function click(card: SandboxMessage, actionId: string) {
  const actions = actionsOf(card)!;
  const button = actions.elements.find((element) => element.action_id === actionId);
  expect(button, `${actionId} on the card`).toBeDefined();
  await consolePost("/sandbox/action", {
    user: MARIA,
    channel: card.channel,
    ts: card.ts,
    action: { type: "button", action_id: actionId, block_id: actions.block_id, value: button!.value },
  });
}

/** `/call-lead <name>`, then a click on the mode's button; returns the call line once `final` matches. */
async function callFromCard(
  name: string,
  final: RegExp,
  mode = "call_live",
  until = (m: SandboxMessage) => m.text.includes(`*${name}*`) && final.test(m.text),
): Promise<SandboxMessage> {
  const before = channelMessages().length;
  await click(await callCard(name), mode);
  return eventually(
    () => channelMessages().slice(before).find(until),
    `the call to ${name} to end with ${final}`,
    15_000,
  );
}

const leadNamed = async (name: string) => (await sandbox.leadline.deps.leads.search(sandbox.ws, name)).leads[0]!;
const notesOf = async (name: string) =>
  (await sandbox.leadline.deps.leads.detail(sandbox.ws, (await leadNamed(name)).id))!.notes.map((n) => n.body);
const callsTo = (number: string) => [...sandbox.twilio.calls.values()].filter((call) => call.to === number);

describe("the sandbox", () => {
  it("starts quietly on a fresh data directory: no warning (its encryption key is its own), the key file kept", () => {
    const warnings = startLogs
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((l) => l.level >= 40);
    expect(warnings).toEqual([]);
    expect(readFileSync(join(dir, "encryption.key"), "utf8").trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

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

  it("demo leads carry consent where their mode needs one, and an address where the number names no zone", async () => {
    const { consents, leads } = sandbox.leadline.deps;
    for (const demo of DEMO_LEADS) {
      const lead = (await leads.findByPhone(sandbox.ws, demo.phone))!;
      expect(lead.name).toBe(demo.name);
      const records = await consents.list(sandbox.ws, lead.id);
      expect(
        records.map((record) => record.scope),
        demo.name,
      ).toEqual(demo.consent ? ["prerecorded"] : []);
    }
    // The message-call scenarios (voicemail, the 1/9 menu, Twilio's test number) have consent; busy and no-answer not.
    expect(DEMO_LEADS.filter((lead) => !lead.consent).map((lead) => lead.name)).toEqual(["Bob Busy", "Nora Noanswer"]);
    const ian = (await leads.findByPhone(sandbox.ws, "+15005550001"))!;
    expect([ian.state, ian.zip]).toEqual(["NJ", "07030"]);
    const verdict = await sandbox.leadline.deps.law.verdict(sandbox.ws, ian, "message", sandbox.clock.now());
    expect(verdict.allowed).toBe(true);
  });

  it("on a sandbox.db seeded before calling law, adds the demo leads' address and consent, but never after an opt-out", async () => {
    const oldDir = mkdtempSync(join(tmpdir(), "leadline-sandbox-old-"));
    try {
      const first = await startSandbox({ log: createLogger("silent"), port: 0, dataDir: oldDir, pace: 0.05, env: {} });
      const { db, leads, dnc } = first.leadline.deps;
      const victor = (await leads.findByPhone(first.ws, "+12015550104"))!;
      // As release 1 left it: no addresses, no consent; Victor's consent was revoked, Olga opted out.
      await db.consent.deleteMany({ where: { leadId: { not: victor.id } } });
      await db.consent.updateMany({ where: { leadId: victor.id }, data: { revokedAt: new Date() } });
      await db.lead.updateMany({ data: { state: null, zip: null } });
      await dnc.add(first.ws, "+12015550105", "keypress", "test");
      await first.stop();

      const again = await startSandbox({ log: createLogger("silent"), port: 0, dataDir: oldDir, pace: 0.05, env: {} });
      try {
        const active = new Map<string, number>();
        for (const demo of DEMO_LEADS) {
          const lead = (await again.leadline.deps.leads.findByPhone(again.ws, demo.phone))!;
          const records = await again.leadline.deps.consents.list(again.ws, lead.id);
          active.set(demo.name, records.filter((record) => !record.revokedAt).length);
          if (demo.name === "Victor Voicemail") expect(records).toHaveLength(1);
        }
        expect(Object.fromEntries(active)).toEqual({
          "Jane Doe": 1,
          "Bob Busy": 0,
          "Nora Noanswer": 0,
          "Victor Voicemail": 0,
          "Olga Optout": 0,
          "Connie Connect": 1,
          "Ian Invalid": 1,
        });
        const ian = (await again.leadline.deps.leads.findByPhone(again.ws, "+15005550001"))!;
        expect([ian.state, ian.zip]).toEqual(["NJ", "07030"]);
        expect(await again.leadline.deps.leads.recent(again.ws, 20)).toHaveLength(DEMO_LEADS.length);
      } finally {
        await again.stop();
      }
    } finally {
      rmSync(oldDir, { recursive: true, force: true });
    }
  });

  it("a live call rings the agent's phone first, then dials the lead and ends with the lead's leg", async () => {
    const line = await callFromCard("Connie Connect", /· completed/);
    expect(line.text).toContain("Live call");
    expect(line.text).toMatch(/completed \(\d+s\)/);
    // Twilio's call is to the agent; the lead is a <Dial> child leg of it, from the team's number.
    const [agentCall] = callsTo(SANDBOX_TWILIO.agentPhone);
    expect(agentCall).toBeDefined();
    expect(agentCall!.direction).toBe("outbound-api");
    // The agent hears who is being called and presses a key before the lead is dialled.
    expect(agentCall!.transcript.join("\n")).toMatch(
      /Leadline call to Connie Connect\. Press any key to connect\.[\s\S]*Connecting you to Connie Connect\./,
    );
    const [leadLeg] = callsTo("+12015550106");
    expect(leadLeg).toMatchObject({
      direction: "outbound-dial",
      parentSid: agentCall!.sid,
      from: SANDBOX_TWILIO.phoneNumber,
      status: "completed",
    });
    expect(leadLeg!.created.getTime()).toBeGreaterThan(agentCall!.answeredAt!);
    expect(line.text).toContain(`completed (${leadLeg!.duration}s)`);
    expect(JSON.stringify(line.blocks)).toContain(`Call SID ${agentCall!.sid}`);
    await eventually(
      async () => (await notesOf("Connie Connect")).some((n) => n.startsWith("[Call Completed]")),
      "note",
    );
    const notes = await notesOf("Connie Connect");
    expect(
      notes.filter((n) => n.startsWith("[Outbound Call] Initiated from +12015550100 to +12015550106")),
    ).toHaveLength(1);
    expect(notes.find((n) => n.startsWith("[Call Completed]"))).toContain(`${leadLeg!.duration}s`);
  });

  it("a busy line ends busy, with the outcome note", async () => {
    const line = await callFromCard("Bob Busy", /· busy/);
    expect(line.text).toContain("Live call");
    const [leadLeg] = callsTo("+12015550102");
    expect(leadLeg!.status).toBe("busy");
    await eventually(async () => (await notesOf("Bob Busy")).some((n) => n.startsWith("[Call Busy]")), "the busy note");
  });

  it("a lead that never answers ends no-answer, with the outcome note", async () => {
    const line = await callFromCard("Nora Noanswer", /· no answer/);
    expect(line.text).toContain("Live call");
    await eventually(
      async () => (await notesOf("Nora Noanswer")).some((n) => n.startsWith("[Call No Answer]")),
      "the no-answer note",
    );
  });

  it("a lead without consent is offered no Message call, and a click from an old card is refused before Twilio", async () => {
    const card = await callCard("Bob Busy");
    const buttons = actionsOf(card)!.elements.map((element) => element.action_id);
    expect(buttons).toContain("call_live");
    expect(buttons).not.toContain("call_message");
    expect(buttons).not.toContain("call_bridge");
    expect(JSON.stringify(card.blocks)).not.toContain("Message call");
    const created = sandbox.twilio.calls.size;
    const before = channelMessages().length;
    const lead = await leadNamed("Bob Busy");
    await consolePost("/sandbox/action", {
      user: MARIA,
      channel: card.channel,
      ts: card.ts,
      action: { type: "button", action_id: "call_message", block_id: "b", value: String(lead.id) },
    });
    const refusal = await eventually(
      () =>
        channelMessages()
          .slice(before)
          .find((m) => m.visibleTo === MARIA && m.text.startsWith("Not calling Bob Busy")),
      "the consent refusal",
    );
    expect(refusal.text).toContain("needs the lead's prior express consent to prerecorded calls");
    expect(JSON.stringify(refusal.blocks)).toContain("Call live instead");
    expect(sandbox.twilio.calls.size).toBe(created);
  });

  it("an answering machine on a message call gets the voicemail, through the AMD callback and a call update", async () => {
    const line = await callFromCard("Victor Voicemail", /· completed/, "call_message");
    expect(line.text).toContain("Message call");
    expect(line.text).toMatch(/answered by a machine, left a voicemail/);
    const call = callsTo("+12015550104").find((c) => c.direction === "outbound-api")!;
    expect(call.transcript).toContain("TwiML replaced by a call update");
  });

  it("each consented mode places a call that completes with its note", async () => {
    const bridge = await callFromCard("Jane Doe", /· completed/, "call_bridge");
    expect(bridge.text).toContain("Voice bridge");
    const message = await callFromCard("Jane Doe", /Message call · completed/, "call_message");
    expect(message.text).toContain("answered by a person");
    await eventually(
      async () => (await notesOf("Jane Doe")).filter((n) => n.startsWith("[Call Completed]")).length >= 2,
      "both calls' notes",
    );
  });

  it("a person pressing 9 goes on the do-not-call list, and the next call in any mode is refused before Twilio", async () => {
    const line = await callFromCard("Olga Optout", /· completed/, "call_message");
    expect(line.text).toContain("pressed 9 → now on the do-not-call list");
    const lead = await leadNamed("Olga");
    await eventually(async () => (await sandbox.leadline.deps.dnc.check(sandbox.ws, lead.phone!)).entry, "do-not-call");
    const created = sandbox.twilio.calls.size;
    // The card shown before the opt-out still has its call buttons: each click is refused.
    const oldCard = channelMessages().find((m) => m.visibleTo === MARIA && m.text === "Call Olga Optout?")!;
    for (const mode of ["call_live", "call_message", "call_bridge"]) {
      const before = channelMessages().length;
      await click(oldCard, mode);
      const refusal = await eventually(
        () =>
          channelMessages()
            .slice(before)
            .find((m) => m.visibleTo === MARIA && m.text.startsWith("Not calling Olga Optout")),
        `the do-not-call refusal of ${mode}`,
      );
      expect(refusal.text).toContain("+1 201 555 0105 is on the team's do-not-call list");
      expect(refusal.text).toContain("Nothing was dialed");
    }
    // A fresh card says so and has no call buttons.
    const card = await callCard("Olga");
    expect(JSON.stringify(card.blocks)).toContain("on the do-not-call list");
    expect(actionsOf(card)!.elements.map((element) => element.action_id)).not.toContain("call_live");
    expect(JSON.stringify(card.blocks)).not.toMatch(/call_(live|message|bridge|simple)/);
    expect(sandbox.twilio.calls.size).toBe(created);
  });

  it("with recording on, the simulated recording of a live call is uploaded into the call's thread once", async () => {
    await sandbox.leadline.deps.settings.save(sandbox.ws, { recording: "on" }, MARIA);
    try {
      const line = await callFromCard("Jane Doe", /Live call · completed/);
      // The recording's file (its transcript, a text file, follows it into the thread: see the transcripts test).
      const recordings = () => channelMessages().filter((m) => m.files?.some((f) => !f.name.startsWith("transcript-")));
      const upload = await eventually(() => recordings()[0], "the recording in the thread", 10_000);
      expect(upload.files).toHaveLength(1);
      expect(upload.files![0]!.bytes).toBeGreaterThan(1_000);
      expect(upload.threadTs).toBe(line.ts);
      expect(recordings()).toHaveLength(1);
      // The lead heard the recording notice on their leg before the agent was connected.
      const leadLeg = callsTo("+12015550101").find((c) => c.direction === "outbound-dial" && c.twiml)!;
      expect(leadLeg.transcript).toContain('says: "This call may be recorded."');
    } finally {
      await sandbox.leadline.deps.settings.save(sandbox.ws, { recording: "off" }, MARIA);
    }
  });

  it("Twilio's test number 21217 is refused with Twilio's code, and the call is recorded as failed", async () => {
    // A message call is created to the lead's number itself, so Twilio's answer to the create is the refusal.
    const refusal = await callFromCard("Ian Invalid", /21217/, "call_message", (m) => m.text.includes("21217"));
    expect(refusal.text).toContain("Twilio refused the call (21217)");
    expect(refusal.visibleTo).toBe(MARIA);
    const lead = await leadNamed("Ian Invalid");
    let detail = await sandbox.leadline.deps.leads.detail(sandbox.ws, lead.id);
    expect(detail!.calls.map((call) => [call.status, call.errorCode])).toEqual([["failed", 21217]]);
    expect(refusal.text).toContain("https://www.twilio.com/docs/errors/21217");
    // A live call reaches the agent; the <Dial> to the test number fails with Twilio's Dial error (13224
    // in the leg's status callback), and the line ends with the same answer: code, words, docs link.
    const line = await callFromCard("Ian Invalid", /Live call · failed[\s\S]*13224/);
    expect(line.text).toContain("(+1 ••• ••• 0001)");
    const said = (text: string) => text.replace(/^[\s\S]*:x: /, "");
    expect(said(line.text)).toBe(
      "Twilio refused the call (13224): Twilio does not support calling this number or the number is invalid https://www.twilio.com/docs/errors/13224",
    );
    expect(said(refusal.text)).toMatch(
      /^Twilio refused the call \(21217\): Phone number does not appear to be valid https:\/\/www\.twilio\.com\/docs\/errors\/21217$/,
    );
    // Nobody was reached: no "Interested" or "Appointment set" to tap.
    expect(JSON.stringify(line.blocks)).not.toContain("outcome_appointment");
    expect(JSON.stringify(line.blocks)).toContain("outcome_callback");
    expect(await notesOf("Ian Invalid")).toContainEqual(
      expect.stringMatching(/^\[Call Failed\] Twilio refused the call \(13224\): Twilio does not support/),
    );
    detail = await sandbox.leadline.deps.leads.detail(sandbox.ws, lead.id);
    expect(detail!.calls.map((call) => call.status).sort()).toEqual(["failed", "failed"]);
  });

  it("a voicemail box answering the agent's phone presses no key: the lead is never dialled, the post says so", async () => {
    sandbox.twilio.answerAs(SANDBOX_TWILIO.agentPhone, "voicemail");
    try {
      const created = callsTo("+12015550101").length;
      const line = await callFromCard("Jane Doe", /Live call · canceled/);
      expect(line.text).toMatch(
        /did not take the call \(no key pressed; a voicemail may have answered\): the lead was not dialed/,
      );
      expect(JSON.stringify(line.blocks)).toContain("Retry");
      expect(callsTo("+12015550101")).toHaveLength(created);
      await eventually(
        async () => (await notesOf("Jane Doe")).some((n) => n.includes("The agent did not take the call")),
        "the not-connected note",
      );
    } finally {
      sandbox.twilio.answerAs(SANDBOX_TWILIO.agentPhone, "presses-1");
    }
  });

  it("an agent phone that does not answer ends the live call without dialing the lead", async () => {
    await sandbox.leadline.deps.settings.save(sandbox.ws, { agentPhone: "+12015550103" }, MARIA);
    try {
      const created = callsTo("+12015550101").length;
      const line = await callFromCard("Jane Doe", /Live call · canceled/);
      expect(line.text).toMatch(/phone did not answer: the lead was not dialed/);
      expect(callsTo("+12015550101")).toHaveLength(created);
      await eventually(
        async () => (await notesOf("Jane Doe")).some((n) => n.startsWith("[Call Not Connected]")),
        "the not-connected note",
      );
    } finally {
      await sandbox.leadline.deps.settings.save(sandbox.ws, { agentPhone: SANDBOX_TWILIO.agentPhone }, MARIA);
    }
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

describe("the console's calling clock", () => {
  afterAll(async () => {
    await setClock(WEEKDAY_MORNING);
  });

  it("at 6 AM in New York blocks a call to a 212 lead with the reasons and no Twilio call; at 11 AM it calls", async () => {
    const { leads } = sandbox.leadline.deps;
    await leads.create(sandbox.ws, {
      name: "Nate Newyork",
      phone: "+12125550111",
      source: "Sandbox test",
      author: MARIA,
    });
    const set = await setClock({ mode: "pretend", local: "2026-12-01T06:00", zone: "America/New_York" });
    expect(set.clock).toMatchObject({ mode: "pretend", zone: "America/New_York", local: "2026-12-01T06:00" });
    expect(String((set.clock as { label: string }).label)).toContain("Tuesday, December 1, 6:00 AM EST in New York");
    // Leadline's calling clock is the console's; real time is not.
    expect(
      Math.abs(sandbox.leadline.deps.clock.callingNow().getTime() - Date.parse("2026-12-01T11:00:00Z")),
    ).toBeLessThan(60_000);

    // The card says so before anyone clicks.
    const card = await callCard("Nate Newyork");
    expect(JSON.stringify(card.blocks)).toContain("Not now:");
    const created = sandbox.twilio.calls.size;
    const before = channelMessages().length;
    await click(card, "call_live");
    const refusal = await eventually(
      () =>
        channelMessages()
          .slice(before)
          .find((m) => m.visibleTo === MARIA && m.text.startsWith("Not calling Nate Newyork")),
      "the compliance card",
    );
    expect(refusal.text).toContain("calling law blocks it. Nothing was dialed.");
    expect(refusal.text).toMatch(/It is 6:0\d AM in New York/);
    expect(refusal.text).toContain("+1 212 555 0111");
    expect(refusal.text).toContain("8:00 AM until 9:00 PM");
    expect(refusal.text).toMatch(/Next allowed: 8:00 AM/);
    expect(sandbox.twilio.calls.size).toBe(created);
    const audit = await sandbox.leadline.deps.db.auditLog.findMany({ where: { action: "call.blocked" } });
    expect(audit.length).toBeGreaterThan(0);

    // "Schedule for 8:00 AM …" books 8:00 AM on the same (pretend) clock the card's words were judged on,
    // not a time counted from the real clock.
    const scheduleButton = refusal
      .blocks!.filter((block) => block.type === "actions")
      .flatMap((block) => (block as Actions).elements.map((element) => ({ block: block as Actions, element })))
      .find(({ element }) => element.action_id === "schedule_from_block")!;
    expect(scheduleButton, "Schedule for … on the compliance card").toBeDefined();
    expect(JSON.stringify(refusal.blocks)).toMatch(/Schedule for 8:00 AM/);
    await consolePost("/sandbox/action", {
      user: MARIA,
      channel: refusal.channel,
      ts: refusal.ts,
      action: { type: "button", ...scheduleButton.element, block_id: scheduleButton.block.block_id },
    });
    const booked = await eventually(
      async () => (await sandbox.leadline.deps.db.scheduledCall.findMany({ where: { status: "scheduled" } }))[0],
      "the booked call",
    );
    expect(booked.dueAt.toISOString()).toBe("2026-12-01T13:00:00.000Z");
    const said = await eventually(
      () => channelMessages().find((m) => m.visibleTo === MARIA && /Scheduled .*Nate Newyork/.test(m.text)),
      "the booking's confirmation",
    );
    expect(said.text).toMatch(/in 2 h|in 1 h 5\d min/);
    await sandbox.leadline.deps.db.scheduledCall.deleteMany({ where: { id: booked.id } });

    // Set back to a weekday morning: the same card's Call goes through.
    await setClock(WEEKDAY_MORNING);
    await click(card, "call_live");
    const line = await eventually(
      () =>
        channelMessages()
          .slice(before)
          .find((m) => m.text.includes("*Nate Newyork*") && /Live call · completed/.test(m.text)),
      "the call to Nate",
      15_000,
    );
    expect(line.visibleTo).toBeUndefined();
    expect(callsTo("+12125550111")).toHaveLength(1);
  });

  it("switches back to real time and shows the calling time on the console's state", async () => {
    const answer = await setClock({ mode: "real" });
    expect(answer.clock).toMatchObject({ mode: "real", zone: "America/New_York" });
    expect(Math.abs((answer.clock as { offsetMs: number }).offsetMs)).toBeLessThan(50);
    expect(Math.abs(sandbox.leadline.deps.clock.callingNow().getTime() - Date.now())).toBeLessThan(1_000);
    const state = (await (await fetch(`${sandbox.consoleUrl}/sandbox/state?user=${MARIA}`)).json()) as {
      info: { clock: { mode: string; label: string; zones: { id: string }[] } };
    };
    expect(state.info.clock.mode).toBe("real");
    expect(state.info.clock.zones.map((zone) => zone.id)).toEqual(Object.keys(CLOCK_ZONES));
    const page = await (await fetch(`${sandbox.consoleUrl}/sandbox`)).text();
    expect(page).toContain('id="clock-form"');
    expect(page).toContain('type="datetime-local"');
  });

  it("a pretend time keeps running from when it was set", async () => {
    await setClock({ mode: "pretend", local: "2026-12-01T06:00", zone: "Pacific/Honolulu" });
    const first = sandbox.clock.now().getTime();
    expect(first - Date.parse("2026-12-01T16:00:00Z")).toBeLessThan(2_000);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(sandbox.clock.now().getTime() - first).toBeGreaterThanOrEqual(100);
  });

  it("refuses a zone it does not offer, a time that is not one, and a request without the console's token", async () => {
    const post = (body: unknown, headers: Record<string, string> = { "x-sandbox-token": sandbox.consoleToken }) =>
      fetch(`${sandbox.consoleUrl}/sandbox/clock`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    const before = sandbox.clock.view();
    const zone = await post({ mode: "pretend", local: "2026-12-01T06:00", zone: "Europe/London" });
    expect(zone.status).toBe(400);
    expect(((await zone.json()) as { error: string }).error).toContain("zone should be one of America/New_York");
    const local = await post({ mode: "pretend", local: "2026-13-45T06:00", zone: "America/Chicago" });
    expect(local.status).toBe(400);
    expect(((await local.json()) as { error: string }).error).toContain("is not a time in Chicago");
    expect((await post({ mode: "sometime" })).status).toBe(400);
    expect((await post({ mode: "real" }, {})).status).toBe(403);
    expect(
      (await post({ mode: "real" }, { "x-sandbox-token": sandbox.consoleToken, origin: "https://evil.example" }))
        .status,
    ).toBe(403);
    expect(sandbox.clock.view()).toMatchObject({ mode: before.mode, zone: before.zone, version: before.version });
  });

  it("defaults to real time in New York's daytime, and otherwise to the next weekday at 11 AM there, saying so", () => {
    const at = (iso: string) => defaultClockSetting(new Date(iso), DEMO_LEADS);
    // Tuesday 1 December 2026, 2 PM in New York: real time.
    expect(at("2026-12-01T19:00:00Z")).toEqual({ setting: { mode: "real" } });
    // The same Tuesday at 00:30 and at 6:00 AM: pretend that day at 11 AM.
    const night = at("2026-12-01T05:30:00Z");
    expect(night.setting).toEqual({ mode: "pretend", local: "2026-12-01T11:00", zone: "America/New_York" });
    expect(night.note).toContain("For real it is Tuesday 12:30 AM in New York");
    expect(night.note).toContain('Choose "Real time" to watch calling law block a call.');
    expect(at("2026-12-01T11:00:00Z").setting).toMatchObject({ local: "2026-12-01T11:00" });
    // Tuesday 9 PM: Wednesday 11 AM. Friday 11 PM: Monday 11 AM (a pretend day is a weekday).
    expect(at("2026-12-02T02:00:00Z").setting).toMatchObject({ local: "2026-12-02T11:00" });
    expect(at("2026-12-05T04:00:00Z").setting).toMatchObject({ local: "2026-12-07T11:00" });
    // Saturday noon: the demo leads (New Jersey) may be called on Saturdays, so real time.
    expect(at("2026-12-05T17:00:00Z")).toEqual({ setting: { mode: "real" } });
    // Summer time (EDT) too: 7 AM on Wednesday 1 July 2026.
    expect(at("2026-07-01T11:00:00Z").setting).toMatchObject({ local: "2026-07-01T11:00" });
  });

  it("started at half past midnight in New York, says it pretends and still places a newcomer's live call", async () => {
    const nightDir = mkdtempSync(join(tmpdir(), "leadline-sandbox-night-"));
    // This machine's real clock, moved to the next 00:30 in New York.
    const target = DateTime.now().setZone("America/New_York").plus({ days: 1 }).set({ hour: 0, minute: 30 });
    const shift = target.toMillis() - Date.now();
    const night = await startSandbox({
      log: createLogger("silent"),
      port: 0,
      dataDir: nightDir,
      pace: 0.05,
      env: {},
      realNow: () => new Date(Date.now() + shift),
    });
    try {
      const view = night.clock.view();
      expect(view.mode).toBe("pretend");
      expect(view.local).toMatch(/T11:0\d$/);
      expect(view.note).toContain("For real it is");
      const notice = night.workspace.messages.find((m) => m.text.includes("calling clock"));
      expect(notice?.text).toContain("so the sandbox pretends it is");
      const post = (path: string, body: unknown) =>
        fetch(`${night.consoleUrl}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-sandbox-token": night.consoleToken },
          body: JSON.stringify(body),
        });
      await post("/sandbox/command", { user: MARIA, text: "/call-lead Jane" });
      const card = await eventually(
        () => night.workspace.messages.find((m) => m.visibleTo === MARIA && m.text === "Call Jane Doe?"),
        "Jane's card",
      );
      expect(JSON.stringify(card.blocks)).not.toContain("Not now:");
      const actions = actionsOf(card)!;
      await post("/sandbox/action", {
        user: MARIA,
        channel: card.channel,
        ts: card.ts,
        action: {
          type: "button",
          action_id: "call_live",
          block_id: actions.block_id,
          value: actions.elements[0]!.value,
        },
      });
      await eventually(
        () => night.workspace.messages.find((m) => /\*Jane Doe\*.*Live call · completed/.test(m.text)),
        "the live call to complete",
        15_000,
      );
    } finally {
      await night.stop();
      rmSync(nightDir, { recursive: true, force: true });
    }
  });

  it("the default a newcomer gets at midnight lets them call every demo lead live", async () => {
    const night = defaultClockSetting(new Date("2026-12-01T05:00:00Z"), DEMO_LEADS);
    expect(night.setting.mode).toBe("pretend");
    const clock = createCallingClock({ initial: night.setting });
    for (const demo of DEMO_LEADS) {
      const lead = (await sandbox.leadline.deps.leads.findByPhone(sandbox.ws, demo.phone))!;
      const verdict = sandbox.leadline.deps.law.verdictFrom(lead, "live", clock.now(), {
        attempts: [],
        onDoNotCallList: false,
        consent: null,
      });
      expect(verdict.allowed, demo.name).toBe(true);
    }
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

describe("transcripts and summaries in the sandbox", () => {
  it("after a recorded call, its transcript file and its summary card land in the call's thread", async () => {
    await sandbox.leadline.deps.settings.save(sandbox.ws, { recording: "on" }, MARIA);
    try {
      await setClock(WEEKDAY_MORNING);
      const status = await sandbox.leadline.deps.summarySetup.read(sandbox.ws);
      expect(status).toMatchObject({ transcripts: true, summaries: true, retentionDays: 90 });
      const askedBefore = sandbox.summary.requests.length;
      const line = await callFromCard("Jane Doe", /Live call · completed/);
      const inThread = () => channelMessages().filter((m) => m.threadTs === line.ts);
      const transcript = await eventually(
        () => inThread().find((m) => m.files?.some((f) => f.name.startsWith("transcript-"))),
        "the transcript in the thread",
        15_000,
      );
      const file = [...sandbox.workspace.files.values()].find((f) => f.name === transcript.files![0]!.name)!;
      expect(file.bytes.toString("utf8")).toMatch(
        /\] Lead \(Jane Doe\): I am at work now\. Please call me back Tuesday at 5\./,
      );
      expect(file.bytes.toString("utf8")).toMatch(/\] Agent \(.+\): Hi Jane/);
      const card = await eventually(
        () => inThread().find((m) => m.text.startsWith("Call summary")),
        "the summary card in the thread",
        15_000,
      );
      const buttons = JSON.stringify(card.blocks);
      expect(buttons).toContain("Set outcome: Call back");
      expect(buttons).toMatch(/Schedule call back Tue 5:00 PM E[SD]T/);
      // Asked of the fake model once, with the masked, labelled transcript.
      const asked = sandbox.summary.requests.slice(askedBefore).filter((r) => r.path === "/v1/chat/completions");
      expect(asked).toHaveLength(1);
      expect(asked[0]!.transcript).toContain("Lead: I am at work now. Please call me back Tuesday at 5.");
    } finally {
      await sandbox.leadline.deps.settings.save(sandbox.ws, { recording: "off" }, MARIA);
      await setClock({ mode: "real" });
    }
  });
});
