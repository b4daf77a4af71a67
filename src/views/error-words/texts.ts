import type { Words } from "./words.js";

// The texts domain's refusals (src/services/texts), in the words a person reads, and the words for
// Twilio's texting error codes (a refused send, a text's line in the thread).

const text = (value: unknown) => (typeof value === "string" ? value : String(value ?? ""));
const twilioCode = (data: Record<string, unknown>) => (typeof data.twilioCode === "number" ? data.twilioCode : null);

/** Words for Twilio's texting codes a person may meet; anything else shows Twilio's own words. */
export function textErrorWords(code: number | null | undefined, twilioWords?: string | null): string {
  switch (code) {
    case 21610:
      return "the lead has opted out of texts from this team (they replied STOP)";
    case 21614:
    case 30006:
      return "the number cannot receive texts (a landline or a number without texting)";
    case 21612:
    case 30003:
    case 30005:
      return "the number cannot be reached by text";
    case 21408:
      return "texting to this country is not enabled on the Twilio account";
    case 30007:
      return "the carrier filtered the text as spam";
    case 30034:
      return "the carrier blocked it: the Messaging Service has no approved US A2P 10DLC campaign, so texts to US numbers are not delivered. Texting is off until your A2P campaign is approved";
    default:
      return twilioWords ?? "Twilio did not say why";
  }
}

export const TEXT_WORDS: Record<string, Words> = {
  // Thrown by texts (requireTexting) and by TwilioNotConfigured (services/twilio, `workspace`).
  twilio_missing: (data) =>
    `Twilio is not connected${data.workspace ? " for this workspace" : ""}; an admin can connect it with /twilio-setup.`,
  texting_not_set_up: () =>
    "Texting is not set up: an admin picks the Messaging Service texts go through in /twilio-setup.",
  a2p_unapproved: (data) => {
    const errors = Array.isArray(data.errors) ? data.errors.map(String) : [];
    return `Texting is off until your A2P campaign is approved. Twilio reports the campaign as ${text(data.status)}${errors.length ? `: ${errors.join("; ")}` : ""}. Nothing was sent.`;
  },
  text_unreachable: (data) =>
    `Texts cannot reach ${text(data.leadName)}: ${textErrorWords(twilioCode(data))} (Twilio ${String(data.twilioCode)}, seen ${dayWords(data.markedOn)}). Nothing was sent; call them, or change their number.`,
  text_cannot_receive: (data) => refusedWords(data),
  text_refused: (data) => refusedWords(data),
  text_unknown: (data) =>
    `Twilio did not answer, and Leadline could not confirm whether the text to ${text(data.leadName)} was sent. It will not send it again.`,
  text_not_sent: (data) =>
    `Twilio did not answer in time and has no record of a text to ${text(data.leadName)}, so nothing was sent. You can try again.`,
  text_missing: () => "That text can no longer be scheduled; write it again.",
  text_already_sent: (data) => `This click already sent a text to ${text(data.leadName)}; nothing was sent again.`,
  text_opted_out: (data) =>
    `${text(data.leadName)} opted out of texts (they texted STOP): nothing can be sent to them until they text START. Nothing was sent.`,
  text_empty: () => "The text is empty; write what to send.",
  text_no_message: (data) => `Say what to text after the lead, e.g. /text ${text(data.who)} Are you free at 5?`,
  text_no_lead: (data) => `No lead matches “${text(data.who)}”. Find them with /lead, then use their #number.`,
  text_too_long: (data) =>
    `The text is too long: ${text(data.segments)} segments (${text(data.characters)} characters); at most ${text(data.maxSegments)} segments can be sent. Shorten it.`,
};

/** "2026-11-24" as people read it: "Nov 24, 2026" (anything else as given). */
function dayWords(value: unknown): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text(value));
  if (!day) return text(value);
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
    Number(day[2]) - 1
  ];
  return month ? `${month} ${Number(day[3])}, ${day[1]}` : text(value);
}

/** Twilio refused the send: its code in words (or Twilio's own words). */
function refusedWords(data: Record<string, unknown>): string {
  const said = typeof data.said === "string" ? data.said : null;
  return `Nothing was sent to ${text(data.leadName)}: ${textErrorWords(twilioCode(data), said)} (Twilio ${String(data.twilioCode)}).`;
}
