import type { SimContext } from "../context.js";
import type { DialResult } from "../dial.js";
import type { SimCall } from "../model.js";
import { readTwiml, type TwimlNode } from "../twiml-reader.js";
import { callParams } from "../webhooks.js";
import { CONFERENCE_EVENTS } from "./events.js";
import type { SimConference, SimParticipant } from "./model.js";
import { joinRoom, leaveRoom, leftByCall, openConference, stayInRoom } from "./room.js";

/**
 * <Dial><Conference>name</Conference></Dial>: the call joins the named room with the noun's
 * attributes (muted, beep, startConferenceOnEnter, endConferenceOnExit, participantLabel, waitUrl,
 * maxParticipants, coach, statusCallback, statusCallbackEvent) and stays until it is kicked, the
 * conference ends, or its own call ends or is redirected; then the <Dial> completes and its action
 * (or the next verb) runs, as https://www.twilio.com/docs/voice/twiml/conference describes.
 * A phone in a conference never hangs up on its own: `hangUp(callSid)` plays the person leaving.
 */

const flag = (value: string | undefined, fallback: boolean) => (value === undefined ? fallback : value === "true");

/** statusCallbackEvent / ConferenceStatusCallbackEvent: space- (or comma-) separated, unknown values dropped. */
export const conferenceEvents = (values: string[]) =>
  new Set(values.flatMap((value) => value.split(/[\s,]+/)).filter((event) => CONFERENCE_EVENTS.has(event)));

/** Why Twilio would not put this call in the room (Twilio's error code and words), else undefined. */
function refusal(conference: SimConference, attrs: Record<string, string>): [number, string] | undefined {
  const present = [...conference.participants.values()];
  if (attrs.participantLabel && present.some((p) => p.label === attrs.participantLabel))
    return [16025, `A participant with label ${attrs.participantLabel} already exists in the conference`];
  if (present.length >= conference.maxParticipants) return [16020, "Conference is full"];
  if (attrs.coach && !conference.participants.get(attrs.coach)?.joinedAt)
    return [13240, `The call to coach ${attrs.coach} is not connected to the conference`];
  return undefined;
}

function participantFrom(call: SimCall, attrs: Record<string, string>): SimParticipant {
  return {
    callSid: call.sid,
    kind: "twiml",
    label: attrs.participantLabel,
    muted: flag(attrs.muted, false),
    hold: false,
    coaching: Boolean(attrs.coach),
    callSidToCoach: attrs.coach,
    startConferenceOnEnter: flag(attrs.startConferenceOnEnter, true),
    endConferenceOnExit: flag(attrs.endConferenceOnExit, false),
    beep: attrs.beep ?? "true",
    created: new Date(),
    updated: new Date(),
  };
}

export async function conferenceNoun(ctx: SimContext, call: SimCall, noun: TwimlNode): Promise<DialResult | undefined> {
  const attrs = noun.attrs;
  const name = noun.text.trim();
  const conference = openConference(ctx, ctx.account(call), name, {
    statusCallback: attrs.statusCallback,
    events: conferenceEvents(attrs.statusCallbackEvent ? [attrs.statusCallbackEvent] : []),
    maxParticipants: Number(attrs.maxParticipants ?? 250),
  });
  const refused = refusal(conference, attrs);
  if (refused) {
    ctx.note(call, `not put in conference "${name}": ${refused[1]} (${refused[0]})`);
    // A coach that cannot coach fails to the action; the others go on with the next verb.
    return refused[0] === 13240 ? { status: "failed", duration: 0 } : undefined;
  }
  const participant = participantFrom(call, attrs);
  conference.participants.set(call.sid, participant);
  const generation = call.generation;
  await joinRoom(ctx, conference, participant, call);
  if (conference.status === "init") void waiting(ctx, call, attrs);
  const stayed = await stayInRoom(ctx, participant, call, generation);
  if (stayed === "closed") return undefined;
  const duration = Math.max(0, Math.round((Date.now() - (participant.joinedAt ?? Date.now())) / ctx.pace / 1000));
  if (stayed === "call") {
    // The call ended or got new TwiML: its <Dial> is over with no action.
    const left = leftByCall(call);
    await leaveRoom(ctx, conference, participant, left.reason, left.callStatus);
    return undefined;
  }
  ctx.note(call, `left conference "${name}" (${participant.left?.reason ?? "ended"})`);
  return { status: "completed", duration };
}

/**
 * What the caller hears until the conference starts: nothing when waitUrl is "" (silence), Twilio's
 * hold music when there is none, else the waitUrl's document (fetched, signed, as a webhook).
 */
async function waiting(ctx: SimContext, call: SimCall, attrs: Record<string, string>): Promise<void> {
  const waitUrl = attrs.waitUrl;
  if (waitUrl === "") return ctx.note(call, "hears silence while the conference waits to start");
  if (waitUrl === undefined) return ctx.note(call, "hears Twilio's hold music while the conference waits to start");
  try {
    const document = readTwiml(await ctx.webhook(ctx.account(call), waitUrl, callParams(call)));
    const said = document.children.filter((verb) => verb.name === "Say").map((verb) => verb.text.trim());
    ctx.note(call, `hears the wait music of ${waitUrl}${said.length ? `: "${said.join(" ")}"` : ""}`);
  } catch (error) {
    ctx.note(call, `the waitUrl failed: ${(error as Error).message}`);
  }
}
