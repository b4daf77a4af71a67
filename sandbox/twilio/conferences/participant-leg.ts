import { finish } from "../call-status.js";
import type { SimContext } from "../context.js";
import type { SimCall } from "../model.js";
import { ringOutbound } from "../ringing.js";
import { joinRoom, leaveRoom, leftByCall, stayInRoom } from "./room.js";

/**
 * A leg created by Conferences/{sid}/Participants: its call rings the number (with the call status
 * callbacks it asked for) and follows that number's scenario; once answered it joins the room. A
 * person talks for their scenario's talkSec, then hangs up; a voicemail box plays its greeting and
 * records for MACHINE_SEC. Busy, failed or unanswered legs leave with participant_add_failed.
 * https://www.twilio.com/docs/voice/api/conference-participant-resource#create-a-participant-resource
 */

/** How long a voicemail box that answered a conference leg stays before it hangs up (greeting + message). */
export const MACHINE_SEC = 20;

export async function runParticipantLeg(ctx: SimContext, call: SimCall): Promise<void> {
  const conference = ctx.conferences.get(call.conferenceSid ?? "");
  const participant = conference?.participants.get(call.sid);
  if (!conference || !participant) throw new Error(`call ${call.sid} is not a participant of a conference`);
  const callee = ctx.scenario(call.to);
  if (!(await ringOutbound(ctx, call, callee))) {
    await leaveRoom(ctx, conference, participant, "participant_add_failed", call.status);
    return;
  }
  if (participant.left) {
    // Kicked or the conference ended while it rang: the callee picks up to nothing.
    return finish(ctx, call, "completed");
  }
  const generation = call.generation;
  await joinRoom(ctx, conference, participant, call);
  const machine = callee.outcome === "machine";
  const talkSec = machine ? MACHINE_SEC : callee.talkSec;
  ctx.note(call, machine ? "a voicemail greeting plays into the conference" : `talks for ${talkSec}s`);
  const stayed = await stayInRoom(ctx, participant, call, generation, talkSec * 1_000);
  if (stayed === "closed") return;
  if (stayed === "time") {
    call.hungUp = true;
    ctx.note(call, "hangs up");
    await leaveRoom(ctx, conference, participant, "participant_hung_up", "completed");
  } else if (stayed === "call") {
    const left = leftByCall(call);
    await leaveRoom(ctx, conference, participant, left.reason, left.callStatus);
  }
  await finish(ctx, call, "completed");
}
