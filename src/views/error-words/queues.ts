import type { Words } from "./words.js";

// The queues domain's refusals (src/services/queues: runs, supervising, speed-to-lead, the admin's
// queue settings), in the words a person reads.

const text = (value: unknown) => (typeof value === "string" ? value : String(value ?? ""));
const list = (value: unknown) => (Array.isArray(value) ? value.map(String).join("; ") : text(value));

export const QUEUE_WORDS: Record<string, Words> = {
  queue_run_gone: () => "That agent is not on a queue run any more.",
  queue_own_run: () => "That is your own run.",
  queue_listened: () => "Another supervisor is already on that run; try again when they hang up.",
  supervisor_phone_missing: () => "Set your own phone first (/call-lead settings): Leadline rings it to listen in.",
  speed_unknown: () => "That lead is no longer waiting for a claim.",
  speed_limit_invalid: (data) =>
    `The speed-to-lead limit is a whole number of minutes from ${text(data.min)} to ${text(data.max)}.`,
  queue_run_not_yours: () => "That queue run is not yours.",
  queue_run_ended: () => "That queue run has ended. Start it again with /call-queue.",
  queue_deleted: () => "That queue was deleted; the run has ended.",
  queue_not_answered: () => "Answer your phone first: the lead joins you on that line.",
  queue_claim_expired: () => "That lead is no longer yours (the claim ran out); here is the next.",
  queue_gone: () => "That queue was deleted meanwhile. Open App Home again to see the queues there are.",
  queue_missing: (data) => `There is no queue named "${text(data.name)}".`,
  queue_not_ready: () => "Calling a queue needs Twilio set up and your phone (set it with /call-lead settings).",
  queue_run_live: () => "You are already working a queue: stop that run first.",
  queue_claim_lost: () => "That lead is no longer yours to skip.",
  queue_skip_reason: () => "Pick why you skip this lead from the Skip menu on the card.",
  queue_snooze_past: (data) =>
    `That snooze would end in the past (or in under ${text(data.minMinutes)} minutes): pick a later time, such as 1 hour or tomorrow morning.`,
  queue_snooze_too_far: (data) =>
    `A snooze lasts at most ${text(data.maxDays)} days: pick an earlier time, or skip the lead with a reason instead.`,
  queue_claim_not_called: () => "That lead was not called in this run.",
  queue_invalid: (data) => `That queue was not saved: ${list(data.problems)}.`,
  queue_name_taken: (data) => `A queue named "${text(data.name)}" already exists; pick another name.`,
  queue_gone_meanwhile: (data) => `The queue "${text(data.name)}" was deleted meanwhile; nothing was saved.`,
};
