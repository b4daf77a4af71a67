import type { SimConference } from "../conferences/model.js";
import type { SimAccount } from "../model.js";
import { E164, restError } from "../rest-kit.js";
import { MAGIC_TO } from "./call-rules.js";

/**
 * What Participants create and update accept and refuse. Parameter names: twilio-oai
 * spec/json/twilio_api_v2010.json @ d50069b (CreateParticipant, UpdateParticipant). Error codes:
 * https://www.twilio.com/docs/api/errors — 21201/21213 (no To/From), 21210 (From not on the
 * account), 21211 (To not a number), 21212 (From not a phone number), 16002 (invalid conference
 * attributes), 16020 (conference full), 16022 (conference does not exist or is completed), 16023
 * (invalid label), 16025 (label taken), 16028 (the participant to coach is not in the conference).
 * Like Calls create here, a parameter Twilio does not define is refused (21205) to catch typos.
 */

export const CREATE_PARAMS: ReadonlySet<string> = new Set(
  (
    "From To StatusCallback StatusCallbackMethod StatusCallbackEvent Label Timeout Record Muted Beep " +
    "StartConferenceOnEnter EndConferenceOnExit WaitUrl WaitMethod EarlyMedia MaxParticipants ConferenceRecord " +
    "ConferenceTrim ConferenceStatusCallback ConferenceStatusCallbackMethod ConferenceStatusCallbackEvent " +
    "RecordingChannels RecordingStatusCallback RecordingStatusCallbackMethod SipAuthUsername SipAuthPassword Region " +
    "ConferenceRecordingStatusCallback ConferenceRecordingStatusCallbackMethod RecordingStatusCallbackEvent " +
    "ConferenceRecordingStatusCallbackEvent Coaching CallSidToCoach JitterBufferSize Byoc CallerId CallReason " +
    "RecordingTrack TimeLimit MachineDetection MachineDetectionTimeout MachineDetectionSpeechThreshold " +
    "MachineDetectionSpeechEndThreshold MachineDetectionSilenceTimeout AmdStatusCallback AmdStatusCallbackMethod " +
    "Trim CallToken ClientNotificationUrl CallerDisplayName"
  ).split(" "),
);

export const UPDATE_PARAMS: ReadonlySet<string> = new Set(
  "Muted Hold HoldUrl HoldMethod AnnounceUrl AnnounceMethod WaitUrl WaitMethod BeepOnExit EndConferenceOnExit Coaching CallSidToCoach".split(
    " ",
  ),
);

type Refusal = { status: number; body: Record<string, unknown> };

/** Twilio's booleans: "true" in any case is true ("Muted=True" in Twilio's own examples). */
export const bool = (value: string | null, fallback: boolean) =>
  value === null ? fallback : value.toLowerCase() === "true";

export const unknownParam = (params: URLSearchParams, known: ReadonlySet<string>): Refusal | undefined => {
  for (const key of params.keys()) {
    if (!known.has(key)) return restError(400, 21205, `Unknown parameter ${key}`);
  }
  return undefined;
};

/** From/CallerId and To as Calls create checks them. */
export function numbersRefusal(account: SimAccount, params: URLSearchParams): Refusal | undefined {
  const to = params.get("To");
  const from = params.get("From");
  if (!to) return restError(400, 21201, "No 'To' number is specified");
  if (!from) return restError(400, 21213, "No 'From' number is specified");
  for (const caller of [from, params.get("CallerId")]) {
    if (caller === null) continue;
    if (!E164.test(caller)) return restError(400, 21212, `The 'From' number ${caller} is not a valid phone number.`);
    if (!account.numbers.has(caller))
      return restError(
        400,
        21210,
        `The source phone number provided, ${caller}, is not yet verified for your account.`,
      );
  }
  const magic = MAGIC_TO[to];
  if (magic) return restError(400, magic[0], magic[1]);
  if (!E164.test(to)) return restError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  return undefined;
}

/** Attribute values Twilio documents a range or a set for. */
export function attributesRefusal(params: URLSearchParams): Refusal | undefined {
  const beep = params.get("Beep");
  if (beep !== null && !["true", "false", "onEnter", "onExit"].includes(beep))
    return restError(400, 16002, `Beep must be true, false, onEnter or onExit, not ${beep}`);
  const timeout = params.get("Timeout");
  if (timeout !== null && !(Number.isInteger(Number(timeout)) && Number(timeout) >= 5 && Number(timeout) <= 600))
    return restError(400, 16002, `Timeout must be an integer from 5 to 600, not ${timeout}`);
  const max = params.get("MaxParticipants");
  if (max !== null && !(Number.isInteger(Number(max)) && Number(max) >= 2 && Number(max) <= 250))
    return restError(400, 16002, `MaxParticipants must be an integer from 2 to 250, not ${max}`);
  return undefined;
}

/** A label must be at most 128 characters, not a Call SID, without '/', and unique in the room. */
export function labelRefusal(label: string | null, conference?: SimConference): Refusal | undefined {
  if (label === null) return undefined;
  if (label.length > 128 || /^CA[0-9a-f]{32}$/.test(label) || label.includes("/"))
    return restError(
      400,
      16023,
      "Invalid participant label, must not exceed 128 characters, must not be a CallSid, must not contain '/'",
    );
  if (conference && [...conference.participants.values()].some((p) => p.label === label))
    return restError(400, 16025, `A participant with label ${label} already exists in the conference`);
  return undefined;
}

/** Coaching needs a call to coach, and that call must be in the room. */
export function coachingRefusal(
  coaching: boolean,
  callSidToCoach: string | undefined,
  conference?: SimConference,
): Refusal | undefined {
  if (coaching && !callSidToCoach) return restError(400, 16002, "CallSidToCoach is required when Coaching is true");
  if (callSidToCoach && !conference?.participants.get(callSidToCoach)?.joinedAt)
    return restError(400, 16028, "Participant to be whispered is not present in the conference");
  return undefined;
}
