import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { Logger } from "../../lib/log.js";
import type { Deps } from "../index.js";
import type { SettingsService } from "../setup/settings.js";
import type { SlackMessenger } from "../slack/messenger.js";
import type { Db } from "../store/db.js";
import type { Keyring } from "../store/keyring.js";

const LINK_TTL_S = 7 * 24 * 3600;

export interface RecordingService {
  /** The first "completed" callback for a call claims it; duplicates do nothing. Returns whether this one claimed. */
  claim(callSid: string, recordingSid: string): Promise<number | undefined>;
  /** Downloads the recording with the account's credentials and uploads it into the call's thread (once). */
  deliver(callId: number): Promise<"uploaded" | "linked">;
  /** The audio for a signed, expiring Leadline link (never a raw Twilio URL). */
  download(callId: number, exp: string, sig: string): Promise<Buffer>;
  signedUrl(callId: number): string | undefined;
}

export function createRecordingService(deps: {
  db: Db;
  settings: SettingsService;
  slack: Deps["slack"];
  messenger: SlackMessenger;
  clock: () => Date;
  log: Logger;
  keyring: Keyring;
  twilioApiUrl: string;
  publicBaseUrl?: string;
}): RecordingService {
  const { db, log } = deps;
  const key = Buffer.from(
    hkdfSync("sha256", deps.keyring.current.key, Buffer.alloc(0), "leadline recording links", 32),
  );
  const sign = (callId: number, exp: number) =>
    createHmac("sha256", key).update(`${callId}.${exp}`).digest("base64url");

  const fetchAudio = async (callId: number): Promise<{ audio: Buffer; recordingSid: string }> => {
    const call = await db.call.findUnique({ where: { id: callId } });
    if (!call?.recordingSid) throw new Error("no recording for this call");
    const { accountSid, authToken } = await deps.settings.get();
    if (!accountSid || !authToken) throw new Error("Twilio is not configured");
    // Built from our own account and the recording id: credentials never go to a URL from a request.
    const url = `${deps.twilioApiUrl}/2010-04-01/Accounts/${accountSid}/Recordings/${call.recordingSid}.mp3`;
    const res = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}` },
    });
    if (!res.ok) throw new Error(`Twilio answered ${res.status} for the recording`);
    return { audio: Buffer.from(await res.arrayBuffer()), recordingSid: call.recordingSid };
  };

  const service: RecordingService = {
    async claim(callSid, recordingSid) {
      const call = await db.call.findUnique({ where: { twilioSid: callSid } });
      if (!call) return undefined;
      const claimed = await db.call.updateMany({ where: { id: call.id, recordingSid: null }, data: { recordingSid } });
      return claimed.count === 1 ? call.id : undefined;
    },

    async deliver(callId) {
      const call = await db.call.findUniqueOrThrow({ where: { id: callId }, include: { lead: true } });
      const threadTs = call.slackTs ?? call.slackThreadTs ?? undefined;
      try {
        if (!call.slackChannel) throw new Error("the call has no channel message");
        const { audio, recordingSid } = await fetchAudio(callId);
        if (!threadTs) throw new Error("the call has no message to thread under");
        await deps.slack.files.uploadV2({
          channel_id: call.slackChannel,
          thread_ts: threadTs,
          file: audio,
          filename: `call-${call.twilioSid}.mp3`,
          title: `Recording of the call to ${call.lead.name}`,
          initial_comment: `:studio_microphone: Recording ${recordingSid} of call ${call.twilioSid}`,
        });
        return "uploaded";
      } catch (error) {
        log.warn({ err: error, callId }, "recording upload failed; posting a signed link instead");
        const url = service.signedUrl(callId);
        if (call.slackChannel && url) {
          await deps.messenger.postToChannel(
            { channel: call.slackChannel, threadTs },
            {
              text: `:studio_microphone: Recording of call ${call.twilioSid}: <${url}|listen> (link valid for 7 days)`,
            },
          );
        }
        return "linked";
      }
    },

    signedUrl(callId) {
      if (!deps.publicBaseUrl) return undefined;
      const exp = Math.floor(deps.clock().getTime() / 1000) + LINK_TTL_S;
      return `${deps.publicBaseUrl}/recordings/${callId}?exp=${exp}&sig=${sign(callId, exp)}`;
    },

    async download(callId, exp, sig) {
      const expires = Number(exp);
      const expected = Buffer.from(sign(callId, expires));
      const given = Buffer.from(sig);
      if (!Number.isFinite(expires) || expected.length !== given.length || !timingSafeEqual(expected, given))
        throw new Error("bad signature");
      if (expires * 1000 < deps.clock().getTime()) throw new Error("link expired");
      return (await fetchAudio(callId)).audio;
    },
  };
  return service;
}
