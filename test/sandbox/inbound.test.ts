import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_CHANNEL, SANDBOX_TWILIO, SANDBOX_USERS, type Sandbox, startSandbox } from "../../sandbox/sandbox.js";
import type { SandboxMessage } from "../../sandbox/slack/workspace.js";
import { InboundRefused, type SimCall } from "../../sandbox/twilio/simulator.js";
import { createLogger } from "../../src/lib/log.js";
import { eventually, settled } from "../helpers/app.js";

// A lead calling the team's number back, played by the simulated Twilio from the console's control:
// the number's Voice URL (set at start through /twilio-setup inbound's path), the <Dial> to the agent's
// phone with its whisper and key press, the <Record> with its recording and transcription callbacks.

const MARIA = SANDBOX_USERS.admin.id;
const SAM = SANDBOX_USERS.agent.id;
const JANE = "+12015550101";
let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "leadline-sandbox-inbound-"));
  sandbox = await startSandbox({ log: createLogger("silent"), port: 0, dataDir: dir, pace: 0.05, env: {} });
  // A weekday morning in New York, so the live call to Jane before her callback is inside calling hours.
  await consolePost("/sandbox/clock", { mode: "pretend", local: "2026-12-01T11:00", zone: "America/New_York" });
}, 30_000);
afterAll(async () => {
  const refused = sandbox?.slack.refusals ?? [];
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  // Nothing Leadline sent was refused by Slack's Block Kit checks.
  expect(refused).toEqual([]);
});

function rawPost(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${sandbox.consoleUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-sandbox-token": sandbox.consoleToken, ...headers },
    body: JSON.stringify(body),
  });
}

async function consolePost(path: string, body: Record<string, unknown>) {
  const res = await rawPost(path, body);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as Promise<Record<string, unknown>>;
}

const channelMessages = () => sandbox.workspace.messages.filter((m) => m.channel === SANDBOX_CHANNEL);
const account = () => sandbox.twilio.accounts.get(SANDBOX_TWILIO.accountSid)!;
const voiceUrl = () => `${sandbox.appUrl}/twilio/voice/inbound?ws=${sandbox.ws}`;
const leadNamed = async (name: string) => (await sandbox.leadline.deps.leads.search(sandbox.ws, name)).leads[0]!;
const notesOf = async (leadId: number) =>
  (await sandbox.leadline.deps.leads.detail(sandbox.ws, leadId))!.notes.map((n) => n.body);
/** The inbound call's line in Slack: its context names the Call SID. */
const lineOf = (callSid: string) =>
  channelMessages().find((m) => m.text.startsWith(":calling:") && JSON.stringify(m.blocks).includes(callSid));
const legOf = (call: SimCall) => [...sandbox.twilio.calls.values()].find((leg) => leg.parentSid === call.sid);

/** A live call to Jane from her card, as Maria: the line a callback is played from. */
async function liveCallToJane(): Promise<SandboxMessage> {
  const before = channelMessages().length;
  await consolePost("/sandbox/command", { user: MARIA, text: "/call-lead Jane" });
  const card = await eventually(
    () =>
      channelMessages()
        .slice(before)
        .find((m) => m.visibleTo === MARIA && m.text === "Call Jane Doe?"),
    "Jane's card",
  );
  const actions = card.blocks!.find((b) => b.type === "actions" && String(b.block_id).startsWith("lead_actions_")) as {
    block_id: string;
    elements: { action_id: string; value: string }[];
  };
  const live = actions.elements.find((e) => e.action_id === "call_live")!;
  await consolePost("/sandbox/action", {
    user: MARIA,
    channel: card.channel,
    ts: card.ts,
    action: { type: "button", action_id: "call_live", block_id: actions.block_id, value: live.value },
  });
  return eventually(
    () =>
      channelMessages()
        .slice(before)
        .find((m) => m.text.includes("*Jane Doe*") && /Live call · completed/.test(m.text)),
    "the live call to Jane",
    15_000,
  );
}

describe("a lead calls back in the sandbox", () => {
  it("at start the team's number's Voice URL points at Leadline, set through /twilio-setup inbound's own path", async () => {
    expect(account().voiceUrls?.get(SANDBOX_TWILIO.phoneNumber)).toBe(voiceUrl());
    const audit = await sandbox.leadline.deps.db.auditLog.findMany({ where: { action: "twilio.inbound_connected" } });
    expect(audit.map((row) => row.actor)).toEqual(["sandbox"]);
    const state = (await (await fetch(`${sandbox.consoleUrl}/sandbox/state?user=${MARIA}`)).json()) as {
      info: { inbound: { connected: boolean; number: string; choices: Record<string, string> } };
    };
    expect(state.info.inbound).toMatchObject({ connected: true, number: "+1 201 555 0100" });
    expect(Object.values(state.info.inbound.choices)).toEqual(["Agent answers", "Nobody answers → voicemail"]);
    const before = channelMessages().length;
    await consolePost("/sandbox/command", { user: MARIA, text: "/twilio-setup status" });
    const status = await eventually(
      () =>
        channelMessages()
          .slice(before)
          .find((m) => m.visibleTo === MARIA && m.text.includes("team's number")),
      "/twilio-setup status",
    );
    expect(status.text).toContain("Calls to the team's number reach Leadline");
  });

  it("agent answers: the line in the call's thread goes ringing → answered → answered by @maria, with the note", async () => {
    const callLine = await liveCallToJane();
    const jane = await leadNamed("Jane Doe");
    const answer = await consolePost("/sandbox/inbound", { leadId: jane.id, agent: "answers" });
    expect(answer).toMatchObject({ ok: true, from: JANE, to: SANDBOX_TWILIO.phoneNumber, agent: "answers" });
    const call = sandbox.twilio.calls.get(String(answer.callSid))!;
    expect(call).toMatchObject({ direction: "inbound", from: JANE, to: SANDBOX_TWILIO.phoneNumber });

    const line = await eventually(() => {
      const found = lineOf(call.sid);
      return found?.text.includes(", ") && found.text.includes("answered by") ? found : undefined;
    }, "the line to show the finished callback");
    // The caller hears the goodbye, then Twilio ends the call.
    await eventually(() => call.status === "completed", "the call to end");
    const leg = legOf(call)!;
    expect(line.text).toBe(
      `:calling: Jane Doe called back (+1 ••• ••• 0101) · answered by <@${MARIA}>, ${leg.duration}s`,
    );
    expect(line.history?.[0]).toBe(`:calling: Jane Doe is calling back (+1 ••• ••• 0101) · ringing <@${MARIA}>`);
    expect(line.history).toContain(`:calling: Jane Doe is calling back (+1 ••• ••• 0101) · answered by <@${MARIA}>`);
    // In the thread of Jane's last call, with the lead card's buttons.
    expect(line.threadTs).toBe(callLine.threadTs ?? callLine.ts);
    const buttons = JSON.stringify(line.blocks);
    for (const action of ["call_live", "History", "Schedule"]) expect(buttons).toContain(action);

    // The <Dial> leg rang the team's agent phone showing Jane's number; the agent heard the whisper and pressed 1.
    expect(leg).toMatchObject({
      direction: "outbound-dial",
      to: SANDBOX_TWILIO.agentPhone,
      from: JANE,
      status: "completed",
    });
    expect(leg.transcript).toContain('says: "Call from lead Jane Doe. Press 1 to answer."');
    expect(leg.transcript).toContain("presses 1");
    expect(call.transcript).toContain(`${SANDBOX_TWILIO.agentPhone} answered; talking`);

    const note = await eventually(
      async () => (await notesOf(jane.id)).find((n) => n.startsWith("[Inbound Call]")),
      "the inbound note",
    );
    expect(note).toBe(`[Inbound Call] from ${JANE} - answered by @maria - ${leg.duration}s - Call SID: ${call.sid}`);
    const row = await sandbox.leadline.deps.db.inboundCall.findFirstOrThrow({ where: { twilioSid: call.sid } });
    expect(row).toMatchObject({ status: "completed", answeredBy: MARIA, durationSec: leg.duration });
  }, 30_000);

  it("nobody answers: missed, then the voicemail's audio and its transcript in the thread, once each", async () => {
    const jane = await leadNamed("Jane Doe");
    const answer = await consolePost("/sandbox/inbound", { leadId: jane.id, agent: "no-answer" });
    const call = sandbox.twilio.calls.get(String(answer.callSid))!;
    const line = await eventually(
      () => (lineOf(call.sid)?.text.includes("voicemail left") ? lineOf(call.sid) : undefined),
      "the voicemail on the line",
      15_000,
    );
    const row = await sandbox.leadline.deps.db.inboundCall.findFirstOrThrow({ where: { twilioSid: call.sid } });
    expect(line.text).toBe(
      `:calling: Jane Doe called back (+1 ••• ••• 0101) · missed, voicemail left (${row.recordingSec}s)`,
    );
    expect(line.history).toContain(":calling: Jane Doe called back (+1 ••• ••• 0101) · missed");
    // The agent's phone rang out: no whisper was played to anyone.
    const leg = legOf(call)!;
    expect(leg).toMatchObject({ to: SANDBOX_TWILIO.agentPhone, status: "no-answer", twiml: "" });

    const thread = line.threadTs ?? line.ts;
    const transcript = await eventually(
      () => channelMessages().find((m) => m.threadTs === thread && m.text.startsWith(":memo: Voicemail transcript")),
      "the transcript in the thread",
      15_000,
    );
    const said = "Hi, this is Jane Doe returning your call about the house. Please call me back this afternoon.";
    expect(transcript.text).toBe(`:memo: Voicemail transcript: “${said}”`);
    const uploads = channelMessages().filter(
      (m) => m.threadTs === thread && m.files?.some((f) => f.name === `voicemail-${call.sid}.mp3`),
    );
    expect(uploads).toHaveLength(1);
    const file = uploads[0]!.files![0]!;
    expect(file.title).toBe(`:studio_microphone: Voicemail from Jane Doe (${row.recordingSec}s).`);
    const audio = Buffer.from(await (await fetch(`${sandbox.consoleUrl}/files/${file.id}`)).arrayBuffer());
    expect(audio.length).toBe(file.bytes);
    expect(audio.subarray(0, 3).toString("latin1")).toBe("ID3");
    await settled({ app: sandbox.leadline });
    expect(
      channelMessages().filter((m) => m.threadTs === thread && m.text.startsWith(":memo: Voicemail transcript")),
    ).toHaveLength(1);

    // What the simulated Twilio played, and the recording it serves to the account (and to no one else).
    for (const step of ["beep: recording", "recording completed", `transcription completed: "${said}"`])
      expect(call.transcript).toContain(step);
    expect(call.transcript.some((t) => t.startsWith('says: "Sorry, nobody could take your call'))).toBe(true);
    expect(call.transcript).toContain('says: "Thank you. Goodbye."');
    expect(call.status).toBe("completed");
    const stored = await sandbox.leadline.deps.db.inboundCall.findFirstOrThrow({ where: { twilioSid: call.sid } });
    const recordingUrl = `${sandbox.twilio.url}/2010-04-01/Accounts/${SANDBOX_TWILIO.accountSid}/Recordings/${row.recordingSid}.mp3`;
    const auth = (token: string) => ({
      authorization: `Basic ${Buffer.from(`${SANDBOX_TWILIO.accountSid}:${token}`).toString("base64")}`,
    });
    const download = await fetch(recordingUrl, { headers: auth(SANDBOX_TWILIO.authToken) });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("audio/mpeg");
    expect((await fetch(recordingUrl, { headers: auth("0".repeat(32)) })).status).toBe(401);

    expect(stored).toMatchObject({ status: "voicemail", transcript: said, ringAgentId: MARIA });
    const notes = await notesOf(jane.id);
    expect(notes).toContain(`[Inbound Call] from ${JANE} - missed - Call SID: ${call.sid}`);
    expect(notes).toContain(
      `[Inbound Call] from ${JANE} - voicemail left (${row.recordingSec}s) - Call SID: ${call.sid}`,
    );
  }, 30_000);

  it("an unknown caller from the number box gets Add as lead, which opens the form with their number", async () => {
    const answer = await consolePost("/sandbox/inbound", { from: "(201) 555-0142", agent: "answers" });
    expect(answer.from).toBe("+12015550142");
    const call = sandbox.twilio.calls.get(String(answer.callSid))!;
    const line = await eventually(
      () => (lineOf(call.sid)?.text.includes("answered by") ? lineOf(call.sid) : undefined),
      "the unknown caller's line",
    );
    expect(line.history?.[0]).toBe(
      ":calling: An unknown caller is calling (+1 ••• ••• 0142) · ringing the team's phone",
    );
    expect(line.threadTs).toBeUndefined();
    expect(legOf(call)!.transcript).toContain('says: "Call from an unknown caller. Press 1 to answer."');
    const actions = line.blocks!.find((b) => b.type === "actions") as {
      block_id: string;
      elements: { action_id: string; value: string; text: { text: string } }[];
    };
    expect(actions.elements.map((e) => e.text.text)).toEqual(["Add as lead"]);
    const add = actions.elements[0]!;
    expect(JSON.parse(add.value)).toEqual({ phone: "+12015550142", source: "Inbound call" });
    await consolePost("/sandbox/action", {
      user: MARIA,
      channel: line.channel,
      ts: line.ts,
      action: { type: "button", action_id: add.action_id, block_id: actions.block_id, value: add.value },
    });
    const modal = await eventually(() => sandbox.workspace.topView(MARIA), "the Add lead modal");
    expect(JSON.stringify(modal.view.blocks)).toContain('"initial_value":"+12015550142"');
    await consolePost("/sandbox/close", { user: MARIA });
  });

  it("refuses a call the simulated Twilio could not deliver, and says how to connect the number", async () => {
    const created = sandbox.twilio.calls.size;
    account().voiceUrls!.delete(SANDBOX_TWILIO.phoneNumber);
    try {
      const refused = await rawPost("/sandbox/inbound", { from: "+12015550142", agent: "answers" });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toBe(
        "The team's number +1 201 555 0100 has no Voice URL, so Twilio has nowhere to send the call. Run `/twilio-setup inbound` as Maria (an admin) to point it at Leadline, then try again.",
      );
      expect(sandbox.twilio.calls.size).toBe(created);
      const state = (await (await fetch(`${sandbox.consoleUrl}/sandbox/state?user=${MARIA}`)).json()) as {
        info: { inbound: { connected: boolean } };
      };
      expect(state.info.inbound.connected).toBe(false);
      expect(() =>
        sandbox.twilio.inbound({ accountSid: SANDBOX_TWILIO.accountSid, from: JANE, to: SANDBOX_TWILIO.phoneNumber }),
      ).toThrow(InboundRefused);

      // Sam is not an admin; Maria's /twilio-setup inbound points the number at Leadline again.
      await consolePost("/sandbox/command", { user: SAM, text: "/twilio-setup inbound" });
      await eventually(
        () => channelMessages().find((m) => m.visibleTo === SAM && m.text.includes("Only Leadline admins")),
        "Sam refused",
      );
      expect(account().voiceUrls!.get(SANDBOX_TWILIO.phoneNumber)).toBeUndefined();
      await consolePost("/sandbox/command", { user: MARIA, text: "/twilio-setup inbound" });
      await eventually(() => account().voiceUrls!.get(SANDBOX_TWILIO.phoneNumber) === voiceUrl(), "connected");
    } finally {
      account().voiceUrls!.set(SANDBOX_TWILIO.phoneNumber, voiceUrl());
    }

    const errorOf = async (body: unknown, headers?: Record<string, string>) => {
      const res = await rawPost("/sandbox/inbound", body, headers);
      return { status: res.status, error: ((await res.json()) as { error: string }).error };
    };
    expect(await errorOf({ from: "12", agent: "answers" })).toEqual({
      status: 400,
      error: '"12" cannot call: it has the wrong number of digits for US.',
    });
    expect((await errorOf({ from: JANE, leadId: 1, agent: "answers" })).error).toBe(
      "Give a lead or a number, not both.",
    );
    expect((await errorOf({ from: JANE, agent: "maybe" })).error).toBe("Choose whether the agent answers.");
    expect((await errorOf({ leadId: 999_999, agent: "answers" })).error).toBe(
      "Lead #999999 has no phone number to call from.",
    );
    expect((await errorOf({ from: JANE, agent: "answers" }, { "x-sandbox-token": "forged" })).status).toBe(403);
    expect(sandbox.twilio.calls.size).toBe(created);
    expect(() =>
      sandbox.twilio.inbound({ accountSid: SANDBOX_TWILIO.accountSid, from: JANE, to: "+12015550999" }),
    ).toThrow(/not a number on this Twilio account/);
  });
});
