import type { SimContext } from "../context.js";
import type { SimAccount, SimCall } from "../model.js";
import { randomSid, sleep } from "../rest-kit.js";
import { conferenceEvent } from "./events.js";
import type { LeaveReason, SimConference, SimParticipant } from "./model.js";

export type { SimConference, SimParticipant } from "./model.js";

/**
 * A conference room's life, as https://www.twilio.com/docs/voice/twiml/conference describes it:
 * created by its first participant (status init), started when at least two are in and one has
 * startConferenceOnEnter (in-progress, conference-start), ended when a participant with
 * endConferenceOnExit leaves, the last one leaves, or the API completes it (completed,
 * conference-end). A participant leaving for any other reason leaves the others in the room.
 */

export interface ConferenceSettings {
  statusCallback?: string;
  events: Set<string>;
  maxParticipants: number;
}

/** The account's conference of that name that has not ended, else undefined. */
export function activeConference(ctx: SimContext, accountSid: string, name: string): SimConference | undefined {
  for (const conference of ctx.conferences.values()) {
    if (conference.accountSid === accountSid && conference.friendlyName === name && conference.status !== "completed")
      return conference;
  }
  return undefined;
}

/** The named room, created (init) if none is open: the first participant's settings stick, as on Twilio. */
export function openConference(
  ctx: SimContext,
  account: SimAccount,
  name: string,
  settings: ConferenceSettings,
): SimConference {
  const open = activeConference(ctx, account.sid, name);
  if (open) return open;
  const conference: SimConference = {
    sid: randomSid("CF"),
    accountSid: account.sid,
    friendlyName: name,
    status: "init",
    created: new Date(),
    updated: new Date(),
    statusCallback: settings.statusCallback,
    events: settings.events,
    maxParticipants: settings.maxParticipants,
    sequence: 0,
    participants: new Map(),
    outbox: Promise.resolve(),
  };
  ctx.conferences.set(conference.sid, conference);
  return conference;
}

const joined = (conference: SimConference) => [...conference.participants.values()].filter((p) => p.joinedAt);

/** A participant whose call was answered (or whose <Dial><Conference> ran) enters the room. */
export async function joinRoom(
  ctx: SimContext,
  conference: SimConference,
  participant: SimParticipant,
  call: SimCall,
): Promise<void> {
  participant.joinedAt = Date.now();
  participant.updated = new Date();
  conference.updated = new Date();
  const others = joined(conference).length - 1;
  ctx.note(
    call,
    `joins conference "${conference.friendlyName}" (${others} other${others === 1 ? "" : "s"} in the room)`,
  );
  await conferenceEvent(ctx, conference, "participant-join", participant);
  const present = joined(conference);
  if (conference.status === "init" && present.length >= 2 && present.some((p) => p.startConferenceOnEnter)) {
    conference.status = "in-progress";
    await conferenceEvent(ctx, conference, "conference-start");
  }
}

/**
 * A participant leaves: the participant-leave event (participant_add_failed for one that never got
 * in), then the conference ends if it had endConferenceOnExit or the room is empty.
 */
export async function leaveRoom(
  ctx: SimContext,
  conference: SimConference,
  participant: SimParticipant,
  reason: LeaveReason,
  callStatus: string,
): Promise<void> {
  if (participant.left) return;
  participant.left = { reason, callStatus };
  participant.updated = new Date();
  conference.participants.delete(participant.callSid);
  conference.updated = new Date();
  await conferenceEvent(ctx, conference, "participant-leave", participant, {
    ParticipantCallStatus: callStatus,
    ReasonParticipantLeft: reason,
  });
  if (conference.status === "completed") return;
  const kicked = reason === "participant_updated_via_api";
  if (participant.joinedAt && participant.endConferenceOnExit) {
    const why = kicked
      ? "participant-with-end-conference-on-exit-kicked"
      : "participant-with-end-conference-on-exit-left";
    await endConference(ctx, conference, why, participant);
  } else if (conference.participants.size === 0) {
    await endConference(ctx, conference, kicked ? "last-participant-kicked" : "last-participant-left", participant);
  }
}

/** Ends the conference: everyone still in it leaves (their calls end or go on), then conference-end. */
export async function endConference(
  ctx: SimContext,
  conference: SimConference,
  reason: string,
  ender?: SimParticipant,
): Promise<void> {
  if (conference.status === "completed") return;
  conference.status = "completed";
  conference.reasonEnded = reason;
  conference.callSidEnding = ender?.callSid;
  conference.updated = new Date();
  const why: LeaveReason =
    reason === "conference-ended-via-api" ? "conference_ended_via_api" : "moderator_ended_conference";
  for (const participant of [...conference.participants.values()]) {
    // A participant added through the API hangs up with the conference; a <Dial><Conference> caller goes on.
    await leaveRoom(ctx, conference, participant, why, participant.kind === "api" ? "completed" : "in-progress");
  }
  await conferenceEvent(ctx, conference, "conference-end", undefined, {
    ReasonConferenceEnded: reason,
    ...(conference.callSidEnding ? { CallSidEndingConference: conference.callSidEnding } : {}),
    ...(ender?.label ? { ParticipantLabelEndingConference: ender.label } : {}),
    Reason: endedSentence(reason, ender),
  });
}

function endedSentence(reason: string, ender?: SimParticipant): string {
  if (reason === "conference-ended-via-api") return "Conference ended via API";
  if (reason.startsWith("participant-with-end-conference-on-exit"))
    return `Participant ${ender?.callSid ?? ""} with endConferenceOnExit left the conference`;
  return "Last participant left the conference";
}

/**
 * Waits while the participant is in the room: "left" once it left (kicked, or the conference
 * ended), "call" when its own call changed (hung up, ended or redirected through the API),
 * "time" after `simMs` of call time when given, "closed" when the simulator stopped.
 */
export async function stayInRoom(
  ctx: SimContext,
  participant: SimParticipant,
  call: SimCall,
  generation: number,
  simMs?: number,
): Promise<"left" | "call" | "time" | "closed"> {
  const until = simMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + simMs * ctx.pace;
  for (;;) {
    if (ctx.closed) return "closed";
    if (participant.left) return "left";
    if (call.generation !== generation) return "call";
    if (Date.now() >= until) return "time";
    await sleep(25);
  }
}

/** Why a participant whose call changed left, and its call's status then. */
export function leftByCall(call: SimCall): { reason: LeaveReason; callStatus: string } {
  if (call.hungUp) return { reason: "participant_hung_up", callStatus: "completed" };
  return {
    reason: "participant_updated_via_api",
    callStatus: call.status === "in-progress" ? "in-progress" : call.status,
  };
}
