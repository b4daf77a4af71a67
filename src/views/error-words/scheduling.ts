import type { Words } from "./words.js";

// The scheduling domain's refusals (src/services/scheduling), in the words a person reads.

const done = (status: unknown) =>
  `That scheduled call was already ${status === "claimed" ? "being placed" : String(status)}.`;

export const SCHEDULE_WORDS: Record<string, Words> = {
  schedule_missing: () => "That scheduled call no longer exists.",
  booked_for_other: () => "That call is booked for another agent: only they or an admin can change it.",
  time_unreadable: () => "That is not a time Leadline can read.",
  time_past: () => "Pick a time in the future (at least a minute from now).",
  time_too_far: (data) => `Pick a time within ${String(data.maxDays)} days.`,
  schedule_done: (data) =>
    data.cancelling && data.status === "scheduled"
      ? "That scheduled call could not be cancelled; try again."
      : done(data.status),
};
