import twilio from "twilio";

const { VoiceResponse } = twilio.twiml;
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

/** Outbound (simple): the team's message, a 2 s pause, "Please hold.", then the optional 1/9 menu. */
export function simpleCallTwiml(message: string, options: ScriptOptions = {}): string {
  const response = new VoiceResponse();
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
  const response = new VoiceResponse();
  if (options.disclosure) response.say(VOICE, RECORDING_DISCLOSURE);
  response.say(VOICE, message);
  const dial = response.dial({ callerId, timeout: 30 });
  dial.number(agentPhone);
  return response.toString();
}

/** Left on an answering machine once its greeting ends. */
export function voicemailTwiml(message: string): string {
  const response = new VoiceResponse();
  response.say(VOICE, message);
  response.hangup();
  return response.toString();
}

/** Menu key 1: connect the lead to the agent now. */
export function connectToAgentTwiml(agentPhone: string, callerId: string): string {
  const response = new VoiceResponse();
  response.say(VOICE, "Connecting you to your agent now.");
  response.dial({ callerId, timeout: 30 }).number(agentPhone);
  return response.toString();
}

/** Menu key 9: the lead asked not to be called again. */
export function optOutTwiml(): string {
  const response = new VoiceResponse();
  response.say(VOICE, "Thank you. You will not receive any more calls from us. Goodbye.");
  response.hangup();
  return response.toString();
}

/** Browser call: the agent's browser leg is dialed to the lead's number (looked up on the server). */
export function browserCallTwiml(leadPhone: string, callerId: string): string {
  const response = new VoiceResponse();
  const dial = response.dial({ callerId });
  dial.number(leadPhone);
  return response.toString();
}

export function rejectTwiml(message: string): string {
  const response = new VoiceResponse();
  response.say(VOICE, message);
  response.hangup();
  return response.toString();
}
