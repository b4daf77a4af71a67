import type { SimContext } from "./context.js";
import { addRecording } from "./intelligence.js";
import type { SimCall } from "./model.js";
import { randomSid, rfc2822, sidFrom } from "./rest-kit.js";
import type { TwimlNode } from "./twiml-reader.js";
import { callParams } from "./webhooks.js";

/**
 * Recordings: of a whole call (Calls create Record=true), of a <Dial record>, and of a <Record>
 * verb (with its transcription); their signed callbacks, and the audio the REST API serves.
 * https://www.twilio.com/docs/voice/api/recording, https://www.twilio.com/docs/voice/twiml/record
 */

/** The caller's message when the simulation is not told what they say. */
export const DEFAULT_VOICEMAIL = "Hi, I am returning your call about the house. Please call me back when you can.";

const recordingUrl = (ctx: SimContext, accountSid: string, recordingSid: string) =>
  `${ctx.baseUrl}/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}`;

/** A call created with Record=true: its recording's callback once it completes. */
export async function callRecordingCallback(ctx: SimContext, call: SimCall): Promise<void> {
  const url = call.params.get("RecordingStatusCallback");
  if (call.params.get("Record") !== "true" || !url) return;
  const recordingSid = sidFrom("RE", call.sid);
  const channels = call.params.get("RecordingChannels") === "dual" ? 2 : 1;
  // The call Twilio placed is the lead's (message call, voice bridge): on the first channel.
  addRecording(ctx, {
    sid: recordingSid,
    accountSid: call.accountSid,
    callSid: call.sid,
    leadNumber: call.to,
    channels,
    leadChannel: 1,
    durationSec: call.duration ?? 0,
  });
  ctx.note(call, "recording completed");
  await ctx
    .webhook(ctx.account(call), url, {
      AccountSid: call.accountSid,
      CallSid: call.sid,
      RecordingSid: recordingSid,
      RecordingUrl: recordingUrl(ctx, call.accountSid, recordingSid),
      RecordingStatus: "completed",
      RecordingDuration: String(call.duration ?? 0),
      RecordingChannels: String(channels),
      RecordingSource: "OutboundAPI",
      RecordingStartTime: rfc2822(new Date(call.answeredAt ?? Date.now())),
    })
    .catch((error: unknown) => ctx.log.warn({ err: error }, "recording callback was not accepted"));
}

/** A <Dial record> recording belongs to the parent call: its callback names the parent's SID. */
export async function dialRecordingCallback(
  ctx: SimContext,
  call: SimCall,
  url: string,
  legSid: string,
  duration: number,
): Promise<void> {
  const recordingSid = sidFrom("RE", legSid);
  // Dual-channel: the parent call (the agent's leg) on the first channel, the dialled lead on the second.
  addRecording(ctx, {
    sid: recordingSid,
    accountSid: call.accountSid,
    callSid: call.sid,
    leadNumber: ctx.calls.get(legSid)?.to ?? call.to,
    channels: 2,
    leadChannel: 2,
    durationSec: duration,
  });
  ctx.note(call, "recording completed");
  await ctx
    .webhook(ctx.account(call), url, {
      AccountSid: call.accountSid,
      CallSid: call.sid,
      RecordingSid: recordingSid,
      RecordingUrl: recordingUrl(ctx, call.accountSid, recordingSid),
      RecordingStatus: "completed",
      RecordingDuration: String(duration),
      RecordingChannels: "2",
      RecordingSource: "DialVerb",
    })
    .catch((error: unknown) => ctx.log.warn({ err: error }, "recording callback was not accepted"));
}

interface Recorded {
  sid: string;
  url: string;
  seconds: number;
  startedAt: Date;
  text: string;
}

/**
 * A <Record>: the beep, the caller speaking, then the silence that ends the recording. The action
 * is asked for what comes next at once; the recording and its transcription are ready a little
 * later, and their callbacks follow, as on Twilio. Undefined when the call's TwiML was replaced or
 * the Record has no action; "" when the action failed.
 */
export async function recordVerb(
  ctx: SimContext,
  call: SimCall,
  verb: TwimlNode,
  generation: number,
): Promise<string | undefined> {
  const text = call.says?.trim() || DEFAULT_VOICEMAIL;
  const maxLength = Number(verb.attrs.maxLength ?? 3600);
  // About two and a half words a second, as people leave messages.
  const seconds = Math.min(maxLength, Math.max(2, Math.round(text.split(/\s+/).length / 2.5)));
  if (verb.attrs.playBeep !== "false") ctx.note(call, "beep: recording");
  ctx.note(call, `the caller speaks for ${seconds}s: "${text}"`);
  const startedAt = new Date();
  if (!(await ctx.wait(call, seconds * 1_000, generation))) return undefined;
  // Silence for `timeout` seconds ends the recording (trimmed from the audio, Twilio's default).
  const silence = Number(verb.attrs.timeout ?? 5);
  if (silence > 0 && !(await ctx.wait(call, silence * 1_000, generation))) return undefined;
  const sid = randomSid("RE");
  const recording: Recorded = { sid, url: recordingUrl(ctx, call.accountSid, sid), seconds, startedAt, text };
  ctx.note(call, `recorded ${seconds}s (${sid})`);
  void afterRecording(ctx, call, verb, recording).catch((error: unknown) =>
    ctx.log.warn({ err: error }, "recording callbacks failed"),
  );
  const action = verb.attrs.action;
  if (!action) return undefined;
  return ctx
    .webhook(ctx.account(call), action, {
      ...callParams(call),
      RecordingSid: recording.sid,
      RecordingUrl: recording.url,
      RecordingDuration: String(seconds),
    })
    .catch((error: unknown) => {
      ctx.log.warn({ err: error }, "record action failed");
      return "";
    });
}

/** A <Record>'s recording status callback once the audio is stored, then its transcription's callback. */
async function afterRecording(ctx: SimContext, call: SimCall, verb: TwimlNode, recording: Recorded): Promise<void> {
  const account = ctx.account(call);
  const events = (verb.attrs.recordingStatusCallbackEvent ?? "completed").split(/[\s,]+/);
  if (!(await ctx.later(1_000))) return;
  ctx.note(call, "recording completed");
  if (verb.attrs.recordingStatusCallback && events.includes("completed")) {
    await ctx
      .webhook(account, verb.attrs.recordingStatusCallback, {
        AccountSid: call.accountSid,
        CallSid: call.sid,
        RecordingSid: recording.sid,
        RecordingUrl: recording.url,
        RecordingStatus: "completed",
        RecordingDuration: String(recording.seconds),
        RecordingChannels: "1",
        RecordingSource: "RecordVerb",
        RecordingStartTime: rfc2822(recording.startedAt),
        ErrorCode: "0",
      })
      .catch((error: unknown) => ctx.log.warn({ err: error }, "recording callback was not accepted"));
  }
  const transcribeUrl = verb.attrs.transcribeCallback;
  if (verb.attrs.transcribe !== "true" && !transcribeUrl) return;
  // Twilio transcribes recordings of 2 to 120 seconds, some time after the call.
  if (!(await ctx.later(4_000))) return;
  const transcriptionSid = randomSid("TR");
  const transcribed = recording.seconds >= 2 && recording.seconds <= 120;
  ctx.note(call, transcribed ? `transcription completed: "${recording.text}"` : "transcription failed (length)");
  if (!transcribeUrl) return;
  await ctx
    .webhook(account, transcribeUrl, {
      ...callParams(call),
      TranscriptionSid: transcriptionSid,
      TranscriptionText: transcribed ? recording.text : "",
      TranscriptionStatus: transcribed ? "completed" : "failed",
      TranscriptionUrl: `${ctx.baseUrl}/2010-04-01/Accounts/${call.accountSid}/Transcriptions/${transcriptionSid}`,
      TranscriptionType: "fast",
      RecordingSid: recording.sid,
      RecordingUrl: recording.url,
    })
    .catch((error: unknown) => ctx.log.warn({ err: error }, "transcription callback was not accepted"));
}

/**
 * A simulated recording's audio: an ID3 tag naming the recording, then about a second of silent
 * MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz).
 */
export function simulatedRecording(recordingSid: string): Buffer {
  const title = Buffer.from(`\u0000Leadline simulated recording ${recordingSid}`, "latin1");
  const frameHeader = Buffer.alloc(10);
  frameHeader.write("TIT2", 0, "latin1");
  frameHeader.writeUInt32BE(title.length, 4);
  const tagBody = Buffer.concat([frameHeader, title]);
  const size = tagBody.length;
  // ID3v2.3 header; the tag size is "syncsafe": 7 bits per byte.
  const tagHeader = Buffer.from([
    0x49,
    0x44,
    0x33,
    3,
    0,
    0,
    (size >> 21) & 0x7f,
    (size >> 14) & 0x7f,
    (size >> 7) & 0x7f,
    size & 0x7f,
  ]);
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat([tagHeader, tagBody, ...Array.from({ length: 38 }, () => frame)]);
}
