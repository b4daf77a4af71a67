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

/** Outbound (simple): the team's message, a 2 s pause, "Please hold." */
export function simpleCallTwiml(message: string): string {
  const response = new VoiceResponse();
  response.say(VOICE, message);
  response.pause({ length: 2 });
  response.say(VOICE, "Please hold.");
  return response.toString();
}

/** Voice bridge: the message, then the lead is dialled through to the agent, showing the Twilio number. */
export function bridgeCallTwiml(message: string, agentPhone: string, callerId: string): string {
  const response = new VoiceResponse();
  response.say(VOICE, message);
  const dial = response.dial({ callerId, timeout: 30 });
  dial.number(agentPhone);
  return response.toString();
}

/** Browser call: the agent's browser leg is dialled to the lead's number (looked up on the server). */
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
