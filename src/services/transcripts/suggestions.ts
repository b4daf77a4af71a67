import { DateTime } from "luxon";
import type { Outcome } from "../calls/outcomes.js";
import type { CallSummaryData, SuggestedOutcome } from "./summary-request.js";

/**
 * What a summary suggests, as the buttons a person may tap: never applied on their own. The mapping
 * from the model's JSON is here, pure, so it is tested against golden answers.
 */
export type Suggestion =
  | { kind: "outcome"; outcome: Outcome }
  | { kind: "callback"; at: Date; zone: string }
  | { kind: "dnc" };

const OUTCOME_OF: Record<SuggestedOutcome, Outcome | undefined> = {
  interested: "interested",
  appointment_set: "appointment",
  callback: "callback",
  not_interested: "not_interested",
  wrong_number: "wrong_number",
  do_not_call: undefined, // offered as "Add to do-not-call", with its confirm
  none: undefined,
};

/** A call back is offered this far ahead at most (the scheduler books within 90 days). */
const MAX_AHEAD_MS = 90 * 86_400_000;

/** The first next step with a date and a time, as an instant in the lead's zone, if it is still ahead. */
export function callbackTime(summary: CallSummaryData, zone: string, now: Date): Date | undefined {
  for (const step of summary.nextSteps) {
    if (!step.date || !step.time) continue;
    const at = DateTime.fromISO(`${step.date}T${step.time}`, { zone });
    if (!at.isValid) continue;
    const ms = at.toMillis();
    if (ms > now.getTime() && ms - now.getTime() <= MAX_AHEAD_MS) return new Date(ms);
  }
  return undefined;
}

export function suggestionsFrom(summary: CallSummaryData, context: { zone: string; now: Date }): Suggestion[] {
  const out: Suggestion[] = [];
  const stop = summary.flags.askedNotToBeCalled || summary.suggestedOutcome === "do_not_call";
  const outcome = OUTCOME_OF[summary.suggestedOutcome];
  if (outcome && !stop) out.push({ kind: "outcome", outcome });
  // Never a call back to someone who asked not to be called, or to a wrong number.
  const at =
    stop || summary.suggestedOutcome === "wrong_number" ? undefined : callbackTime(summary, context.zone, context.now);
  if (at) out.push({ kind: "callback", at, zone: context.zone });
  if (stop) out.push({ kind: "dnc" });
  return out;
}
