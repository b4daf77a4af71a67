import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../lib/clock.js";
import type { EventBus } from "../../lib/events.js";
import type { Logger } from "../../lib/log.js";
import type { Keyring } from "../store/keyring.js";
import type { RecordingDownload } from "../twilio/recording-audio.js";
import type { CallNotifier } from "./call-notifier.js";
import type { CallStore } from "./call-store.js";

const LINK_TTL_S = 7 * 24 * 3600;

export interface RecordingService {
  /** The first "completed" callback for a call claims it; duplicates do nothing. Returns the call id when this one claimed. */
  claim(callSid: string, recordingSid: string): Promise<number | undefined>;
  /** Downloads the recording with the account's credentials and puts it in the call's thread (once). */
  deliver(callId: number): Promise<"uploaded" | "linked" | "none">;
  /** The audio for a signed, expiring Leadline link (never a raw Twilio URL). */
  download(callId: number, exp: string, sig: string): Promise<Buffer>;
  signedUrl(callId: number): string | undefined;
}

export function createRecordingService(deps: {
  calls: Pick<CallStore, "byId" | "claimRecording" | "addFact">;
  download: RecordingDownload;
  notifier: Pick<CallNotifier, "recording">;
  events: EventBus;
  clock: Clock;
  log: Logger;
  keyring: Keyring;
  publicBaseUrl?: string;
}): RecordingService {
  const { calls, log } = deps;
  const key = Buffer.from(
    hkdfSync("sha256", deps.keyring.current.key, Buffer.alloc(0), "leadline recording links", 32),
  );
  const sign = (callId: number, exp: number) =>
    createHmac("sha256", key).update(`${callId}.${exp}`).digest("base64url");

  const fetchAudio = async (callId: number): Promise<{ audio: Buffer; recordingSid: string }> => {
    const call = await calls.byId(callId);
    if (!call?.recordingSid) throw new Error("no recording for this call");
    return { audio: await deps.download(call.workspaceId, call.recordingSid), recordingSid: call.recordingSid };
  };

  const service: RecordingService = {
    async claim(callSid, recordingSid) {
      const callId = await calls.claimRecording(callSid, recordingSid);
      const call = callId === undefined ? undefined : await calls.byId(callId);
      if (call) deps.events.emit("call.recorded", { ws: call.workspaceId, callId: call.id });
      return callId;
    },

    async deliver(callId) {
      let audio: Buffer | undefined;
      let recordingSid: string | undefined;
      try {
        ({ audio, recordingSid } = await fetchAudio(callId));
      } catch (error) {
        log.warn({ err: error, callId }, "could not download the recording; posting a signed link instead");
        recordingSid = (await calls.byId(callId))?.recordingSid ?? undefined;
      }
      if (!recordingSid) return "none";
      const delivered = await deps.notifier.recording(callId, {
        sid: recordingSid,
        audio,
        link: service.signedUrl(callId),
      });
      if (delivered !== "none") {
        await calls.addFact(callId, delivered === "uploaded" ? "recording_in_thread" : "recording_linked");
        deps.events.emit("call.moved", { ws: (await calls.byId(callId))?.workspaceId ?? 0, callId });
      }
      return delivered;
    },

    signedUrl(callId) {
      if (!deps.publicBaseUrl) return undefined;
      const exp = Math.floor(deps.clock.now().getTime() / 1000) + LINK_TTL_S;
      return `${deps.publicBaseUrl}/recordings/${callId}?exp=${exp}&sig=${sign(callId, exp)}`;
    },

    async download(callId, exp, sig) {
      const expires = Number(exp);
      const expected = Buffer.from(sign(callId, expires));
      const given = Buffer.from(sig);
      if (!Number.isFinite(expires) || expected.length !== given.length || !timingSafeEqual(expected, given))
        throw new Error("bad signature");
      if (expires * 1000 < deps.clock.now().getTime()) throw new Error("link expired");
      return (await fetchAudio(callId)).audio;
    },
  };
  return service;
}
