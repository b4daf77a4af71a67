import type { Clock } from "../../lib/clock.js";
import type { EventBus } from "../../lib/events.js";
import type { Logger } from "../../lib/log.js";
import { parsePhone } from "../../lib/phone.js";
import type { TaskTracker } from "../../lib/tasks.js";
import { formatDuration } from "../../lib/time.js";
import type { AgentPhones } from "../calls/agent-phones.js";
import type { LeadService } from "../leads/lead-service.js";
import type { SettingsService } from "../setup/settings.js";
import {
  inboundAcceptTwiml,
  inboundRingTwiml,
  inboundVoicemailTwiml,
  inboundWhisperTwiml,
  sayAndHangUpTwiml,
} from "../twilio/twiml.js";
import type { InboundStore, InboundWithLead } from "./inbound-store.js";

/** Where an inbound call's post (its Slack message) and its voicemail go; implemented with the Slack adapter and views. */
export interface InboundAnnouncer {
  /** Posts the call for the first time (in the lead's last thread, else the leads channel); where it went. */
  post(
    call: InboundWithLead,
    where?: { channel: string; threadTs?: string },
  ): Promise<{ channel: string; ts: string } | undefined>;
  /** Edits the call's post to show the call as it is now. */
  update(call: InboundWithLead): Promise<void>;
  /** The voicemail audio (or a note that it could not be fetched) and its transcript, in the post's thread. */
  voicemail(call: InboundWithLead, audio: Buffer | undefined): Promise<void>;
  transcript(call: InboundWithLead): Promise<void>;
}

export interface InboundService {
  /** A call to the team's number: TwiML that rings the right agent (or straight to voicemail). */
  answer(ws: number, input: { callSid: string; from: string; to: string }): Promise<string>;
  whisper(ws: number, id: number): Promise<string>;
  accept(ws: number, id: number, digits: string): Promise<string>;
  dialDone(ws: number, id: number, input: { dialStatus: string; durationSec?: number }): Promise<string>;
  recorded(ws: number, id: number, input: { recordingSid: string; durationSec: number }): Promise<void>;
  transcribed(ws: number, id: number, text: string): Promise<void>;
  /**
   * A new lead (lead.created): the calls its number made while nobody knew it become the lead's, so
   * their posts name the lead instead of offering Add as lead, and a call someone took counts as contact.
   */
  leadAdded(ws: number, leadId: number): Promise<void>;
  /** The TwiML App-free Voice URL for the team's number: Twilio calls it for every inbound call. */
  voiceUrl(ws: number): string | undefined;
}

/** The Voice URL that sends a number's inbound calls to Leadline (`/twilio-setup inbound`, pool numbers). */
export function inboundVoiceUrl(publicBaseUrl: string | undefined, ws: number): string | undefined {
  return publicBaseUrl ? `${publicBaseUrl}/twilio/voice/inbound?ws=${ws}` : undefined;
}

export function createInboundService(deps: {
  store: InboundStore;
  leads: Pick<LeadService, "findByPhone" | "get">;
  agentPhones: Pick<AgentPhones, "own">;
  settings: SettingsService;
  announcer: InboundAnnouncer;
  /** The voicemail audio, fetched from our own Twilio account by recording id. */
  fetchRecording: (ws: number, recordingSid: string) => Promise<Buffer>;
  /** A Slack user's display name, for notes ("answered by @maria"). */
  nameOf: (ws: number, userId: string) => Promise<string | undefined>;
  tasks: TaskTracker;
  /** `inbound.ended`, once per call, after the move that ended it. */
  events: Pick<EventBus, "emit">;
  clock: Clock;
  log: Logger;
  publicBaseUrl?: string;
  defaultCountry: string;
  /** A call nobody answered (moved to missed once): the texts domain's missed-call text-back. */
  missed?: (call: InboundWithLead) => Promise<unknown>;
}): InboundService {
  const base = deps.publicBaseUrl;
  const url = (path: string, ws: number, id?: number) =>
    `${base}/twilio/voice/inbound${path}?ws=${ws}${id !== undefined ? `&call=${id}` : ""}`;
  const who = (call: InboundWithLead) =>
    call.lead ? `lead ${call.lead.name.trim() || "without a name"}` : "an unknown caller";
  // Only a sent post is edited; one not sent yet shows the newest state when it is (see answer).
  const refresh = (call: InboundWithLead) =>
    deps.tasks.run(async () => {
      const fresh = await deps.store.get(call.workspaceId, call.id);
      if (fresh?.slackTs) await deps.announcer.update(fresh);
    });
  const note = async (call: InboundWithLead, text: string) => {
    if (call.lead)
      await deps.store.addNote(
        call.lead.id,
        "Leadline",
        `[Inbound Call] from ${call.fromNumber} - ${text} - Call SID: ${call.twilioSid}`,
      );
  };
  const ended = (inboundCallId: number, ws: number, answered: boolean) =>
    deps.events.emit("inbound.ended", { ws, inboundCallId, answered });
  const voicemail = (ws: number, id: number) =>
    inboundVoicemailTwiml({
      recordingUrl: url("/recording", ws, id),
      transcriptUrl: url("/transcript", ws, id),
      doneUrl: url("/voicemail-done", ws, id),
    });

  return {
    voiceUrl: (ws) => inboundVoiceUrl(base, ws),

    async leadAdded(ws, leadId) {
      const lead = await deps.leads.get(ws, leadId);
      if (!lead?.phone) return;
      for (const call of await deps.store.adoptCaller(ws, leadId, lead.phone)) {
        if (call.status === "completed") await deps.store.contacted(leadId, call.endedAt ?? call.createdAt);
        const how = call.status === "completed" ? `answered, ${formatDuration(call.durationSec ?? 0)}` : call.status;
        await note(call, `${how}, before the lead was added`);
        if (call.slackTs) await deps.announcer.update(call);
      }
    },

    async answer(ws, { callSid, from, to }) {
      const parsed = parsePhone(from, deps.defaultCountry);
      const caller = parsed.ok ? parsed.e164 : from;
      // Any lead with the number, on the do-not-call list or not: calling in is always allowed.
      const lead = parsed.ok ? await deps.leads.findByPhone(ws, parsed.e164) : undefined;
      // Ring the lead's owner, else whoever called them last, else the team's agent phone.
      const candidates = [lead?.ownerSlackId, lead ? await deps.store.lastCaller(ws, lead.id) : undefined].filter(
        (id): id is string => Boolean(id),
      );
      let ringAgentId: string | null = null;
      let ringNumber: string | null = null;
      for (const agentId of candidates) {
        const phone = await deps.agentPhones.own(ws, agentId);
        if (phone) {
          ringAgentId = agentId;
          ringNumber = phone;
          break;
        }
      }
      const settings = await deps.settings.get(ws);
      if (!ringNumber && settings.agentPhone) {
        ringAgentId = candidates[0] ?? null;
        ringNumber = settings.agentPhone;
      }
      const { call, created } = await deps.store.open({
        workspaceId: ws,
        leadId: lead?.id ?? null,
        fromNumber: caller,
        toNumber: to,
        twilioSid: callSid,
        ringAgentId,
        ringNumber,
      });
      const full = (await deps.store.get(ws, call.id))!;
      if (created) {
        deps.tasks.run(async () => {
          const last = lead ? await deps.store.lastPost(ws, lead.id) : undefined;
          const where = last?.slackChannel
            ? { channel: last.slackChannel, threadTs: last.slackThreadTs ?? last.slackTs ?? undefined }
            : undefined;
          const posted = await deps.announcer.post(full, where);
          if (!posted) return;
          await deps.store.setPost(call.id, {
            channel: posted.channel,
            ts: posted.ts,
            threadTs: where?.threadTs ?? null,
          });
          // Whatever happened while it was being posted is shown at once.
          const now = await deps.store.get(ws, call.id);
          if (now && now.status !== full.status) await deps.announcer.update(now);
        });
      }
      if (!ringNumber) {
        if (await deps.store.move(call.id, ["ringing"], { status: "missed", endedAt: deps.clock.now() }))
          ended(call.id, ws, false);
        await note(full, "nobody to ring (no agent phone set) - sent to voicemail");
        refresh(full);
        if (deps.missed) deps.tasks.run(() => deps.missed!(full));
        return voicemail(ws, call.id);
      }
      return inboundRingTwiml({
        agentNumber: ringNumber,
        // The agent's phone shows the lead's own number.
        callerId: parsed.ok ? parsed.e164 : to,
        whisperUrl: url("/whisper", ws, call.id),
        dialDoneUrl: url("/dial-done", ws, call.id),
      });
    },

    async whisper(ws, id) {
      const call = await deps.store.get(ws, id);
      if (call?.status !== "ringing") return inboundAcceptTwiml(false);
      return inboundWhisperTwiml(who(call), url("/accept", ws, id));
    },

    async accept(ws, id, digits) {
      const call = await deps.store.get(ws, id);
      if (!call || digits !== "1") return inboundAcceptTwiml(false);
      if (await deps.store.move(id, ["ringing"], { status: "answered", answeredBy: call.ringAgentId ?? "team" }))
        refresh(call);
      return inboundAcceptTwiml(true);
    },

    async dialDone(ws, id, { dialStatus, durationSec }) {
      const call = await deps.store.get(ws, id);
      if (!call) return sayAndHangUpTwiml();
      const talked = call.status === "answered" && (dialStatus === "completed" || dialStatus === "answered");
      if (talked) {
        if (
          await deps.store.move(id, ["answered"], {
            status: "completed",
            durationSec: durationSec ?? 0,
            endedAt: deps.clock.now(),
          })
        ) {
          const name =
            call.answeredBy && call.answeredBy !== "team" ? await deps.nameOf(ws, call.answeredBy) : undefined;
          ended(id, ws, true);
          if (call.lead) await deps.store.contacted(call.lead.id, deps.clock.now());
          await note(
            call,
            `answered by ${name ? `@${name}` : call.answeredBy && call.answeredBy !== "team" ? call.answeredBy : "the team's phone"} - ${formatDuration(durationSec ?? 0)}`,
          );
          refresh(call);
        }
        return sayAndHangUpTwiml();
      }
      if (await deps.store.move(id, ["ringing", "answered"], { status: "missed", endedAt: deps.clock.now() })) {
        ended(id, ws, false);
        await note(call, "missed");
        refresh(call);
        if (deps.missed) deps.tasks.run(() => deps.missed!(call));
      }
      return voicemail(ws, id);
    },

    async recorded(ws, id, { recordingSid, durationSec }) {
      const call = await deps.store.get(ws, id);
      if (!call || !(await deps.store.setRecording(id, recordingSid, durationSec))) return;
      await note(call, `voicemail left (${formatDuration(durationSec)})`);
      let audio: Buffer | undefined;
      try {
        audio = await deps.fetchRecording(ws, recordingSid);
      } catch (error) {
        deps.log.warn({ err: error, inboundCallId: id }, "could not download the voicemail");
      }
      const fresh = (await deps.store.get(ws, id))!;
      await deps.announcer.voicemail(fresh, audio);
      if (fresh.slackTs) await deps.announcer.update(fresh);
    },

    async transcribed(ws, id, text) {
      const call = await deps.store.get(ws, id);
      const clean = text.trim().slice(0, 3000);
      if (!call || !clean || !(await deps.store.setTranscript(id, clean))) return;
      await deps.announcer.transcript((await deps.store.get(ws, id))!);
    },
  };
}
