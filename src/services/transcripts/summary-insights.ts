import type { CallSummaryData } from "./summary-request.js";
import type { TranscriptStore } from "./transcript-store.js";

/** A call's summary as Lead History shows it beside the call. */
export interface CallSummaryBrief {
  lines: string[];
  suggestedOutcome: string | null;
  appliedOutcome: string | null;
}

/** What summaries add elsewhere: Lead History (the summary beside each call) and /call-stats (suggested vs applied). */
export interface SummaryInsights {
  /** The lead's calls' summaries, by call id. */
  ofLead(ws: number, leadId: number): Promise<Map<number, CallSummaryBrief>>;
  /** Summaries made in [from, to) that suggested an outcome, and how many of those a person applied. */
  counts(ws: number, from: Date, to: Date, agentId?: string): Promise<{ suggested: number; applied: number }>;
}

export function createSummaryInsights(deps: {
  store: Pick<TranscriptStore, "summariesOfLead" | "suggestionCounts">;
}): SummaryInsights {
  return {
    async ofLead(ws, leadId) {
      const briefs = new Map<number, CallSummaryBrief>();
      for (const row of await deps.store.summariesOfLead(ws, leadId)) {
        let lines: string[] = [];
        try {
          lines = (JSON.parse(row.json ?? "{}") as Partial<CallSummaryData>).summary ?? [];
        } catch {
          // A row that cannot be read shows no lines; the call still shows.
        }
        briefs.set(row.callId, {
          lines,
          suggestedOutcome: row.suggestedOutcome,
          appliedOutcome: row.appliedOutcome,
        });
      }
      return briefs;
    },
    counts: (ws, from, to, agentId) => deps.store.suggestionCounts(ws, from, to, agentId),
  };
}
