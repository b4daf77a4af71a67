/**
 * How a call reaches the lead. The domain's own type: views and listeners import it from here.
 * - live (the default): the agent's phone rings first; once they answer, the lead is dialled and hears a person.
 * - message: the lead hears the team's recorded message, then the 1/9 menu (needs prerecorded-voice consent).
 * - bridge: the message, then the lead is put through to the agent (needs prerecorded-voice consent).
 * - browser: the agent talks from the browser softphone.
 */
export type CallMode = "live" | "message" | "bridge" | "browser";

export const CALL_MODES: readonly CallMode[] = ["live", "message", "bridge", "browser"];

/** Calls stored before release 2 say "simple" for what is now a message call. */
export const MODE_LABELS: Record<string, string> = {
  live: "Live call",
  message: "Message call",
  simple: "Message call",
  bridge: "Voice bridge",
  browser: "Browser call",
};

/** The modes that play an artificial or prerecorded voice to the lead: they need the lead's consent. */
export const PRERECORDED_MODES: ReadonlySet<CallMode> = new Set(["message", "bridge"]);

/** The modes that ring the agent's own phone (theirs from /call-lead settings, else the team's agent phone). */
export const AGENT_PHONE_MODES: ReadonlySet<CallMode> = new Set(["live", "bridge"]);

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
  | "agent_no_answer"
  /** The agent's phone answered but nobody pressed a key (a voicemail box, or the agent let it go). */
  | "agent_no_key"
  | "agent_hung_up"
  | "voicemail_left"
  | "pressed_1_connected"
  | "pressed_1_no_agent"
  | "pressed_9_opted_out"
  | "recording_in_thread"
  | "recording_linked";
