import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import {
  CHANNEL,
  eventually,
  holdWriteLock,
  settled,
  startTestApp,
  type TestApp,
  withConsent,
} from "../helpers/app.js";
import { forCall, reference, sequence } from "../helpers/callbacks.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";
import { twilioSignature } from "../helpers/signing.js";

const PUBLIC = "https://leadline.example.com";
const AGENT = "U0MARIA01";
const FROM = "+15005550006";
const CARD_TS = "1760000000.000100";

let t: TestApp;
let account: FakeAccount;

beforeAll(async () => {
  t = await startTestApp({ env: { PUBLIC_BASE_URL: PUBLIC }, priceDelaysMs: [50, 100, 200] });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  t.twilio.requests.length = 0;
  t.slack.calls.length = 0;
  t.slack.responses.length = 0;
  await t.app.deps.db.call.deleteMany();
  await t.app.deps.db.lead.deleteMany();
  await t.app.deps.db.dncEntry.deleteMany();
  account = t.twilio.addAccount({ numbers: [FROM] });
  await t.app.deps.settings.save(
    t.ws,
    {
      accountSid: account.sid,
      authToken: account.token,
      phoneNumber: FROM,
      agentPhone: "+12125550199",
      recording: "off",
    },
    "U0ADMIN01",
  );
});

async function placeCall(mode: "message" | "bridge" = "message") {
  const lead = await withConsent(
    t.app,
    t.ws,
    await t.app.deps.leads.create(t.ws, { name: "Jane Doe", phone: "+12125550182", author: "seed" }),
  );
  await t.interact(
    buttonClick({
      userId: AGENT,
      actionId: mode === "message" ? ids.call.messageAction : ids.call.bridgeAction,
      value: String(lead.id),
      channel: CHANNEL,
      messageTs: CARD_TS,
      responseUrl: t.slack.responseUrl(),
    }),
  );
  const call = await eventually(async () => {
    const row = await t.app.deps.db.call.findFirst({ where: { leadId: lead.id } });
    return row?.twilioSid && row.slackTs ? row : undefined;
  }, "placed call");
  return {
    lead,
    call,
    ref: { sid: call.twilioSid!, accountSid: account.sid, to: call.toNumber, from: call.fromNumber },
  };
}

const status = (params: Record<string, string>, token = account.token) =>
  t.signedTwilio("/twilio/status", params, token);
const lastUpdate = () => String(t.slack.callsTo("chat.update").at(-1)?.args.text ?? "");
const notes = async (leadId: number) =>
  (await t.app.deps.db.note.findMany({ where: { leadId }, orderBy: { id: "asc" } })).map((n) => n.body);

describe("status callbacks", () => {
  it("wait their turn when another instance holds the database, and are applied once", async () => {
    const { call, ref } = await placeCall();
    // Another instance (a separate process) holds the write lock for 400 ms.
    await holdWriteLock(t, 400);
    const started = Date.now();
    const answer = await status(forCall(reference.initiated, ref, { CallStatus: "ringing", SequenceNumber: "1" }));
    expect(answer.status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect((await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).status).toBe("ringing");
    expect(await t.app.deps.db.callEvent.count({ where: { callId: call.id } })).toBe(1);
    await eventually(() => lastUpdate().endsWith("· ringing"), "the line to say ringing");
  });

  it("drive the channel line and the outcome note through a real answered sequence, then fetch the price", async () => {
    const { lead, call, ref } = await placeCall();
    const steps = sequence(ref, "completed");
    const seen: string[] = [];
    for (const step of steps) {
      expect((await status(step)).status).toBe(204);
      await eventually(() => t.slack.callsTo("chat.update").length > seen.length, `update after ${step.CallStatus}`);
      seen.push(lastUpdate());
    }
    expect(seen[0]).toMatch(/· initiated$/);
    expect(seen[1]).toMatch(/· ringing$/);
    expect(seen[2]).toMatch(/· in progress \(answered by a person\)$/);
    expect(seen[3]).toMatch(/· completed \(49s, answered by a person\)$/);
    expect(t.slack.callsTo("chat.update").at(-1)!.args.ts).toBe(call.slackTs);
    expect((await notes(lead.id)).at(-1)).toBe(`[Call Completed] 49s, answered by human - Call SID: ${call.twilioSid}`);
    expect(await t.app.deps.db.callEvent.count({ where: { callId: call.id } })).toBe(4);
    const done = await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } });
    expect(done).toMatchObject({
      status: "completed",
      durationSec: 49,
      answeredBy: "human",
      activeLeadId: null,
      lastSequence: 3,
    });

    // Twilio fills in the price a little after the call ends.
    t.twilio.calls.get(call.twilioSid!)!.price = "-0.01300";
    const priced = await eventually(
      async () => (await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).price,
      "price",
    );
    // Stored as a number (Twilio sends text).
    expect(Number(priced)).toBe(-0.013);
  });

  it.each([
    ["busy", "busy", "[Call Busy] The line was busy (SIP 486)"],
    ["no-answer", "no answer", "[Call No Answer] Nobody answered"],
    ["failed", "failed", "[Call Failed] Twilio could not connect the call (SIP 404)"],
  ] as const)("%s ends the call with its own line and note", async (ending, label, note) => {
    const { lead, call, ref } = await placeCall();
    for (const step of sequence(ref, ending)) await status(step);
    await eventually(() => lastUpdate().endsWith(`· ${label}`), `final line ${label}`);
    expect((await notes(lead.id)).at(-1)).toBe(`${note} - Call SID: ${call.twilioSid}`);
    expect((await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).activeLeadId).toBeNull();
  });

  it("a machine that answers gets the voicemail; the line and the note say so", async () => {
    const { lead, call, ref } = await placeCall();
    const params = t.twilio.creates().at(-1)!.params;
    expect(params.get("MachineDetection")).toBe("DetectMessageEnd");
    expect(params.get("AsyncAmd")).toBe("true");
    expect(params.get("AsyncAmdStatusCallback")).toBe(`${PUBLIC}/twilio/amd?call=${call.id}&ws=${t.ws}`);
    await status(forCall(reference.initiated, ref, { CallStatus: "in-progress", SequenceNumber: "2" }));
    const amd = await t.signedTwilio(
      "/twilio/amd",
      {
        CallSid: call.twilioSid!,
        AccountSid: account.sid,
        AnsweredBy: "machine_end_beep",
        MachineDetectionDuration: "4200",
      },
      account.token,
    );
    expect(amd.status).toBe(204);
    const update = t.twilio.requests.find(
      (r) => r.method === "POST" && r.path.endsWith(`/Calls/${call.twilioSid}.json`),
    )!;
    expect(update.params.get("Twiml")).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello, this is a call from your real estate agent. Sorry we missed you. Please call us back at +1 500 555 0006. Thank you.</Say><Hangup/></Response>',
    );
    await eventually(() => lastUpdate().includes("answered by a machine, left a voicemail"), "voicemail line");
    await status(forCall(reference.completedHuman, ref, { AnsweredBy: "machine_end_beep", CallDuration: "31" }));
    await eventually(async () => (await notes(lead.id)).at(-1)?.startsWith("[Call Completed]"), "outcome note");
    expect((await notes(lead.id)).at(-1)).toBe(
      `[Call Completed] 31s, answered by machine, left a voicemail - Call SID: ${call.twilioSid}`,
    );
  });

  it.each([
    [
      "a tampered parameter",
      (p: Record<string, string>) => ({
        body: { ...p, CallDuration: "999" },
        headers: { "x-twilio-signature": twilioSignature(account.token, `${PUBLIC}/twilio/status`, p) },
      }),
    ],
    [
      "a wrong token",
      (p: Record<string, string>) => ({
        body: p,
        headers: { "x-twilio-signature": twilioSignature("f".repeat(32), `${PUBLIC}/twilio/status`, p) },
      }),
    ],
    ["no signature", (p: Record<string, string>) => ({ body: p, headers: {} })],
    [
      "a spoofed Host / X-Forwarded-Host",
      (p: Record<string, string>) => ({
        body: p,
        headers: {
          host: "evil.example",
          "x-forwarded-host": "evil.example",
          "x-forwarded-proto": "https",
          "x-twilio-signature": twilioSignature(account.token, "https://evil.example/twilio/status", p),
        },
      }),
    ],
  ])("refuses %s with 403 and changes nothing", async (_name, forge) => {
    const { call, ref } = await placeCall();
    const events = await t.app.deps.db.callEvent.count();
    const { body, headers } = forge(forCall(reference.completedHuman, ref));
    const res = await t.post("/twilio/status", new URLSearchParams(body).toString(), {
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    });
    expect(res.status).toBe(403);
    expect(await t.app.deps.db.callEvent.count()).toBe(events);
    expect((await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).status).toBe("queued");
  });

  it("1,000 callbacks for one call, shuffled and duplicated, end in the same state as in order", async () => {
    const { lead, call, ref } = await placeCall();
    const steps = sequence(ref, "completed");
    const storm = Array.from({ length: 1000 }, (_, i) => steps[i % steps.length]!);
    for (let i = storm.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [storm[i], storm[j]] = [storm[j]!, storm[i]!];
    }
    for (let i = 0; i < storm.length; i += 25) {
      const results = await Promise.all(storm.slice(i, i + 25).map((step) => status(step)));
      expect(results.every((r) => r.status === 204)).toBe(true);
    }
    const done = await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } });
    expect(done).toMatchObject({ status: "completed", durationSec: 49, answeredBy: "human", activeLeadId: null });
    expect(await t.app.deps.db.callEvent.count({ where: { callId: call.id } })).toBe(1000);
    const outcome = (await notes(lead.id)).filter((n) => n.startsWith("[Call Completed]"));
    expect(outcome).toEqual([`[Call Completed] 49s, answered by human - Call SID: ${call.twilioSid}`]);
    await eventually(() => lastUpdate().endsWith("completed (49s, answered by a person)"), "final line");
    expect(t.slack.callsTo("chat.update").length).toBeLessThanOrEqual(4);
  }, 60_000);
});

describe("key-press menu", () => {
  it("simple calls end with a 1/9 menu posting back to Leadline", async () => {
    const { call } = await placeCall();
    expect(t.twilio.creates().at(-1)!.params.get("Twiml")).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello, this is a call from your real estate agent. They will be with you shortly.</Say><Pause length="2"/><Gather numDigits="1" action="${PUBLIC}/twilio/voice/menu?call=${call.id}&amp;ws=${t.ws}" method="POST" timeout="6"><Say>Please hold.</Say><Say>Press 1 to speak with your agent now. Press 9 if you do not want any more calls.</Say></Gather><Say>Thank you for your time. Goodbye.</Say></Response>`,
    );
  });

  it("1 connects the lead to the agent's phone", async () => {
    const { call } = await placeCall();
    const res = await t.signedTwilio(
      `/twilio/voice/menu?call=${call.id}`,
      { CallSid: call.twilioSid!, AccountSid: account.sid, Digits: "1" },
      account.token,
    );
    expect(await res.text()).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say>Connecting you to your agent now.</Say><Dial callerId="${FROM}" timeout="30"><Number>+12125550199</Number></Dial></Response>`,
    );
  });

  it("9 marks the lead do-not-call, tells the channel, and blocks the next call", async () => {
    const { lead, call } = await placeCall();
    const unsigned = await t.post(
      `/twilio/voice/menu?call=${call.id}`,
      new URLSearchParams({ CallSid: call.twilioSid!, Digits: "9" }).toString(),
      { "content-type": "application/x-www-form-urlencoded" },
    );
    expect(unsigned.status).toBe(403);
    const res = await t.signedTwilio(
      `/twilio/voice/menu?call=${call.id}`,
      { CallSid: call.twilioSid!, AccountSid: account.sid, Digits: "9" },
      account.token,
    );
    expect(await res.text()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thank you. You will not receive any more calls from us. Goodbye.</Say><Hangup/></Response>',
    );
    expect((await t.app.deps.dnc.check(t.ws, lead.phone!)).entry?.source).toBe("keypress");
    expect((await t.app.deps.consents.list(t.ws, lead.id)).every((consent) => consent.revokedAt)).toBe(true);
    expect((await notes(lead.id)).at(-1)).toBe(
      `[Opt-out] Lead pressed 9: added to the do-not-call list - Call SID: ${call.twilioSid}`,
    );
    await eventually(() => lastUpdate().includes("pressed 9 → now on the do-not-call list"), "channel told");
    await status(
      forCall(reference.completedHuman, {
        sid: call.twilioSid!,
        accountSid: account.sid,
        to: call.toNumber,
        from: call.fromNumber,
      }),
    );
    // The final edit keeps what was learned during the call.
    await eventually(
      () => /called .* · completed \(.*pressed 9 → now on the do-not-call list/.test(lastUpdate()),
      "final line with the opt-out",
    );
    const creates = t.twilio.creates().length;
    await t.interact(
      buttonClick({
        userId: AGENT,
        actionId: ids.call.messageAction,
        value: String(lead.id),
        channel: CHANNEL,
        messageTs: CARD_TS,
        responseUrl: t.slack.responseUrl(),
      }),
    );
    await eventually(
      () =>
        t.slack.responses.some((r) =>
          String(r.body.text).includes("+1 212 555 0182 is on the team's do-not-call list."),
        ),
      "refusal",
    );
    expect(t.twilio.creates().length).toBe(creates);
  });
});

describe("recording", () => {
  beforeEach(async () => {
    await t.app.deps.settings.save(t.ws, { recording: "on" }, "U0ADMIN01");
  });

  it("discloses, records, and uploads the recording into the call's thread exactly once", async () => {
    const { call } = await placeCall("bridge");
    const params = t.twilio.creates().at(-1)!.params;
    expect(params.get("Twiml")).toMatch(/^<\?xml[^>]*><Response><Say>This call may be recorded\.<\/Say><Say>Hello/);
    expect(params.get("Record")).toBe("true");
    expect(params.get("RecordingStatusCallback")).toBe(`${PUBLIC}/twilio/recording?call=${call.id}&ws=${t.ws}`);
    const recordingSid = `RE${"a1".repeat(16)}`;
    const body = {
      AccountSid: account.sid,
      CallSid: call.twilioSid!,
      RecordingSid: recordingSid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${account.sid}/Recordings/${recordingSid}`,
      RecordingStatus: "completed",
      RecordingDuration: "42",
    };
    const results = await Promise.all([1, 2, 3].map(() => t.signedTwilio("/twilio/recording", body, account.token)));
    expect(results.map((r) => r.status)).toEqual([204, 204, 204]);
    const complete = await eventually(() => t.slack.callsTo("files.completeUploadExternal").at(-1), "upload");
    await settled(t);
    expect(t.slack.callsTo("files.completeUploadExternal")).toHaveLength(1);
    expect(complete.args.channel_id).toBe(CHANNEL);
    expect(complete.args.thread_ts).toBe(call.slackTs);
    expect(t.slack.responses.filter((r) => r.path.startsWith("/upload/"))).toHaveLength(1);
    const downloads = t.twilio.requests.filter((r) => r.path.endsWith(`${recordingSid}.mp3`));
    expect(downloads).toHaveLength(1);
  });

  it("when the upload fails, posts a signed, expiring Leadline link instead of Twilio's URL", async () => {
    const { call } = await placeCall();
    t.slack.failNext.set("files.getUploadURLExternal", "not_allowed_token_type");
    const recordingSid = `RE${"b2".repeat(16)}`;
    await t.signedTwilio(
      "/twilio/recording",
      {
        AccountSid: account.sid,
        CallSid: call.twilioSid!,
        RecordingSid: recordingSid,
        RecordingUrl: "https://api.twilio.com/x",
        RecordingStatus: "completed",
      },
      account.token,
    );
    const post = await eventually(
      () => t.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes("Recording of call")),
      "link post",
    );
    const url = /<(https:[^|]+)\|listen>/.exec(String(post.args.text))![1]!;
    expect(url.startsWith(`${PUBLIC}/recordings/${call.id}?exp=`)).toBe(true);
    expect(String(post.args.text)).not.toContain("api.twilio.com");
    const local = url.replace(PUBLIC, t.url);
    const audio = await fetch(local);
    expect(audio.status).toBe(200);
    expect(await audio.text()).toContain(recordingSid);
    expect((await fetch(local.replace(/sig=[^&]+/, "sig=forged-signature"))).status).toBe(403);
    expect((await fetch(local.replace(/exp=\d+/, "exp=9999999999"))).status).toBe(403);
  });
});
