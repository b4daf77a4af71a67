import type { Call } from "@prisma/client";
import { outcomeNote } from "../calls/call-status.js";
import { OUTCOMES, type Outcome } from "../calls/outcomes.js";
import type { CrmCallLog, CrmCallOutcome } from "./connector.js";

/** Leadline's outcomes in the CRM's words; what the CRM has no word for stays in the note. */
const OUTCOME_MAP: Record<Outcome, CrmCallOutcome> = {
  interested: "Interested",
  appointment: "Interested",
  callback: "Interested",
  not_interested: "Not Interested",
  wrong_number: "Bad Number",
  do_not_call: "Not Interested",
};

/** The CRM outcome of a call: the agent's outcome, else what the line said (busy, no answer, a voicemail). */
export function crmOutcome(call: Pick<Call, "outcome" | "status" | "voicemailLeft">): CrmCallOutcome | null {
  if (call.outcome && Object.hasOwn(OUTCOME_MAP, call.outcome)) return OUTCOME_MAP[call.outcome as Outcome];
  if (call.status === "busy") return "Busy";
  if (call.status === "no-answer") return "No Answer";
  if (call.status === "completed" && call.voicemailLeft) return "Left Message";
  return null;
}

/** What marks a logged call as this call's in the CRM (found again after a lost answer). */
export const sidMarker = (sid: string) => `Call SID: ${sid}`;

/** The same for a text (FUB: its externalLabel). */
export const textMarker = (sid: string) => `Leadline text ${sid}`;

/** The call as the CRM logs it. */
export function callLog(
  call: Pick<
    Call,
    | "id"
    | "twilioSid"
    | "status"
    | "durationSec"
    | "answeredBy"
    | "voicemailLeft"
    | "mode"
    | "agentLegStatus"
    | "outcome"
    | "fromNumber"
    | "toNumber"
  >,
  leadPhone: string | null | undefined,
  personId: number,
  userId: number | undefined,
): CrmCallLog {
  const line = outcomeNote(call);
  const outcome = call.outcome && Object.hasOwn(OUTCOMES, call.outcome) ? OUTCOMES[call.outcome as Outcome] : null;
  const marker = sidMarker(call.twilioSid ?? `call ${call.id}`);
  const note = [
    `Leadline call${outcome ? ` - outcome: ${outcome}` : ""}`,
    line.includes(marker) ? line : `${line} - ${marker}`,
  ];
  return {
    personId,
    phone: leadPhone ?? call.toNumber,
    isIncoming: false,
    outcome: crmOutcome(call),
    note: note.join("\n"),
    durationSec: call.durationSec ?? 0,
    fromNumber: call.fromNumber,
    toNumber: call.toNumber,
    ...(userId ? { userId } : {}),
  };
}
