import type { KnownBlock } from "@slack/types";
import { ids } from "../lib/ids.js";
import { formatDuration } from "../lib/time.js";
import { type CallFactKind, isFinal, MODE_LABELS } from "../services/calls/modes.js";
import { OUTCOMES, type Outcome, outcomesFor } from "../services/calls/outcomes.js";
import type { CallPost } from "../services/calls/post-store.js";
import { CALLER_ID_RULE_TEXT } from "./caller-id.js";
import { context, escapeTruncate, leadPhoneText, mrkdwnSection, phoneText, plain } from "./common.js";
import { twilioRefusalText } from "./twilio-refusal.js";

const STATUS_LABELS: Record<string, string> = {
  dialing: "dialing",
  queued: "queued",
  initiated: "initiated",
  ringing: "ringing",
  "in-progress": "in progress",
  completed: "completed",
  busy: "busy",
  "no-answer": "no answer",
  failed: "failed",
  canceled: "canceled",
  unknown: "unconfirmed",
};

const AGENT_LEG_LABELS: Record<string, string> = {
  queued: "calling the agent's phone",
  initiated: "calling the agent's phone",
  ringing: "ringing the agent's phone",
  "in-progress": "agent answered · dialing the lead",
};

/** Facts of a live call whose lead was never dialled: the post offers to try again. */
const UNDIALED: CallFactKind[] = ["agent_no_answer", "agent_hung_up", "agent_no_key"];

const FACT_TEXT: Record<CallFactKind, string> = {
  agent_no_answer: "the agent's phone did not answer: the lead was not dialed",
  agent_hung_up: "the agent hung up before the lead was dialed",
  agent_no_key:
    "the agent did not take the call (no key pressed; a voicemail may have answered): the lead was not dialed",
  voicemail_left: "left a voicemail",
  pressed_1_connected: "pressed 1 → connected to the agent",
  pressed_1_no_agent: "pressed 1, but no agent phone to connect",
  pressed_9_opted_out: "pressed 9 → now on the do-not-call list",
  recording_in_thread: "recording in thread",
  recording_linked: "recording linked in thread",
};

function answeredByText(answeredBy: string | null | undefined): string | undefined {
  if (!answeredBy) return undefined;
  if (answeredBy === "human") return "answered by a person";
  if (answeredBy.startsWith("machine") || answeredBy === "fax") return "answered by a machine";
  return undefined;
}

/** "completed (2m 13s, answered by a person, left a voicemail)": every fact learned stays in the post. */
export function statusText(
  call: Pick<CallPost, "status" | "durationSec" | "answeredBy" | "voicemailLeft" | "facts"> &
    Partial<Pick<CallPost, "mode" | "agentLegStatus" | "leadLegSid">>,
) {
  // A live call before the lead's leg exists: what the agent's phone is doing.
  const agentStage =
    call.mode === "live" && !call.leadLegSid && !isFinal(call.status)
      ? AGENT_LEG_LABELS[call.agentLegStatus ?? ""]
      : undefined;
  const label = agentStage ?? STATUS_LABELS[call.status] ?? call.status;
  // "Did not take the call" says it all: the hang-up that follows a missed key is not news.
  const noKey = call.facts.includes("agent_no_key");
  const facts = call.facts.filter(
    (fact) => (fact !== "voicemail_left" || !call.voicemailLeft) && !(noKey && fact === "agent_hung_up"),
  );
  const details = [
    call.status === "completed" && call.durationSec != null ? formatDuration(call.durationSec) : undefined,
    answeredByText(call.answeredBy),
    call.voicemailLeft ? FACT_TEXT.voicemail_left : undefined,
    ...facts.map((fact) => FACT_TEXT[fact]),
  ].filter(Boolean);
  return details.length > 0 ? `${label} (${details.join(", ")})` : label;
}

const ruleText = (rule: string | null) =>
  rule && rule in CALLER_ID_RULE_TEXT ? `, ${CALLER_ID_RULE_TEXT[rule as keyof typeof CALLER_ID_RULE_TEXT]}` : "";

/**
 * The post (Slack message) for a call, edited as the call moves on. Lead text is escaped; with `maskNumbers`
 * (a channel of a workspace that masks numbers) the lead's number shows its last 4 digits only.
 */
export function callPostMessage(
  call: CallPost,
  options: { maskNumbers?: boolean } = {},
): { text: string; blocks: KnownBlock[] } {
  const verb = isFinal(call.status) ? "called" : "is calling";
  const line = [
    `:telephone_receiver: <@${call.placedBy}> ${verb} *${escapeTruncate(call.lead.name, 150)}* (${leadPhoneText(call.toNumber, options.maskNumbers)}) from ${phoneText(call.fromNumber)}${ruleText(call.callerIdRule)}`,
    MODE_LABELS[call.mode as keyof typeof MODE_LABELS] ?? call.mode,
    statusText(call),
  ].join(" · ");
  const sid = call.twilioSid ? `Call SID ${call.twilioSid} · ` : "";
  // A call Twilio refused ends with Twilio's code, words and docs link, as a refused create tells the clicker.
  const refusal =
    call.status === "failed" && call.errorCode
      ? `:x: ${twilioRefusalText({ code: call.errorCode, message: call.errorMessage })}`
      : undefined;
  const blocks: KnownBlock[] = [
    mrkdwnSection(line),
    ...(refusal ? [mrkdwnSection(refusal)] : []),
    context(`${sid}lead #${call.lead.id}`),
  ];
  const undialed = UNDIALED.some((fact) => call.facts.includes(fact));
  if (isFinal(call.status) && !undialed) {
    blocks.push(...outcomeBlocks(call));
    blocks.push({
      type: "actions",
      block_id: `call_text_${call.id}`,
      elements: [{ type: "button", action_id: ids.texts.openAction, text: plain("Text"), value: String(call.lead.id) }],
    });
  }
  if (undialed) {
    // Nobody was dialed: call again now (the same live call, the same checks), or book it for later.
    blocks.push({
      type: "actions",
      block_id: `call_retry_${call.id}`,
      elements: [
        {
          type: "button",
          action_id: ids.call.liveAction,
          text: plain("Retry"),
          value: String(call.lead.id),
          style: "primary",
        },
        {
          type: "button",
          action_id: ids.schedule.retryAction,
          text: plain("Retry in 15 min"),
          value: String(call.lead.id),
        },
      ],
    });
  }
  return { text: refusal ? `${line}\n${refusal}` : line, blocks };
}

/** A finished call's outcome buttons, or the recorded outcome with a menu to change it. */
function outcomeBlocks(call: CallPost): KnownBlock[] {
  const kinds = Object.keys(OUTCOMES) as Outcome[];
  if (!call.outcome) {
    const fitting = outcomesFor(call);
    return [
      {
        type: "actions",
        block_id: `call_outcome_${call.id}`,
        elements: fitting.map((kind) => ({
          type: "button" as const,
          action_id: `${ids.outcome.actionPrefix}${kind}`,
          text: plain(kind === "callback" ? "Call back…" : OUTCOMES[kind]),
          value: String(call.id),
          ...(kind === "appointment" || kind === "interested" ? { style: "primary" as const } : {}),
          ...(kind === "do_not_call" ? { style: "danger" as const } : {}),
        })),
      },
    ];
  }
  const label = OUTCOMES[call.outcome as Outcome] ?? call.outcome;
  return [
    {
      type: "context",
      block_id: `call_outcome_${call.id}`,
      elements: [
        {
          type: "mrkdwn",
          text: `:white_check_mark: Outcome: *${escapeTruncate(label, 60)}*${call.outcomeBy ? ` · by <@${call.outcomeBy}>` : ""}`,
        },
      ],
    },
    {
      type: "actions",
      elements: [
        {
          type: "overflow",
          action_id: ids.outcome.changeAction,
          options: kinds
            .filter((kind) => kind !== call.outcome)
            .map((kind) => ({ text: plain(`Change to: ${OUTCOMES[kind]}`), value: `${call.id}:${kind}` })),
        },
      ],
    },
  ];
}

/** A recording that could not be uploaded: a signed Leadline link, valid for 7 days. */
export function recordingLinkMessage(call: Pick<CallPost, "twilioSid">, url: string): { text: string } {
  return { text: `:studio_microphone: Recording of call ${call.twilioSid}: <${url}|listen> (link valid for 7 days)` };
}
