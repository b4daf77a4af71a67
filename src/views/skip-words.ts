import type { AgentSkipReason } from "../services/queues/queue-claims.js";
import type { SnoozeChoice } from "../services/queues/snooze.js";

/** The Skip menu on the queue card: why the agent passes over the lead (option texts, ≤ 75 characters). */
export const SKIP_MENU: Record<AgentSkipReason, string> = {
  not_now: "Not interested right now",
  call_later: "Asked to be called later",
  in_touch: "Already in touch with us",
  wrong_number: "Wrong number (out of this queue)",
  other: "Other reason",
};

/** Snooze's last option: opens a day-and-time form instead of snoozing at once. */
export const SNOOZE_PICK = "pick";

/** The Snooze menu: until when the lead is put aside ("their" is the lead's time zone). */
export const SNOOZE_MENU: Record<SnoozeChoice | typeof SNOOZE_PICK, string> = {
  "1h": "1 hour",
  "3h": "3 hours",
  tomorrow: "Tomorrow morning (their time)",
  next_week: "Next week (Monday morning, their time)",
  pick: "Pick a day and time…",
};

/** Each skip's reason as the progress line and /call-stats count it: the agent's and the law's. */
export const SKIP_WORDS: Record<string, string> = {
  not_now: "not interested now",
  call_later: "asked to call later",
  in_touch: "already in touch",
  wrong_number: "wrong number",
  other: "other",
  agent: "skipped",
  snooze: "snoozed",
  hours: "outside hours",
  day: "not a calling day",
  team_window: "outside the team's hours",
  cap: "3-a-day cap",
  dnc: "do-not-call",
  unknown_zone: "zone unknown",
  consent: "no consent",
  recall_gap: "re-call gap",
  gone: "no phone",
};

/**
 * "3 skipped (2 outside hours, 1 wrong number) · 1 snoozed": skips by reason, most first; snoozes apart
 * (a snoozed lead comes back at the time the agent chose, it was not passed over).
 */
export function skipsText(byReason: Record<string, number>): string {
  const snoozed = byReason.snooze ?? 0;
  const skips = Object.entries(byReason)
    .filter(([reason, count]) => reason !== "snooze" && count > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const skipped = skips.reduce((sum, [, count]) => sum + count, 0);
  const reasons = skips.map(([reason, count]) => `${count} ${SKIP_WORDS[reason] ?? reason.replaceAll("_", " ")}`);
  return `${skipped} skipped${reasons.length > 0 ? ` (${reasons.join(", ")})` : ""}${snoozed > 0 ? ` · ${snoozed} snoozed` : ""}`;
}
