import type { TwilioFor } from "./workspace-twilio.js";

/** One sentence of a transcript as Leadline keeps it: the recording's channel, when, and what was said. */
export interface Sentence {
  channel: number;
  start: number;
  end: number;
  text: string;
}

export type TranscriptState = "queued" | "in-progress" | "completed" | "failed" | "canceled";

/**
 * Voice Intelligence v2 for a workspace, through its own Twilio account: the Service (created with
 * data logging off and redaction on, or an existing one picked by SID), Transcripts of a recording
 * (the call's id as customer key; an unanswered create is found again by its recording, never made twice) and
 * their Sentences.
 */
export interface Intelligence {
  /** The Service named `uniqueName` on the account, made if missing: its SID. */
  ensureService(ws: number, uniqueName: string): Promise<string>;
  /** Whether `serviceSid` is a Service of the workspace's account. */
  hasService(ws: number, serviceSid: string): Promise<boolean>;
  /** A transcript already made of this recording (an earlier create whose answer was lost). */
  findTranscript(ws: number, serviceSid: string, recordingSid: string): Promise<string | undefined>;
  createTranscript(
    ws: number,
    input: { serviceSid: string; recordingSid: string; customerKey: string; leadChannel: number },
  ): Promise<string>;
  status(ws: number, transcriptSid: string): Promise<TranscriptState>;
  sentences(ws: number, transcriptSid: string): Promise<Sentence[]>;
  remove(ws: number, transcriptSid: string): Promise<void>;
}

export function createIntelligence(deps: { twilioFor: TwilioFor }): Intelligence {
  const v2 = async (ws: number) => (await deps.twilioFor(ws)).client.intelligence.v2;
  return {
    async ensureService(ws, uniqueName) {
      const api = await v2(ws);
      const existing = (await api.services.list({ limit: 1000 })).find((s) => s.uniqueName === uniqueName);
      if (existing) return existing.sid;
      const made = await api.services.create({
        uniqueName,
        friendlyName: "Leadline call transcripts",
        autoRedaction: true,
        dataLogging: false,
        autoTranscribe: false,
      });
      return made.sid;
    },
    async hasService(ws, serviceSid) {
      const api = await v2(ws);
      try {
        await api.services(serviceSid).fetch();
        return true;
      } catch (error) {
        if ((error as { status?: number }).status === 404) return false;
        throw error;
      }
    },
    async findTranscript(ws, serviceSid, recordingSid) {
      const api = await v2(ws);
      const found = await api.transcripts.list({ serviceSid, sourceSid: recordingSid, limit: 5 });
      return found[0]?.sid;
    },
    async createTranscript(ws, input) {
      const api = await v2(ws);
      const agentChannel = input.leadChannel === 1 ? 2 : 1;
      const made = await api.transcripts.create({
        serviceSid: input.serviceSid,
        customerKey: input.customerKey,
        channel: {
          media_properties: { source_sid: input.recordingSid },
          participants: [
            { channel_participant: agentChannel, role: "Agent" },
            { channel_participant: input.leadChannel, role: "Customer" },
          ],
        },
      });
      return made.sid;
    },
    async status(ws, transcriptSid) {
      return (await (await v2(ws)).transcripts(transcriptSid).fetch()).status as TranscriptState;
    },
    async sentences(ws, transcriptSid) {
      const list = await (await v2(ws)).transcripts(transcriptSid).sentences.list({ redacted: true, pageSize: 1000 });
      return list
        .map((s) => ({
          channel: s.mediaChannel,
          start: Number(s.startTime) || 0,
          end: Number(s.endTime) || 0,
          text: s.transcript,
          index: s.sentenceIndex,
        }))
        .sort((a, b) => a.index - b.index || a.start - b.start)
        .map(({ index: _index, ...sentence }) => sentence);
    },
    async remove(ws, transcriptSid) {
      try {
        await (await v2(ws)).transcripts(transcriptSid).remove();
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
    },
  };
}
