import { twilioSdk } from "./sdk.js";

/** TwiML's builder, from the SDK loaded on first use. */
const voiceResponse = () => new (twilioSdk().twiml.VoiceResponse)();
type VoiceResponse = ReturnType<typeof voiceResponse>;
const VOICE = {};

export interface LeadFields {
  name: string;
}

/** Fills {{firstName}}, {{lastName}} and {{name}} from the lead; VoiceResponse escapes the result. */
export function fillMessage(template: string, lead: LeadFields): string {
  const parts = lead.name.trim().split(/\s+/);
  const values: Record<string, string> = {
    name: lead.name.trim(),
    firstname: parts[0] ?? "",
    lastname: parts.length > 1 ? parts.at(-1)! : "",
  };
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (match, key: string) => values[key.toLowerCase()] ?? match);
}

export const RECORDING_DISCLOSURE = "This call may be recorded.";

export interface ScriptOptions {
  /** Say the recording disclosure first. */
  disclosure?: boolean;
  /** The key-press menu after "Please hold." (needs a public URL for the action). */
  menu?: { prompt: string; action: string };
}

/** Message call: the team's message, a 2 s pause, "Please hold.", then the optional 1/9 menu. */
export function simpleCallTwiml(message: string, options: ScriptOptions = {}): string {
  const response = voiceResponse();
  if (options.disclosure) response.say(VOICE, RECORDING_DISCLOSURE);
  response.say(VOICE, message);
  response.pause({ length: 2 });
  if (options.menu) {
    const gather = response.gather({ numDigits: 1, action: options.menu.action, method: "POST", timeout: 6 });
    gather.say(VOICE, "Please hold.");
    gather.say(VOICE, options.menu.prompt);
    response.say(VOICE, "Thank you for your time. Goodbye.");
  } else {
    response.say(VOICE, "Please hold.");
  }
  return response.toString();
}

/** Voice bridge: the message, then the lead is dialed through to the agent, showing the Twilio number. */
export function bridgeCallTwiml(
  message: string,
  agentPhone: string,
  callerId: string,
  options: ScriptOptions = {},
): string {
  const response = voiceResponse();
  if (options.disclosure) response.say(VOICE, RECORDING_DISCLOSURE);
  response.say(VOICE, message);
  const dial = response.dial({ callerId, timeout: 30 });
  dial.number(agentPhone);
  return response.toString();
}

/** Seconds the agent has to press a key once their phone is answered. */
export const AGENT_KEY_SECONDS = 8;

/**
 * Live call (agent first), what the agent's phone hears when it is answered: who is being called and
 * "press any key to connect". A person presses a key; a voicemail box that answers the agent's phone
 * presses nothing, so the lead is never dialled into it. `acceptUrl` is asked with the key (Digits),
 * or without one when the time runs out.
 */
export function liveAgentPromptTwiml(input: { leadName: string; acceptUrl: string }): string {
  const response = voiceResponse();
  const gather = response.gather({
    numDigits: 1,
    timeout: AGENT_KEY_SECONDS,
    action: input.acceptUrl,
    method: "POST",
    actionOnEmptyResult: true,
  });
  gather.say(VOICE, `Leadline call to ${input.leadName.trim() || "your lead"}. Press any key to connect.`);
  return response.toString();
}

/**
 * Live call (agent first), once the agent takes it — "Connecting you to Jane Doe" — then dials the
 * lead with the team number as caller ID. The lead hears a person. With callbacks (a public URL), the
 * lead's leg reports its own status and the Dial's end; with recording on, the lead hears the
 * disclosure before being connected.
 */
export function liveCallTwiml(input: {
  leadName: string;
  leadPhone: string;
  callerId: string;
  callbacks?: { dialAction: string; leadStatus: string; disclosure?: string; recording?: string };
}): string {
  const response = voiceResponse();
  response.say(VOICE, `Connecting you to ${input.leadName.trim() || "your lead"}.`);
  const callbacks = input.callbacks;
  const dial = response.dial({
    callerId: input.callerId,
    timeout: 30,
    ...(callbacks ? { action: callbacks.dialAction, method: "POST" } : {}),
    ...(callbacks?.recording
      ? {
          record: "record-from-answer-dual",
          recordingStatusCallback: callbacks.recording,
          recordingStatusCallbackEvent: ["completed"],
          recordingStatusCallbackMethod: "POST",
        }
      : {}),
  } as Parameters<VoiceResponse["dial"]>[0]);
  dial.number(
    callbacks
      ? {
          statusCallback: callbacks.leadStatus,
          statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
          statusCallbackMethod: "POST",
          ...(callbacks.disclosure ? { url: callbacks.disclosure, method: "POST" } : {}),
        }
      : {},
    input.leadPhone,
  );
  return response.toString();
}

/** Played to the lead (a live call's <Number url>) before the agent is connected, when calls are recorded. */
export function disclosureTwiml(): string {
  const response = voiceResponse();
  response.say(VOICE, RECORDING_DISCLOSURE);
  return response.toString();
}

/** The end of a live call's Dial: the agent hears how it ended when the lead did not pick up. */
export function dialDoneTwiml(leadName: string, dialStatus: string): string {
  const spoken: Record<string, string> = {
    busy: `${leadName} is busy. Goodbye.`,
    "no-answer": `${leadName} did not answer. Goodbye.`,
    failed: `The call to ${leadName} could not be connected. Goodbye.`,
  };
  const text = spoken[dialStatus];
  return text ? sayAndHangUpTwiml(text) : hangUpTwiml();
}

/**
 * Says one thing and hangs up: the voicemail left on an answering machine once its greeting ends, a
 * polite end to a call Leadline cannot go on with, the goodbye after an inbound call, menu key 9's
 * promise (OPT_OUT_WORDS).
 */
export function sayAndHangUpTwiml(text = "Thank you. Goodbye."): string {
  const response = voiceResponse();
  response.say(VOICE, text);
  response.hangup();
  return response.toString();
}

/** Hangs up without a word: a leg Leadline will not go on with (an agent who did not take a call). */
export function hangUpTwiml(): string {
  const response = voiceResponse();
  response.hangup();
  return response.toString();
}

/** Menu key 1: connect the lead to the agent now. */
export function connectToAgentTwiml(agentPhone: string, callerId: string): string {
  const response = voiceResponse();
  response.say(VOICE, "Connecting you to your agent now.");
  response.dial({ callerId, timeout: 30 }).number(agentPhone);
  return response.toString();
}

/** Menu key 9: the lead asked not to be called again (said with sayAndHangUpTwiml). */
export const OPT_OUT_WORDS = "Thank you. You will not receive any more calls from us. Goodbye.";

/** Browser call: the agent's browser leg is dialed to the lead's number (looked up on the server). */
export function browserCallTwiml(leadPhone: string, callerId: string): string {
  const response = voiceResponse();
  const dial = response.dial({ callerId });
  dial.number(leadPhone);
  return response.toString();
}

/** Seconds an inbound call rings the agent before the caller is offered voicemail. */
export const INBOUND_RING_SECONDS = 20;

/**
 * A call to the team's number: ring the agent (their phone shows the lead's number) for
 * INBOUND_RING_SECONDS; the agent first hears who is calling and presses 1 to take it (a voicemail
 * box that picks up the agent's phone presses nothing, so the caller is never connected to it).
 */
export function inboundRingTwiml(input: {
  agentNumber: string;
  callerId: string;
  whisperUrl: string;
  dialDoneUrl: string;
}): string {
  const response = voiceResponse();
  const dial = response.dial({
    callerId: input.callerId,
    timeout: INBOUND_RING_SECONDS,
    action: input.dialDoneUrl,
    method: "POST",
  });
  dial.number({ url: input.whisperUrl, method: "POST" }, input.agentNumber);
  return response.toString();
}

/** Played to the agent who picks up: who is calling, and press 1 to answer. */
export function inboundWhisperTwiml(who: string, acceptUrl: string): string {
  const response = voiceResponse();
  const gather = response.gather({ numDigits: 1, timeout: 6, action: acceptUrl, method: "POST" });
  gather.say(VOICE, `Call from ${who}. Press 1 to answer.`);
  response.hangup();
  return response.toString();
}

/** The agent pressed 1: an empty answer connects the two. Anything else hangs up the agent's leg. */
export function inboundAcceptTwiml(accepted: boolean): string {
  return accepted ? voiceResponse().toString() : hangUpTwiml();
}

/** Nobody took the call: the caller can leave a message, recorded and transcribed by Twilio. */
export function inboundVoicemailTwiml(input: { recordingUrl: string; transcriptUrl: string; doneUrl: string }): string {
  const response = voiceResponse();
  response.say(
    VOICE,
    "Sorry, nobody could take your call right now. Please leave a message after the tone, and we will call you back.",
  );
  response.record({
    maxLength: 120,
    playBeep: true,
    timeout: 5,
    transcribe: true,
    transcribeCallback: input.transcriptUrl,
    recordingStatusCallback: input.recordingUrl,
    recordingStatusCallbackEvent: ["completed"],
    recordingStatusCallbackMethod: "POST",
    action: input.doneUrl,
    method: "POST",
  } as Parameters<VoiceResponse["record"]>[0]);
  return response.toString();
}

/**
 * A queue run, what the agent's phone hears when it is answered: press a key to start (a voicemail box
 * presses nothing, so it never joins a run and no lead is ever dialled into it).
 */
export function queueAgentPromptTwiml(input: { queueName: string; joinUrl: string }): string {
  const response = voiceResponse();
  const gather = response.gather({
    numDigits: 1,
    timeout: AGENT_KEY_SECONDS,
    action: input.joinUrl,
    method: "POST",
    actionOnEmptyResult: true,
  });
  gather.say(VOICE, `Leadline queue ${input.queueName.trim() || "run"}. Press any key to start calling.`);
  return response.toString();
}

/**
 * The agent joins the run's conference for the whole run: the conference starts with them and ends
 * when they leave (endConferenceOnExit); between leads they hear silence (no hold music, no beep).
 */
export function queueJoinTwiml(input: { conference: string; statusCallback?: string }): string {
  const response = voiceResponse();
  const dial = response.dial();
  dial.conference(
    {
      startConferenceOnEnter: true,
      endConferenceOnExit: true,
      beep: "false",
      waitUrl: "",
      ...(input.statusCallback
        ? {
            statusCallback: input.statusCallback,
            statusCallbackEvent: ["start", "end", "join", "leave"],
            statusCallbackMethod: "POST",
          }
        : {}),
    } as Parameters<ReturnType<VoiceResponse["dial"]>["conference"]>[0],
    input.conference,
  );
  return response.toString();
}
