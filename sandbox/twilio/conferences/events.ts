import type { SimContext } from "../context.js";
import { rfc2822 } from "../rest-kit.js";
import type { SimConference, SimParticipant } from "./model.js";

/**
 * Conference status callbacks (the <Conference> noun's statusCallback, or Participants create's
 * ConferenceStatusCallback): only the events the first participant asked for (start end join leave
 * mute hold modify speaker announcement), signed like every webhook, one at a time in order.
 * Parameters as Twilio documents them ("Request Parameters" of
 * https://www.twilio.com/docs/voice/twiml/conference#attributes-status-callback-parameters).
 */

export type ConferenceEventName =
  | "conference-start"
  | "conference-end"
  | "participant-join"
  | "participant-leave"
  | "participant-mute"
  | "participant-unmute"
  | "participant-hold"
  | "participant-unhold"
  | "participant-modify";

/** The statusCallbackEvent value that asks for each event. */
const CATEGORY: Record<ConferenceEventName, string> = {
  "conference-start": "start",
  "conference-end": "end",
  "participant-join": "join",
  "participant-leave": "leave",
  "participant-mute": "mute",
  "participant-unmute": "mute",
  "participant-hold": "hold",
  "participant-unhold": "hold",
  "participant-modify": "modify",
};

/** The values `statusCallbackEvent` (TwiML) and `ConferenceStatusCallbackEvent` (REST) accept. */
export const CONFERENCE_EVENTS: ReadonlySet<string> = new Set([
  "start",
  "end",
  "join",
  "leave",
  "mute",
  "hold",
  "modify",
  "speaker",
  "announcement",
]);

const participantParams = (participant: SimParticipant): Record<string, string> => ({
  CallSid: participant.callSid,
  Muted: String(participant.muted),
  Hold: String(participant.hold),
  Coaching: String(participant.coaching),
  EndConferenceOnExit: String(participant.endConferenceOnExit),
  StartConferenceOnEnter: String(participant.startConferenceOnEnter),
  ...(participant.label ? { ParticipantLabel: participant.label } : {}),
});

/** Queues the event's callback if the conference asked for it; resolves once it was sent (or refused). */
export function conferenceEvent(
  ctx: SimContext,
  conference: SimConference,
  event: ConferenceEventName,
  participant?: SimParticipant,
  extra: Record<string, string> = {},
): Promise<void> {
  const url = conference.statusCallback;
  if (!url || !conference.events.has(CATEGORY[event])) return conference.outbox;
  const params = {
    ConferenceSid: conference.sid,
    FriendlyName: conference.friendlyName,
    AccountSid: conference.accountSid,
    SequenceNumber: String(++conference.sequence),
    Timestamp: rfc2822(new Date()),
    StatusCallbackEvent: event,
    ...(participant ? participantParams(participant) : {}),
    ...extra,
  };
  const account = ctx.accounts.get(conference.accountSid);
  conference.outbox = conference.outbox.then(async () => {
    if (!account || ctx.closed) return;
    await ctx
      .webhook(account, url, params)
      .catch((error: unknown) => ctx.log.warn({ err: error, event }, "conference callback was not accepted"));
  });
  return conference.outbox;
}
