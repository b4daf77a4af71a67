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

/** A participant whose call was answered (or whose <Dial><Conference> ran) enters the room; it may start. */
export function joinRoom(
  ctx: SimContext,
  conference: SimConference,
  participant: SimParticipant,
  call: SimCall,
): Promise<void> {
  participant.joinedAt = Date.now();
  participant.updated = new Date();
  conference.updated = new Date();
  const present = joined(conference);
  const others = present.length - 1;
  ctx.note(
    call,
    `joins conference "${conference.friendlyName}" (${others} other${others === 1 ? "" : "s"} in the room)`,
  );
  const sent = conferenceEvent(ctx, conference, "participant-join", participant);
  if (conference.status !== "init" || present.length < 2 || !present.some((p) => p.startConferenceOnEnter)) return sent;
  conference.status = "in-progress";
  return conferenceEvent(ctx, conference, "conference-start");
}

/**
 * A participant leaves: the participant-leave event (participant_add_failed for one that never got
 * in), then the conference ends if it had endConferenceOnExit or the room is now empty. What
 * happens is decided at once and its events queued together, so they go out in that order.
 */
export function leaveRoom(
  ctx: SimContext,
  conference: SimConference,
  participant: SimParticipant,
  reason: LeaveReason,
  callStatus: string,
): Promise<void> {
  if (participant.left) return conference.outbox;
  markLeft(conference, participant, reason, callStatus);
  const ending = conference.status === "completed" ? undefined : endingReason(conference, participant, reason);
  const others = ending ? closeConference(conference, ending, participant) : [];
  const sent = leaveEvent(ctx, conference, participant);
  return ending ? announceEnd(ctx, conference, ending, others, participant) : sent;
}

/** Ends the conference through the API: everyone leaves (their calls end or go on), then conference-end. */
export function endConference(ctx: SimContext, conference: SimConference, reason: string): Promise<void> {
  if (conference.status === "completed") return conference.outbox;
  const others = closeConference(conference, reason);
  return announceEnd(ctx, conference, reason, others);
}

function markLeft(conference: SimConference, participant: SimParticipant, reason: LeaveReason, callStatus: string) {
  participant.left = { reason, callStatus };
  participant.updated = new Date();
  conference.participants.delete(participant.callSid);
  conference.updated = new Date();
}

function endingReason(conference: SimConference, participant: SimParticipant, reason: LeaveReason) {
  const kicked = reason === "participant_updated_via_api";
  if (participant.joinedAt && participant.endConferenceOnExit)
    return kicked ? "participant-with-end-conference-on-exit-kicked" : "participant-with-end-conference-on-exit-left";
  if (conference.participants.size === 0) return kicked ? "last-participant-kicked" : "last-participant-left";
  return undefined;
}

/** The conference is over now: completed, and everyone still in it out (a leg added through the API hangs up). */
function closeConference(conference: SimConference, reason: string, ender?: SimParticipant): SimParticipant[] {
  conference.status = "completed";
  conference.reasonEnded = reason;
  conference.callSidEnding = ender?.callSid;
  conference.updated = new Date();
  const why: LeaveReason =
    reason === "conference-ended-via-api" ? "conference_ended_via_api" : "moderator_ended_conference";
  const others = [...conference.participants.values()];
  for (const p of others) {
    // A <Dial><Conference> caller goes on with its TwiML: its call is still in progress.
    markLeft(conference, p, why, p.kind === "twiml" ? "in-progress" : p.joinedAt ? "completed" : "canceled");
  }
  return others;
}

function leaveEvent(ctx: SimContext, conference: SimConference, participant: SimParticipant): Promise<void> {
  return conferenceEvent(ctx, conference, "participant-leave", participant, {
    ParticipantCallStatus: participant.left?.callStatus ?? "completed",
    ReasonParticipantLeft: participant.left?.reason ?? "participant_hung_up",
  });
}

function announceEnd(
  ctx: SimContext,
  conference: SimConference,
  reason: string,
  others: SimParticipant[],
  ender?: SimParticipant,
): Promise<void> {
  for (const participant of others) void leaveEvent(ctx, conference, participant);
  return conferenceEvent(ctx, conference, "conference-end", undefined, {
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
