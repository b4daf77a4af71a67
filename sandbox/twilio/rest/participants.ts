import { endCallNow } from "../call-status.js";
import { conferenceEvent } from "../conferences/events.js";
import { participantJson, type SimConference, type SimParticipant } from "../conferences/model.js";
import { activeConference, leaveRoom, openConference } from "../conferences/room.js";
import { conferenceEvents } from "../conferences/twiml-noun.js";
import type { SimContext } from "../context.js";
import { newCall, type SimAccount } from "../model.js";
import { startPlaying } from "../outbound.js";
import { notFound, type RestResult, randomSid, restError } from "../rest-kit.js";
import { page } from "./calls.js";
import { CONFERENCE_SID, ownConference } from "./conferences.js";
import {
  attributesRefusal,
  bool,
  CREATE_PARAMS,
  coachingRefusal,
  labelRefusal,
  numbersRefusal,
  UPDATE_PARAMS,
  unknownParam,
} from "./participant-rules.js";
import type { RestRequest, RestRoute } from "./route.js";

/**
 * Conferences/{ConferenceSid}/Participants: create (dials the number; once answered it joins),
 * list (Muted, Hold, Coaching filters), fetch, update (Muted, Hold, Coaching, CallSidToCoach,
 * EndConferenceOnExit…) and delete (kick), by Call SID or label. Create also takes the conference's
 * friendly name for its SID and opens that room if none is open ("Make Outbound Conference Call",
 * TwilioDevEd/api-snippets rest/participant/list-post-example-1). Reading, updating or deleting by a
 * name instead of a SID is refused 405 (20004), as Twilio answers it (twilio/twilio-php#474).
 * https://www.twilio.com/docs/voice/api/conference-participant-resource
 */

const methodNotAllowed = () => restError(405, 20004, "Method not allowed");

type Named = { conference: SimConference } | { name: string } | { error: RestResult };

/** The conference a path names: by SID (404 if it is not this account's), else by friendly name. */
function conferenceFor(request: RestRequest): Named {
  const key = decodeURIComponent(request.match[1]!);
  if (!CONFERENCE_SID.test(key)) return { name: key };
  const conference = ownConference(request.ctx, request.account, key);
  return conference ? { conference } : { error: notFound() };
}

/** The events the first participant asks for: ConferenceStatusCallbackEvent, by default "start end". */
function requestedEvents(params: URLSearchParams): Set<string> {
  const given = params.getAll("ConferenceStatusCallbackEvent");
  return conferenceEvents(given.length > 0 ? given : ["start end"]);
}

function createParticipant(request: RestRequest): RestResult {
  const { ctx, account, params } = request;
  const named = conferenceFor(request);
  if ("error" in named) return named.error;
  const existing = "conference" in named ? named.conference : activeConference(ctx, account.sid, named.name);
  if (existing?.status === "completed") return restError(400, 16022, "Conference does not exist or is completed");
  const coaching = bool(params.get("Coaching"), params.has("CallSidToCoach"));
  const callSidToCoach = params.get("CallSidToCoach") ?? undefined;
  const refused =
    unknownParam(params, CREATE_PARAMS) ??
    numbersRefusal(account, params) ??
    attributesRefusal(params) ??
    labelRefusal(params.get("Label"), existing) ??
    coachingRefusal(coaching, callSidToCoach, existing);
  if (refused) return refused;
  if (existing && existing.participants.size >= existing.maxParticipants)
    return restError(400, 16020, "Conference is full");
  const conference =
    existing ??
    openConference(ctx, account, "name" in named ? named.name : "", {
      statusCallback: params.get("ConferenceStatusCallback") ?? undefined,
      events: requestedEvents(params),
      maxParticipants: Number(params.get("MaxParticipants") ?? 250),
    });
  const participant = dialParticipant(ctx, account, conference, params, { coaching, callSidToCoach });
  const call = ctx.calls.get(participant.callSid)!;
  // Twilio answers with the leg still queued (queue_time is only in this answer); then it dials.
  const body = { ...participantJson(conference, participant, call), queue_time: "0" };
  if (!call.held) startPlaying(ctx, call);
  return { status: 201, body };
}

/** The participant and its call (with the status callbacks it asked for), not dialled yet. */
function dialParticipant(
  ctx: SimContext,
  account: SimAccount,
  conference: SimConference,
  params: URLSearchParams,
  coach: { coaching: boolean; callSidToCoach?: string },
): SimParticipant {
  const legParams = new URLSearchParams();
  for (const key of ["StatusCallback", "Timeout"]) {
    const value = params.get(key);
    if (value !== null) legParams.set(key, value);
  }
  for (const event of params
    .getAll("StatusCallbackEvent")
    .flatMap((value) => value.split(/[\s,]+/))
    .filter(Boolean))
    legParams.append("StatusCallbackEvent", event);
  const call = newCall({
    sid: randomSid("CA"),
    accountSid: account.sid,
    to: params.get("To")!,
    from: params.get("CallerId") ?? params.get("From")!,
    direction: "outbound-api",
    status: "queued",
    params: legParams,
    conferenceSid: conference.sid,
  });
  call.held = (account.callFlow ?? ctx.callFlow) === "hold";
  const participant: SimParticipant = {
    callSid: call.sid,
    kind: "api",
    label: params.get("Label") ?? undefined,
    muted: bool(params.get("Muted"), false),
    hold: false,
    ...coach,
    startConferenceOnEnter: bool(params.get("StartConferenceOnEnter"), true),
    endConferenceOnExit: bool(params.get("EndConferenceOnExit"), false),
    beep: params.get("Beep") ?? "true",
    created: new Date(),
    updated: new Date(),
  };
  ctx.calls.set(call.sid, call);
  conference.participants.set(call.sid, participant);
  const how = call.held ? "held: it plays out when asked" : ctx.scenario(call.to).describe;
  ctx.note(call, `participant dialled into conference "${conference.friendlyName}" to ${call.to} (${how})`);
  return participant;
}

/** The participant a path names, by Call SID or label, in a conference named by SID. */
function participantFor(request: RestRequest): { conference: SimConference; participant: SimParticipant } | RestResult {
  const named = conferenceFor(request);
  if ("error" in named) return named.error;
  if ("name" in named) return methodNotAllowed();
  const { conference } = named;
  const key = decodeURIComponent(request.match[2]!);
  const participant =
    conference.participants.get(key) ?? [...conference.participants.values()].find((p) => p.label === key);
  return participant ? { conference, participant } : notFound();
}

function updateParticipant(request: RestRequest): RestResult {
  const found = participantFor(request);
  if (!("participant" in found)) return found;
  const { conference, participant } = found;
  const { ctx, params } = request;
  const coaching = bool(params.get("Coaching"), params.has("CallSidToCoach") || participant.coaching);
  const callSidToCoach = params.get("CallSidToCoach") ?? participant.callSidToCoach;
  const refused =
    unknownParam(params, UPDATE_PARAMS) ??
    (params.has("Coaching") || params.has("CallSidToCoach")
      ? coachingRefusal(coaching, coaching ? callSidToCoach : undefined, conference)
      : undefined);
  if (refused) return refused;
  const before = { ...participant };
  participant.muted = bool(params.get("Muted"), participant.muted);
  participant.hold = bool(params.get("Hold"), participant.hold);
  participant.endConferenceOnExit = bool(params.get("EndConferenceOnExit"), participant.endConferenceOnExit);
  participant.coaching = coaching;
  participant.callSidToCoach = coaching ? callSidToCoach : undefined;
  participant.updated = new Date();
  announceChanges(ctx, conference, participant, before, params);
  return { status: 200, body: participantJson(conference, participant, ctx.calls.get(participant.callSid)) };
}

/** mute/unmute, hold/unhold and modify events for what the update changed. */
function announceChanges(
  ctx: SimContext,
  conference: SimConference,
  participant: SimParticipant,
  before: SimParticipant,
  params: URLSearchParams,
): void {
  const call = ctx.calls.get(participant.callSid);
  if (participant.muted !== before.muted) {
    if (call) ctx.note(call, participant.muted ? "muted" : "unmuted");
    void conferenceEvent(ctx, conference, participant.muted ? "participant-mute" : "participant-unmute", participant);
  }
  if (participant.hold !== before.hold) {
    if (call) ctx.note(call, participant.hold ? "put on hold" : "taken off hold");
    void conferenceEvent(ctx, conference, participant.hold ? "participant-hold" : "participant-unhold", participant);
  }
  const modified =
    participant.endConferenceOnExit !== before.endConferenceOnExit ||
    participant.coaching !== before.coaching ||
    participant.callSidToCoach !== before.callSidToCoach ||
    params.has("BeepOnExit") ||
    params.has("WaitUrl");
  if (modified) void conferenceEvent(ctx, conference, "participant-modify", participant);
}

/** Kick: the participant leaves; a leg added through the API hangs up, a <Dial><Conference> call goes on. */
function deleteParticipant(request: RestRequest): RestResult {
  const found = participantFor(request);
  if (!("participant" in found)) return found;
  const { conference, participant } = found;
  const call = request.ctx.calls.get(participant.callSid);
  const callStatus = participant.kind === "twiml" ? "in-progress" : participant.joinedAt ? "completed" : "canceled";
  void leaveRoom(request.ctx, conference, participant, "participant_updated_via_api", callStatus);
  if (call && participant.kind === "api") endCallNow(request.ctx, call, "removed from the conference");
  return { status: 204, body: null };
}

function listParticipants(request: RestRequest): RestResult {
  const named = conferenceFor(request);
  if ("error" in named) return named.error;
  if ("name" in named) return methodNotAllowed();
  const found = named.conference;
  const { ctx, query, path } = request;
  const wanted = (name: string, value: boolean) => query.get(name) === null || bool(query.get(name), false) === value;
  const list = [...found.participants.values()].filter(
    (p) => wanted("Muted", p.muted) && wanted("Hold", p.hold) && wanted("Coaching", p.coaching),
  );
  const items = list.map((p) => participantJson(found, p, ctx.calls.get(p.callSid)));
  return { status: 200, body: page(items, "participants", path, query) };
}

const ONE = /^\/Conferences\/([^/]+)\/Participants\/([^/]+)\.json$/;
const ALL = /^\/Conferences\/([^/]+)\/Participants\.json$/;

export const participantRoutes: RestRoute[] = [
  { operation: "createParticipant", method: "POST", path: ALL, handle: createParticipant },
  { operation: "listParticipants", method: "GET", path: ALL, handle: listParticipants },
  {
    operation: "fetchParticipant",
    method: "GET",
    path: ONE,
    handle: (request) => {
      const found = participantFor(request);
      if (!("participant" in found)) return found;
      const call = request.ctx.calls.get(found.participant.callSid);
      return { status: 200, body: participantJson(found.conference, found.participant, call) };
    },
  },
  { operation: "updateParticipant", method: "POST", path: ONE, handle: updateParticipant },
  { operation: "deleteParticipant", method: "DELETE", path: ONE, handle: deleteParticipant },
];
