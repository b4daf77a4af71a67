/** How a call reaches the lead. The domain's own type: views and listeners import it from here. */
export type CallMode = "simple" | "bridge" | "browser";

export const CALL_MODES: readonly CallMode[] = ["simple", "bridge", "browser"];

export const MODE_LABELS: Record<CallMode, string> = {
  simple: "Outbound (simple)",
  bridge: "Voice bridge",
  browser: "Browser call",
};

/** queued → initiated → ringing → in-progress → a final state; a call only ever moves forward. */
export const STATUS_RANK: Record<string, number> = {
  dialing: 0,
  unknown: 0,
  queued: 1,
  initiated: 2,
  ringing: 3,
  "in-progress": 4,
  completed: 5,
  busy: 5,
  "no-answer": 5,
  failed: 5,
  canceled: 5,
};

export const FINAL_STATUSES: ReadonlySet<string> = new Set(["completed", "busy", "no-answer", "failed", "canceled"]);

export const isFinal = (status: string) => FINAL_STATUSES.has(status);

/** The statuses a call may move to `status` from (every lower rank). */
export const lowerThan = (status: string): string[] =>
  Object.keys(STATUS_RANK).filter((s) => STATUS_RANK[s]! < STATUS_RANK[status]!);

/**
 * Things learned during a call that its channel line keeps showing to the end. Stored as facts on
 * the call, so the final edit never drops one.
 */
export type CallFactKind =
  | "voicemail_left"
  | "pressed_1_connected"
  | "pressed_1_no_agent"
  | "pressed_9_opted_out"
  | "recording_in_thread"
  | "recording_linked";
