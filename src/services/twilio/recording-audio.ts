import type { TwilioFor } from "./workspace-twilio.js";

/** A recording's download may take a while (a long call); past this Leadline posts a link instead. */
const DOWNLOAD_TIMEOUT_MS = 15_000;

export type RecordingDownload = (ws: number, recordingSid: string) => Promise<Buffer>;

/**
 * A recording's audio (MP3) with the workspace's own credentials. The URL is built from the account and
 * the recording's id: credentials never go to a URL that came from a request.
 */
export function createRecordingDownload(deps: { twilioFor: TwilioFor; apiUrl: string }): RecordingDownload {
  return async (ws, recordingSid) => {
    const { accountSid, authToken } = await deps.twilioFor(ws);
    const res = await fetch(`${deps.apiUrl}/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}.mp3`, {
      headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}` },
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`Twilio answered ${res.status} for the recording`);
    return Buffer.from(await res.arrayBuffer());
  };
}
