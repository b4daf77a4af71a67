import type { Call } from "@prisma/client";
import { type SummaryFake, startSummaryFake } from "../../sandbox/summary/simulator.js";
import { ids } from "../../src/lib/ids.js";
import { CALLING_TIME, CHANNEL, eventually, settled, startTestApp, type TestApp, withConsent } from "./app.js";
import { sequence } from "./callbacks.js";
import type { FakeAccount } from "./fake-twilio.js";
import { buttonClick } from "./payloads.js";

// A test app whose calls are recorded, transcribed by the simulated Voice Intelligence and summarised by
// the fake chat-completions server (sandbox/summary). The transcript tick is the test's: it advances the
// app's clock past the poll wait and calls tick(), then waits for the summary tasks with settled().

export const PUBLIC = "https://leadline.example.com";
export const ADMIN = "U0ADMIN01";
export const AGENT = "U0MARIA01";
export const FROM = "+15005550006";
export const AGENT_PHONE = "+12125550199";
const CARD_TS = "1760000000.000100";
const NEVER = "0 0 0 1 1 *";

/** Lead numbers whose last four digits pick the simulator's scripted conversation (sandbox/twilio/intelligence.ts). */
export const SCRIPT = {
  buyer: "+12125550110",
  seller: "+12125550111",
  wrongNumber: "+12125550112",
  doNotCall: "+12125550113",
  hostile: "+12125550114",
  long: "+12125550115",
  fails: "+12125550116",
} as const;

export interface TranscriptRig {
  t: TestApp;
  fake: SummaryFake;
  account: FakeAccount;
  /** Moves the app's real-time clock (leases, polls, retention) ahead. */
  advance(ms: number): void;
  /** Back to the wall clock (Slack's signatures are checked against it). */
  resetClock(): void;
}

export async function startTranscriptRig(env: Record<string, string> = {}): Promise<TranscriptRig> {
  let offset = 0;
  const fake = await startSummaryFake({ now: () => CALLING_TIME, injection: "obey" });
  const t = await startTestApp({
    env: {
      PUBLIC_BASE_URL: PUBLIC,
      SUMMARY_API_URL: fake.baseURL,
      SUMMARY_API_KEY: fake.apiKey,
      SUMMARY_MODEL: "gpt-4o-mini",
      SUMMARY_TIMEOUT_SECONDS: "1",
      ...env,
    },
    clock: () => new Date(Date.now() + offset),
    transcriptEvery: NEVER,
    scheduleEvery: NEVER,
  });
  // A transcript is done when Leadline first asks about it.
  t.twilio.sim.intelligence.readyAfterMs = 0;
  t.slack.users.set(ADMIN, { id: ADMIN, name: "ada", is_admin: true });
  t.slack.users.set(AGENT, { id: AGENT, name: "maria", tz: "America/New_York" });
  const account = t.twilio.addAccount({ numbers: [FROM] });
  return {
    t,
    fake,
    account,
    advance: (ms) => {
      offset += ms;
    },
    resetClock: () => {
      offset = 0;
    },
  };
}

export async function stopTranscriptRig(rig: TranscriptRig): Promise<void> {
  await rig.t.stop();
  await rig.fake.close();
}

/** Between tests: empty tables and fakes; recording on; transcripts and summaries as `mode` says. */
export async function resetRig(rig: TranscriptRig, mode: "on" | "transcripts-only" | "off" = "on"): Promise<void> {
  const { t, fake } = rig;
  rig.resetClock();
  await settled(t);
  t.twilio.requests.length = 0;
  t.slack.calls.length = 0;
  t.slack.responses.length = 0;
  fake.requests.length = 0;
  fake.always(undefined);
  await fake.reachable();
  const db = t.app.deps.db;
  await db.scheduledCall.deleteMany();
  await db.call.deleteMany();
  await db.note.deleteMany();
  await db.consent.deleteMany();
  await db.lead.deleteMany();
  await db.dncEntry.deleteMany();
  await t.app.deps.settings.save(
    t.ws,
    {
      accountSid: rig.account.sid,
      authToken: rig.account.token,
      phoneNumber: FROM,
      agentPhone: AGENT_PHONE,
      recording: "on",
    },
    ADMIN,
  );
  await summaries(rig, mode);
  await summaries(rig, "retention 90");
  t.slack.responses.length = 0;
}

/** `/twilio-setup summaries <verb>` as the admin: the answer's text. */
export async function summaries(rig: TranscriptRig, verb: string, user = ADMIN): Promise<string> {
  const { t } = rig;
  const before = t.slack.responses.length;
  const ack = await t.command("/twilio-setup", `summaries ${verb}`.trim(), user);
  if (ack.status !== 200) throw new Error(`/twilio-setup summaries ${verb} answered ${ack.status}`);
  const ackText = await ack.text();
  if (ackText.includes('"text"')) return String(JSON.parse(ackText).text);
  const answer = await eventually(() => t.slack.responses.slice(before).at(-1), `the answer to summaries ${verb}`);
  return String(answer.body.text);
}

/** A voice bridge to a consenting lead, answered and completed; recording on unless the workspace has it off. */
export async function finishedCall(rig: TranscriptRig, phone: string, name = "Jane Doe"): Promise<Call> {
  const { t, account } = rig;
  const lead = await withConsent(t.app, t.ws, await t.app.deps.leads.create(t.ws, { name, phone, author: "seed" }));
  await t.interact(
    buttonClick({
      userId: AGENT,
      actionId: ids.call.bridgeAction,
      value: String(lead.id),
      channel: CHANNEL,
      messageTs: CARD_TS,
      responseUrl: t.slack.responseUrl(),
    }),
  );
  const placed = await eventually(async () => {
    const row = await t.app.deps.db.call.findFirst({ where: { leadId: lead.id } });
    return row?.twilioSid && row.slackTs ? row : undefined;
  }, "the placed call");
  const ref = { sid: placed.twilioSid!, accountSid: account.sid, to: placed.toNumber, from: placed.fromNumber };
  for (const step of sequence(ref, "completed")) {
    const answer = await t.signedTwilio("/twilio/status", step, account.token);
    if (answer.status !== 204) throw new Error(`status callback answered ${answer.status}`);
  }
  await eventually(
    async () => (await t.app.deps.db.call.findUnique({ where: { id: placed.id } }))?.status === "completed",
    "the call to complete",
  );
  return t.app.deps.db.call.findUniqueOrThrow({ where: { id: placed.id } });
}

/** Twilio's recording callback for a finished call (the recording registered with the simulator first). */
export async function recordingArrives(rig: TranscriptRig, call: Call): Promise<string> {
  const { t, account } = rig;
  const recordingSid = `RE${call.twilioSid!.slice(2)}`;
  t.twilio.sim.addRecording({
    sid: recordingSid,
    accountSid: account.sid,
    callSid: call.twilioSid!,
    leadNumber: call.toNumber,
    channels: 2,
    leadChannel: 1,
    durationSec: 49,
  });
  const answer = await t.signedTwilio(
    "/twilio/recording",
    {
      AccountSid: account.sid,
      CallSid: call.twilioSid!,
      RecordingSid: recordingSid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${account.sid}/Recordings/${recordingSid}`,
      RecordingStatus: "completed",
      RecordingDuration: "49",
      RecordingChannels: "2",
    },
    account.token,
  );
  if (answer.status !== 204) throw new Error(`recording callback answered ${answer.status}`);
  await settled(t);
  return recordingSid;
}

/** The next tick after the poll wait: the transcript read and posted, its summary asked for (and waited on). */
export async function tickAfter(rig: TranscriptRig, ms = 16_000): Promise<void> {
  rig.advance(ms);
  await rig.t.app.deps.transcripts.tick();
  await settled(rig.t);
}

/** A recorded call taken all the way: placed, completed, recorded, transcribed, summarised. */
export async function transcribedCall(rig: TranscriptRig, phone: string, name?: string): Promise<Call> {
  const call = await finishedCall(rig, phone, name);
  await recordingArrives(rig, call);
  await tickAfter(rig);
  return call;
}

/** The transcript file uploaded for the call (Slack's copy): its text. */
export function transcriptFile(rig: TranscriptRig, call: Call): string | undefined {
  const name = `transcript-${call.twilioSid}.txt`;
  const file = [...rig.t.slack.sim.workspace.files.values()].find((f) => f.name === name && f.bytes.length > 0);
  return file?.bytes.toString("utf8");
}

/** Whether that file was shared into the call's thread. */
export function sharedInThread(rig: TranscriptRig, call: Call): boolean {
  const ids = new Set(
    [...rig.t.slack.sim.workspace.files.entries()]
      .filter(([, f]) => f.name === `transcript-${call.twilioSid}.txt`)
      .map(([id]) => id),
  );
  return rig.t.slack
    .callsTo("files.completeUploadExternal")
    .some((c) => c.args.thread_ts === call.slackTs && [...ids].some((id) => JSON.stringify(c.args).includes(id)));
}

interface Button {
  action_id: string;
  value: string;
  text: { text: string };
  confirm?: unknown;
  style?: string;
}

/** The summary card posted in the call's thread, with its buttons. */
export function summaryCard(rig: TranscriptRig, call: Call) {
  const post = rig.t.slack
    .callsTo("chat.postMessage")
    .find((c) => c.args.thread_ts === call.slackTs && String(c.args.text).startsWith("Call summary"));
  if (!post) return undefined;
  const blocks = JSON.parse(typeof post.args.blocks === "string" ? post.args.blocks : JSON.stringify(post.args.blocks));
  const buttons = (blocks as { type: string; elements?: Button[] }[])
    .filter((block) => block.type === "actions")
    .flatMap((block) => block.elements ?? []);
  return { text: String(post.args.text), blocks: JSON.stringify(blocks), buttons };
}

/** What the thread says besides the card (the "summary unavailable" line, the failure line). */
export const threadTexts = (rig: TranscriptRig, call: Call) =>
  rig.t.slack
    .callsTo("chat.postMessage")
    .filter((c) => c.args.thread_ts === call.slackTs)
    .map((c) => String(c.args.text));

/** Taps a card's button as `user` did (after Slack's confirm, for the do-not-call button). */
export async function tap(rig: TranscriptRig, call: Call, button: Button, user = AGENT): Promise<void> {
  const { t } = rig;
  await t.interact(
    buttonClick({
      userId: user,
      actionId: button.action_id,
      value: button.value,
      channel: CHANNEL,
      messageTs: "1760000999.000200",
      threadTs: call.slackTs!,
      responseUrl: t.slack.responseUrl(),
    }),
  );
  await settled(t);
}

/** Requests Leadline made of Voice Intelligence (intelligence.twilio.com/v2). */
export const intelligenceRequests = (rig: TranscriptRig) =>
  rig.t.twilio.requests.filter((r) => r.path.startsWith("/v2/Services") || r.path.startsWith("/v2/Transcripts"));
