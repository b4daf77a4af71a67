import type { CallSummary } from "@prisma/client";
import { DateTime } from "luxon";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import { candidateZones } from "../compliance/zones.js";
import type { Sentence } from "../twilio/intelligence.js";
import { suggestionsFrom } from "./suggestions.js";
import { type Summariser, SummariserUnavailable } from "./summariser.js";
import { type CallSummaryData, parseSummary } from "./summary-request.js";
import type { SummarySettingsService } from "./summary-settings.js";
import type { TranscriptNotifier } from "./transcript-notifier.js";
import { linesOf } from "./transcript-steps.js";
import type { TranscriptCall, TranscriptStore } from "./transcript-store.js";

/** Tries of a provider that is down or rate limited before the summary is called unavailable. */
const MAX_TRIES = 6;
const FALLBACK_ZONE = "America/New_York";

/** The provider's backoff: its Retry-After when it gave one, else 30 s doubling up to 30 min. */
export const summaryBackoffMs = (tries: number, retryAfterMs?: number) =>
  Math.max(retryAfterMs ?? 0, Math.min(30 * 60_000, 30_000 * 2 ** Math.max(0, tries - 1)));

/** The zone the lead's words ("Tuesday at 5") are read in: the first the number and address give. */
export function leadZone(lead: TranscriptCall["lead"], fallback = FALLBACK_ZONE): string {
  if (!lead.phone) return fallback;
  return candidateZones(lead.phone, { state: lead.state, zip: lead.zip }).zones[0] ?? fallback;
}

export interface SummaryStepDeps {
  store: TranscriptStore;
  settings: Pick<SummarySettingsService, "get">;
  summariser?: Summariser;
  notifier: TranscriptNotifier;
  clock: Clock;
  log: Logger;
}

/** One try at a claimed summary: ask the provider, check the answer, post the card (or "unavailable"). */
export async function advanceSummary(deps: SummaryStepDeps, row: CallSummary): Promise<void> {
  const call = await deps.store.call(row.callId);
  const transcript = await deps.store.transcriptOf(row.callId);
  const settings = await deps.settings.get(row.workspaceId);
  if (!call) return;
  if (!settings.summaries) {
    // Turned off since the call: the provider is never asked.
    await deps.store.updateSummary(row.id, { status: "off" });
    return;
  }
  if (!deps.summariser || !transcript?.sentences) {
    await unavailable(deps, row, call, deps.summariser ? "the transcript is gone" : "no summary provider configured");
    return;
  }
  const zone = leadZone(call.lead);
  if (row.json) {
    // Summarised before, the card not posted (Slack failed): post it without asking the provider again.
    const stored = parseSummary(row.json);
    if (stored.ok) await postCard(deps, row, call, stored.value, false);
    else await unavailable(deps, row, call, `stored summary unreadable: ${stored.reason}`);
    return;
  }
  const now = deps.clock.now();
  const local = DateTime.fromJSDate(deps.clock.callingNow(), { zone });
  try {
    const answer = await deps.summariser.summarise({
      lines: linesOf(JSON.parse(transcript.sentences) as Sentence[], transcript.leadChannel),
      today: local.toISODate() ?? "",
      weekday: local.weekdayLong ?? "",
      leadZone: zone,
    });
    const meta = {
      provider: deps.summariser.provider,
      model: deps.summariser.model,
      promptVersion: answer.promptVersion,
    };
    if (answer.kind === "invalid") {
      await unavailable(deps, row, call, `invalid answer twice: ${answer.reason}`, meta);
      return;
    }
    const suggestions = suggestionsFrom(answer.summary, { zone, now: deps.clock.callingNow() });
    const outcome = suggestions.find((s) => s.kind === "outcome");
    await deps.store.updateSummary(row.id, {
      ...meta,
      status: "done",
      json: JSON.stringify(answer.summary),
      suggestedOutcome:
        outcome?.kind === "outcome"
          ? outcome.outcome
          : suggestions.some((s) => s.kind === "dnc")
            ? "do_not_call"
            : null,
      attempts: row.attempts + 1,
      lastError: null,
    });
    await postCard(deps, { ...row, attempts: row.attempts + 1 }, call, answer.summary, answer.cut);
  } catch (error) {
    if (!(error instanceof SummariserUnavailable)) throw error;
    const tries = row.attempts + 1;
    deps.log.warn(
      { summaryId: row.id, callId: row.callId, tries, reason: error.message },
      "summary provider unavailable",
    );
    if (tries >= MAX_TRIES) {
      await unavailable(deps, { ...row, attempts: tries }, call, `provider unavailable: ${error.message}`);
      return;
    }
    await deps.store.updateSummary(row.id, {
      attempts: tries,
      lastError: error.message.slice(0, 200),
      nextTryAt: new Date(now.getTime() + summaryBackoffMs(tries, error.retryAfterMs)),
    });
  }
}

async function unavailable(
  deps: SummaryStepDeps,
  row: CallSummary,
  call: TranscriptCall,
  reason: string,
  meta: { provider?: string; model?: string; promptVersion?: string } = {},
): Promise<void> {
  await deps.store.updateSummary(row.id, { ...meta, status: "unavailable", lastError: reason.slice(0, 200) });
  await deps.notifier.summaryUnavailable(call);
}

/** The card in the call's thread; when Slack fails, the row waits (its summary kept) and the tick posts it later. */
async function postCard(
  deps: SummaryStepDeps,
  row: CallSummary,
  call: TranscriptCall,
  summary: CallSummaryData,
  cut: boolean,
): Promise<void> {
  const suggestions = suggestionsFrom(summary, { zone: leadZone(call.lead), now: deps.clock.callingNow() });
  try {
    const ts = await deps.notifier.summary(call, { data: summary, suggestions, cut });
    await deps.store.updateSummary(row.id, { status: "done", slackTs: ts ?? null, lastError: null });
  } catch (error) {
    const tries = row.attempts + 1;
    deps.log.warn(
      { summaryId: row.id, callId: row.callId, code: (error as { code?: unknown }).code },
      "summary card not posted",
    );
    await deps.store.updateSummary(row.id, {
      status: tries >= MAX_TRIES ? "done" : "pending",
      attempts: tries,
      lastError: "the card could not be posted",
      nextTryAt: new Date(deps.clock.now().getTime() + summaryBackoffMs(tries)),
    });
  }
}
