/** What the person (or machine) at a number does when the simulated Twilio calls it. */
export interface Scenario {
  outcome: "human" | "machine" | "busy" | "no-answer" | "failed";
  /** A key the person presses at a <Gather> menu. */
  presses?: string;
  /** Seconds the person stays on the line once connected to someone (bridge and browser calls, conference legs). */
  talkSec: number;
  describe: string;
}

const HUMAN: Scenario = { outcome: "human", talkSec: 6, describe: "a person answers and listens" };

/**
 * Chosen by the last four digits of the number called, so a demo lead (or any number an engineer
 * types) picks its outcome. 555-01xx numbers are reserved for fiction in North America.
 */
export const SCENARIOS: Record<string, Scenario> = {
  "0102": { outcome: "busy", talkSec: 0, describe: "the line is busy" },
  "0103": { outcome: "no-answer", talkSec: 0, describe: "it rings out, no answer" },
  "0104": { outcome: "machine", talkSec: 0, describe: "an answering machine picks up" },
  "0105": { outcome: "human", presses: "9", talkSec: 2, describe: "a person answers and presses 9 (stop calling me)" },
  "0106": { outcome: "human", presses: "1", talkSec: 6, describe: "a person answers and presses 1 (connect me)" },
  "0107": { outcome: "failed", talkSec: 0, describe: "the call fails in the network" },
};

/**
 * Ways a phone can answer, by name, for `TwilioSimulator.answerAs(number, …)`: a test (or the
 * sandbox) makes any number behave so, over its last-four-digits scenario.
 */
export const ANSWERS = {
  /** Answers, listens, presses nothing. */
  person: HUMAN,
  /** Answers and presses 1 at the first menu (an agent taking a call or joining a run). */
  "presses-1": { outcome: "human", presses: "1", talkSec: 6, describe: "a person answers and presses 1" },
  /** A voicemail box: it answers, plays its greeting and never presses a key. */
  voicemail: { outcome: "machine", talkSec: 0, describe: "a voicemail box answers and never presses a key" },
  busy: SCENARIOS["0102"]!,
  "no-answer": SCENARIOS["0103"]!,
  failed: SCENARIOS["0107"]!,
} satisfies Record<string, Scenario>;

export type AnswerName = keyof typeof ANSWERS;

export function scenarioFor(number: string): Scenario {
  return SCENARIOS[number.replace(/\D/g, "").slice(-4)] ?? HUMAN;
}

export const DEFAULT_SCENARIO = HUMAN;
