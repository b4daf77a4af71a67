import type { Suggestion } from "./suggestions.js";
import type { CallSummaryData, TranscriptLine } from "./summary-request.js";
import type { TranscriptCall } from "./transcript-store.js";

/**
 * How transcripts and summaries reach people without the domain knowing Slack: the presenter
 * (src/presenters/transcript-posts.ts) renders them in the call's thread.
 */
export interface TranscriptNotifier {
  /**
   * The transcript as a file in the call's thread: posted (with the file's id, deleted at retention), or
   * not posted (to be tried again). A call with no thread counts as posted, with no file.
   */
  transcript(
    call: TranscriptCall,
    lines: readonly TranscriptLine[],
    agentName?: string,
  ): Promise<{ posted: boolean; fileId?: string }>;
  /** Deletes a transcript file from Slack when its retention ends. */
  deleteTranscriptFile(ws: number, fileId: string): Promise<void>;
  /** Twilio could not transcribe the call. */
  transcriptFailed(call: TranscriptCall): Promise<void>;
  /** The summary card with its suggestion buttons; its message ts when posted. */
  summary(
    call: TranscriptCall,
    summary: { data: CallSummaryData; suggestions: Suggestion[]; cut: boolean },
  ): Promise<string | undefined>;
  /** No summary this time (the model's answers were not usable, or the provider stayed down): the transcript stands. */
  summaryUnavailable(call: TranscriptCall): Promise<void>;
}
