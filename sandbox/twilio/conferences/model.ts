import type { Json, SimCall } from "../model.js";
import { rfc2822 } from "../rest-kit.js";

/**
 * A conference and its participants as the simulated Twilio keeps them, and their REST JSON.
 * https://www.twilio.com/docs/voice/api/conference-resource,
 * https://www.twilio.com/docs/voice/api/conference-participant-resource (properties from Twilio's
 * OpenAPI spec, twilio-oai spec/json/twilio_api_v2010.json @ d50069b: api.v2010.account.conference
 * and api.v2010.account.conference.participant).
 */

/** Why a participant left (the participant-leave event's ReasonParticipantLeft). */
export type LeaveReason =
  | "conference_ended_via_api"
  | "moderator_ended_conference"
  | "participant_updated_via_api"
  | "participant_hung_up"
  | "participant_add_failed";

export interface SimParticipant {
  callSid: string;
  /** "api": created by Participants create (its call ends when it leaves); "twiml": a <Dial><Conference>. */
  kind: "api" | "twiml";
  label?: string;
  muted: boolean;
  hold: boolean;
  coaching: boolean;
  callSidToCoach?: string;
  startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  beep: string;
  created: Date;
  updated: Date;
  /** When it joined the room (its call answered, or its <Dial><Conference> ran). */
  joinedAt?: number;
  /** Set once it left: why, and its call's status then. Its own loop then ends (or goes on with) its call. */
  left?: { reason: LeaveReason; callStatus: string };
}

export interface SimConference {
  sid: string;
  accountSid: string;
  friendlyName: string;
  status: "init" | "in-progress" | "completed";
  created: Date;
  updated: Date;
  reasonEnded?: string;
  callSidEnding?: string;
  /** Set by the first participant, as on Twilio; later participants' settings are ignored. */
  statusCallback?: string;
  events: Set<string>;
  maxParticipants: number;
  sequence: number;
  /** Participants connecting to or in the room, oldest first; gone once they leave. */
  participants: Map<string, SimParticipant>;
  /** Conference status callbacks go out one at a time, in order. */
  outbox: Promise<void>;
}

const base = (conference: SimConference) =>
  `/2010-04-01/Accounts/${conference.accountSid}/Conferences/${conference.sid}`;

export function conferenceJson(conference: SimConference): Json {
  return {
    account_sid: conference.accountSid,
    date_created: rfc2822(conference.created),
    date_updated: rfc2822(conference.updated),
    api_version: "2010-04-01",
    friendly_name: conference.friendlyName,
    region: "us1",
    sid: conference.sid,
    status: conference.status,
    uri: `${base(conference)}.json`,
    subresource_uris: {
      participants: `${base(conference)}/Participants.json`,
      recordings: `${base(conference)}/Recordings.json`,
    },
    reason_conference_ended: conference.reasonEnded ?? null,
    call_sid_ending_conference: conference.callSidEnding ?? null,
  };
}

/** The participant's status, from its call's: queued, connecting, ringing, connected, complete, failed. */
function participantStatus(participant: SimParticipant, call: SimCall | undefined): string {
  if (participant.left) return participant.joinedAt ? "complete" : "failed";
  if (participant.joinedAt) return "connected";
  if (call?.status === "ringing") return "ringing";
  if (call?.status === "initiated") return "connecting";
  return "queued";
}

export function participantJson(conference: SimConference, participant: SimParticipant, call?: SimCall): Json {
  return {
    account_sid: conference.accountSid,
    call_sid: participant.callSid,
    label: participant.label ?? null,
    call_sid_to_coach: participant.callSidToCoach ?? null,
    coaching: participant.coaching,
    conference_sid: conference.sid,
    date_created: rfc2822(participant.created),
    date_updated: rfc2822(participant.updated),
    end_conference_on_exit: participant.endConferenceOnExit,
    muted: participant.muted,
    hold: participant.hold,
    start_conference_on_enter: participant.startConferenceOnEnter,
    status: participantStatus(participant, call),
    queue_time: null,
    uri: `${base(conference)}/Participants/${participant.callSid}.json`,
  };
}
