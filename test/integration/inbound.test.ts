import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { CHANNEL, eventually, freshStart, settled, startTestApp, type TestApp } from "../helpers/app.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick, viewSubmission } from "../helpers/payloads.js";

// A lead calling the team's number, driven by hand with Twilio's signed webhooks.

const PUBLIC = "https://leadline.example.com";
const MARIA = "U0MARIA01";
const ADMIN = "U0ADMIN01";
const FROM = "+15005550006";
const TEAM_AGENT = "+12125550199";
const MARIA_PHONE = "+12125550142";

let t: TestApp;
let account: FakeAccount;
let sidCounter = 0;
const nextSid = () => `CA${String(++sidCounter).padStart(32, "a")}`;

const inboundPath = (path = "", call?: number) =>
  `/twilio/voice/inbound${path}?ws=${t.ws}${call !== undefined ? `&call=${call}` : ""}`;
const post = (path: string, params: Record<string, string>) =>
  t.signedTwilio(path, { AccountSid: account.sid, ...params }, account.token);
const lines = () => [...t.slack.callsTo("chat.postMessage"), ...t.slack.callsTo("chat.update")].map((c) => c.args);
const notesOf = async (leadId: number) =>
  (await t.app.deps.db.note.findMany({ where: { leadId }, orderBy: { id: "asc" } })).map((n) => n.body);

beforeAll(async () => {
  t = await startTestApp({
    env: { PUBLIC_BASE_URL: PUBLIC, ADMIN_SLACK_USER_IDS: ADMIN },
    scheduleEvery: "0 0 0 1 1 *",
  });
  t.slack.users.set(MARIA, { id: MARIA, name: "maria", tz: "America/New_York" });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  account = await freshStart(t, {
    tables: ["inboundCall", "call", "note", "lead", "dncEntry"],
    from: FROM,
    agentPhone: TEAM_AGENT,
    admin: ADMIN,
  });
  await t.app.deps.agentPhones.set(t.ws, MARIA, MARIA_PHONE);
});

async function janeOwnedByMaria() {
  const jane = await t.app.deps.leads.create(t.ws, {
    name: "Jane Doe",
    phone: "+13125550182",
    author: "seed",
    ownerSlackId: MARIA,
  });
  return jane;
}

describe("a lead calls back", () => {
  it("rings the owner with a whisper; the line goes ringing → answered → completed; the note is stored", async () => {
    const jane = await janeOwnedByMaria();
    const ended: unknown[] = [];
    const off = t.app.deps.events.on("inbound.ended", (event) => void ended.push(event));
    const sid = nextSid();
    const answer = await post(inboundPath(), { CallSid: sid, From: "+13125550182", To: FROM, Direction: "inbound" });
    expect(answer.status).toBe(200);
    const call = await t.app.deps.db.inboundCall.findFirstOrThrow();
    expect(await answer.text()).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="+13125550182" timeout="20" action="${PUBLIC}${inboundPath("/dial-done", call.id).replace(/&/g, "&amp;")}" method="POST"><Number url="${PUBLIC}${inboundPath("/whisper", call.id).replace(/&/g, "&amp;")}" method="POST">${MARIA_PHONE}</Number></Dial></Response>`,
    );
    const first = await eventually(
      () => lines().find((l) => String(l.text).includes("is calling back")),
      "line posted",
    );
    expect(first.text).toBe(`:calling: Jane Doe is calling back (+1 ••• ••• 0182) · ringing <@${MARIA}>`);
    expect(first.channel).toBe(CHANNEL);
    expect(JSON.stringify(first.blocks)).toContain(ids.call.liveAction);

    const whisper = await post(inboundPath("/whisper", call.id), { CallSid: nextSid(), ParentCallSid: sid });
    expect(await whisper.text()).toContain("<Say>Call from lead Jane Doe. Press 1 to answer.</Say>");
    const accept = await post(inboundPath("/accept", call.id), { CallSid: nextSid(), Digits: "1" });
    expect(await accept.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    await eventually(() => lines().find((l) => String(l.text).includes(`answered by <@${MARIA}>`)), "answered");
    const done = await post(inboundPath("/dial-done", call.id), {
      CallSid: sid,
      DialCallStatus: "completed",
      DialCallDuration: "182",
    });
    expect(await done.text()).toContain("<Hangup/>");
    await eventually(() => lines().find((l) => String(l.text).includes(`answered by <@${MARIA}>, 3m 2s`)), "completed");
    expect((await notesOf(jane.id)).at(-1)).toBe(
      `[Inbound Call] from +13125550182 - answered by @maria - 3m 2s - Call SID: ${sid}`,
    );
    // A repeated callback changes nothing.
    await post(inboundPath("/dial-done", call.id), {
      CallSid: sid,
      DialCallStatus: "completed",
      DialCallDuration: "182",
    });
    expect((await notesOf(jane.id)).filter((n) => n.startsWith("[Inbound Call]"))).toHaveLength(1);
    // Its end is told once, answered, for the queue, texts and CRM to subscribe to.
    await settled(t);
    off();
    expect(ended).toEqual([{ ws: call.workspaceId, inboundCallId: call.id, answered: true }]);
  });

  it("nobody answers: voicemail with Twilio's transcription; recording and text land in the thread once", async () => {
    const jane = await janeOwnedByMaria();
    const sid = nextSid();
    await post(inboundPath(), { CallSid: sid, From: "+13125550182", To: FROM });
    const call = await t.app.deps.db.inboundCall.findFirstOrThrow();
    await eventually(async () => (await t.app.deps.db.inboundCall.findFirstOrThrow()).slackTs, "line posted");
    const ended: unknown[] = [];
    const off = t.app.deps.events.on("inbound.ended", (event) => void ended.push(event));
    const done = await post(inboundPath("/dial-done", call.id), { CallSid: sid, DialCallStatus: "no-answer" });
    const twiml = await done.text();
    expect(twiml).toContain("<Record");
    expect(twiml).toContain('transcribe="true"');
    await eventually(() => lines().find((l) => String(l.text).endsWith("· missed")), "missed");
    const recordingSid = `RE${"b".repeat(32)}`;
    // The fake Twilio serves the recording's audio for the download.
    for (let i = 0; i < 2; i += 1) {
      expect(
        (
          await post(inboundPath("/recording", call.id), {
            CallSid: sid,
            RecordingSid: recordingSid,
            RecordingStatus: "completed",
            RecordingDuration: "24",
          })
        ).status,
      ).toBe(204);
    }
    await eventually(
      () => lines().find((l) => String(l.text).includes("voicemail left (24s)")),
      "voicemail on the line",
    );
    const uploads = await eventually(() => {
      const done2 = t.slack.callsTo("files.completeUploadExternal");
      const fallbacks = t.slack
        .callsTo("chat.postMessage")
        .filter((c) => String(c.args.text).includes("left a voicemail"));
      return done2.length + fallbacks.length > 0 ? [...done2, ...fallbacks] : undefined;
    }, "voicemail in the thread");
    expect(uploads).toHaveLength(1);
    for (let i = 0; i < 2; i += 1) {
      await post(inboundPath("/transcript", call.id), {
        CallSid: sid,
        TranscriptionText: "Hi, it's Jane, please call me back about the house.",
        TranscriptionStatus: "completed",
      });
    }
    const transcript = await eventually(() => {
      const posted = t.slack
        .callsTo("chat.postMessage")
        .filter((c) => String(c.args.text).includes("Voicemail transcript"));
      return posted.length > 0 ? posted : undefined;
    }, "transcript");
    await settled(t);
    expect(
      t.slack.callsTo("chat.postMessage").filter((c) => String(c.args.text).includes("Voicemail transcript")),
    ).toHaveLength(1);
    expect(transcript[0]!.args.thread_ts).toBe((await t.app.deps.db.inboundCall.findFirstOrThrow()).slackTs);
    expect((await notesOf(jane.id)).join("\n")).toContain("voicemail left (24s)");
    // It waits on Maria in App Home.
    const waiting = await t.app.deps.db.inboundCall.findFirstOrThrow();
    expect(waiting).toMatchObject({ status: "voicemail", ringAgentId: MARIA });
    off();
    expect(ended).toEqual([{ ws: call.workspaceId, inboundCallId: call.id, answered: false }]);
  });

  it("an unknown caller gets Add as lead; a do-not-call number may still call in", async () => {
    await post(inboundPath(), { CallSid: nextSid(), From: "+13125550999", To: FROM });
    const line = await eventually(() => lines().find((l) => String(l.text).includes("An unknown caller")), "line");
    expect(JSON.stringify(line.blocks)).toContain(ids.lead.addAction);
    expect(JSON.stringify(line.blocks)).toContain("+13125550999");
    // Add as lead opens the form with the caller's number and "Inbound call" as the source.
    const button = (line.blocks as { elements?: { action_id: string; value: string }[] }[])
      .flatMap((block) => block.elements ?? [])
      .find((element) => element.action_id === ids.lead.addAction)!;
    await t.interact(
      buttonClick({
        userId: MARIA,
        actionId: ids.lead.addAction,
        value: button.value,
        channel: CHANNEL,
        messageTs: String(line.ts ?? "1.1"),
        responseUrl: t.slack.responseUrl(),
      }),
    );
    const form = (await eventually(() => t.slack.callsTo("views.open").at(-1), "the Add lead form")).args.view as {
      blocks: { block_id?: string; element?: { initial_value?: string } }[];
    };
    const initial = (id: string) => form.blocks.find((block) => block.block_id === id)?.element?.initial_value;
    expect(initial("lead_phone")).toBe("+13125550999");
    expect(initial("lead_source")).toBe("Inbound call");
    const jane = await janeOwnedByMaria();
    await t.app.deps.dnc.add(t.ws, jane.phone!, "command", ADMIN);
    const res = await post(inboundPath(), { CallSid: nextSid(), From: jane.phone!, To: FROM });
    expect(await res.text()).toContain(`<Number url=`);
  });

  it("an unknown caller added as a lead: the line names the lead (no Add as lead), and an 11 s call counts as contact", async () => {
    const sid = nextSid();
    await post(inboundPath(), { CallSid: sid, From: "+13125550777", To: FROM });
    const call = await t.app.deps.db.inboundCall.findFirstOrThrow({ where: { twilioSid: sid } });
    const line = await eventually(() => lines().find((l) => String(l.text).includes("An unknown caller")), "line");
    const posted = await eventually(
      async () => (await t.app.deps.db.inboundCall.findUniqueOrThrow({ where: { id: call.id } })).slackTs,
      "the line's ts",
    );
    await post(inboundPath("/accept", call.id), { CallSid: nextSid(), Digits: "1" });
    await post(inboundPath("/dial-done", call.id), {
      CallSid: sid,
      DialCallStatus: "completed",
      DialCallDuration: "11",
    });
    await eventually(
      () => lines().find((l) => String(l.text).includes("0:11") || String(l.text).includes("11s")),
      "11 s",
    );
    const button = (line.blocks as { elements?: { action_id: string; value: string }[] }[])
      .flatMap((block) => block.elements ?? [])
      .find((element) => element.action_id === ids.lead.addAction)!;
    await t.interact(
      buttonClick({
        userId: MARIA,
        actionId: ids.lead.addAction,
        value: button.value,
        channel: CHANNEL,
        messageTs: String(line.ts ?? "1.1"),
        responseUrl: t.slack.responseUrl(),
      }),
    );
    const form = (await eventually(() => t.slack.callsTo("views.open").at(-1), "the Add lead form")).args
      .view as Record<string, unknown>;
    const initial = Object.fromEntries(
      (form.blocks as { block_id?: string; element?: { initial_value?: string } }[])
        .filter((block) => block.element?.initial_value)
        .map((block) => [block.block_id!, block.element!.initial_value!]),
    );
    const res = await t.interact(viewSubmission(form, MARIA, { ...initial, lead_name: "Carl Caller" }));
    expect(res.status).toBe(200);
    const carl = await eventually(
      async () => (await t.app.deps.leads.search(t.ws, "Carl Caller")).leads[0],
      "the new lead",
    );
    expect(carl.source).toBe("Inbound call");
    // The caller's line is redrawn: the lead's name and its buttons, no Add as lead.
    const redrawn = await eventually(
      () =>
        t.slack.callsTo("chat.update").find((c) => c.args.ts === posted && String(c.args.text).includes("Carl Caller")),
      "the line redrawn with the lead",
    );
    expect(JSON.stringify(redrawn.args.blocks)).not.toContain(ids.lead.addAction);
    expect(JSON.stringify(redrawn.args.blocks)).toContain(`lead #${carl.id}`);
    // The 11 s call was contact: the lead's card does not say "not contacted yet", and History has the call.
    const card = await eventually(
      () =>
        t.slack
          .callsTo("chat.postMessage")
          .find(
            (c) => String(c.args.text).startsWith("New lead") && JSON.stringify(c.args.blocks).includes("Carl Caller"),
          ),
      "the new lead's card",
    );
    expect(JSON.stringify(card.args.blocks)).not.toContain("not contacted yet");
    expect((await t.app.deps.db.lead.findUniqueOrThrow({ where: { id: carl.id } })).lastContactedAt).not.toBeNull();
    expect((await notesOf(carl.id)).join("\n")).toContain(
      `[Inbound Call] from +13125550777 - answered, 11s, before the lead was added - Call SID: ${sid}`,
    );
    expect((await t.app.deps.db.inboundCall.findUniqueOrThrow({ where: { id: call.id } })).leadId).toBe(carl.id);
  });

  it("a forged or unsigned inbound request gets 403 and changes nothing", async () => {
    const unsigned = await t.post(
      inboundPath(),
      new URLSearchParams({ CallSid: nextSid(), From: "+13125550182", To: FROM }).toString(),
      { "content-type": "application/x-www-form-urlencoded" },
    );
    expect(unsigned.status).toBe(403);
    const wrongToken = await t.signedTwilio(
      inboundPath(),
      { CallSid: nextSid(), From: "+13125550182", To: FROM },
      "f".repeat(32),
    );
    expect(wrongToken.status).toBe(403);
    const otherWorkspace = await t.signedTwilio(
      `/twilio/voice/inbound?ws=${t.ws + 1000}`,
      { CallSid: nextSid(), From: "+13125550182", To: FROM },
      account.token,
    );
    expect(otherWorkspace.status).toBe(403);
    expect(await t.app.deps.db.inboundCall.count()).toBe(0);
  });

  it("/twilio-setup inbound points the number's Voice URL at Leadline through Twilio's API; status says so", async () => {
    const before = (await (await t.command("/twilio-setup", "status", ADMIN)).json()) as { text: string };
    expect(before.text).toContain("Calls to the team's number do not reach Leadline");
    await t.command("/twilio-setup", "inbound", ADMIN);
    const told = await eventually(
      () => t.slack.responses.find((r) => String(r.body.text).includes("now reach Leadline")),
      "told",
    );
    expect(told.body.text).toContain("+1 500 555 0006");
    const update = t.twilio.requests.find((r) => r.method === "POST" && r.path.includes("/IncomingPhoneNumbers/PN"));
    expect(update?.params.get("VoiceUrl")).toBe(`${PUBLIC}/twilio/voice/inbound?ws=${t.ws}`);
    const after = (await (await t.command("/twilio-setup", "status", ADMIN)).json()) as { text: string };
    expect(after.text).toContain("Calls to the team's number reach Leadline");
    // Not for agents.
    await t.command("/twilio-setup", "inbound", MARIA);
    await eventually(
      () => t.slack.responses.find((r) => String(r.body.text).includes("Only Leadline admins")),
      "refused",
    );
  });

  it("inbound calls count in /call-stats", async () => {
    await janeOwnedByMaria();
    const sid = nextSid();
    await post(inboundPath(), { CallSid: sid, From: "+13125550182", To: FROM });
    const call = await t.app.deps.db.inboundCall.findFirstOrThrow();
    await post(inboundPath("/dial-done", call.id), { CallSid: sid, DialCallStatus: "no-answer" });
    const stats = (await (await t.command("/call-stats", "today", ADMIN)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(stats.blocks)).toContain("Inbound · 0 answered · 1 missed");
  });
});
