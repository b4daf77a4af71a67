import type { KnownBlock } from "@slack/types";
import { ids } from "../lib/ids.js";
import { formatDuration } from "../lib/time.js";
import type { InboundWithLead } from "../services/inbound/inbound-store.js";
import { context, escapeTruncate, leadPhoneText, mrkdwnSection, plain } from "./common.js";

const who = (call: InboundWithLead) => (call.lead ? `*${escapeTruncate(call.lead.name, 150)}*` : "An unknown caller");

const agent = (id: string | null | undefined) => (id && id !== "team" ? `<@${id}>` : "the team's phone");

/** ":calling: Jane Doe is calling back (+1 212 555 0182) · ringing @maria", updated as the call goes on. */
export function inboundCallMessage(
  call: InboundWithLead,
  options: { maskNumbers?: boolean } = {},
): { text: string; blocks: KnownBlock[] } {
  const number = leadPhoneText(call.fromNumber, options.maskNumbers);
  const state =
    {
      ringing: call.ringNumber ? `ringing ${agent(call.ringAgentId)}` : "ringing",
      answered: `answered by ${agent(call.answeredBy)}`,
      completed: `answered by ${agent(call.answeredBy)}, ${formatDuration(call.durationSec ?? 0)}`,
      missed: "missed",
      voicemail: `missed, voicemail left (${formatDuration(call.recordingSec ?? 0)})`,
    }[call.status] ?? call.status;
  const verb = call.status === "ringing" || call.status === "answered" ? "is calling" : "called";
  const text = `:calling: ${who(call)} ${verb}${call.lead ? " back" : ""} (${number}) · ${state}`;
  const blocks: KnownBlock[] = [
    mrkdwnSection(text),
    context(`Inbound call · Call SID ${call.twilioSid}${call.lead ? ` · lead #${call.lead.id}` : ""}`),
  ];
  const buttons = call.lead
    ? [
        {
          type: "button" as const,
          action_id: ids.call.liveAction,
          text: plain("Call back"),
          value: String(call.lead.id),
          style: "primary" as const,
        },
        {
          type: "button" as const,
          action_id: ids.schedule.openAction,
          text: plain("Schedule"),
          value: String(call.lead.id),
        },
        {
          type: "button" as const,
          action_id: ids.lead.historyAction,
          text: plain("History"),
          value: String(call.lead.id),
        },
      ]
    : [
        {
          type: "button" as const,
          action_id: ids.lead.addAction,
          text: plain("Add as lead"),
          // The new lead is one who called in: its source says so.
          value: JSON.stringify({ phone: call.fromNumber, source: "Inbound call" }),
          style: "primary" as const,
        },
      ];
  blocks.push({ type: "actions", block_id: `inbound_${call.id}`, elements: buttons });
  return { text: text.replace(/\*/g, ""), blocks };
}

export function voicemailMessage(
  call: InboundWithLead,
  uploaded: boolean,
  options: { maskNumbers?: boolean } = {},
): { text: string } {
  const from = call.lead ? escapeTruncate(call.lead.name, 150) : leadPhoneText(call.fromNumber, options.maskNumbers);
  return {
    text: uploaded
      ? `:studio_microphone: Voicemail from ${from} (${formatDuration(call.recordingSec ?? 0)}).`
      : `:studio_microphone: ${from} left a voicemail (${formatDuration(call.recordingSec ?? 0)}); Leadline could not fetch the audio from Twilio. It is in the Twilio console under Recordings (${call.recordingSid}).`,
  };
}

export function transcriptMessage(call: InboundWithLead): { text: string } {
  return { text: `:memo: Voicemail transcript: “${escapeTruncate(call.transcript ?? "", 2800)}”` };
}
