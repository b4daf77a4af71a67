import type { CallSummaryData, TranscriptLine } from "./summary-request.js";

/**
 * The summariser port: a transcript in, a checked summary out. The first adapter speaks the
 * OpenAI-style chat-completions API (openai-summariser.ts); tests and the sandbox point it at the fake.
 */
export interface Summariser {
  readonly provider: string;
  readonly model: string;
  /**
   * "ok": a summary that passed the schema (after at most one retry); "invalid": the model answered
   * twice with something else. Throws SummariserUnavailable when the provider cannot be reached,
   * times out, is rate limited or fails (the tick tries again later).
   */
  summarise(input: {
    lines: readonly TranscriptLine[];
    today: string;
    weekday: string;
    leadZone: string;
  }): Promise<
    | { kind: "ok"; summary: CallSummaryData; promptVersion: string; cut: boolean }
    | { kind: "invalid"; reason: string; promptVersion: string }
  >;
}

/** The provider did not answer usefully this time; `retryAfterMs` when it said how long to wait. */
export class SummariserUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "SummariserUnavailable";
  }
}
