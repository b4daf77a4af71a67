import { createTranscriptPosts } from "../presenters/transcript-posts.js";
import type { Scheduler } from "../services/scheduling/scheduler.js";
import { createSettingsStore } from "../services/setup/settings-store.js";
import { nameOf } from "../services/slack/people.js";
import { createOpenAiSummariser } from "../services/transcripts/openai-summariser.js";
import { createSummaryActions, type SummaryActions } from "../services/transcripts/summary-actions.js";
import { createSummaryInsights, type SummaryInsights } from "../services/transcripts/summary-insights.js";
import { createSummarySettings } from "../services/transcripts/summary-settings.js";
import { createSummarySetup, type SummarySetup } from "../services/transcripts/summary-setup.js";
import { createTranscriptService, type TranscriptService } from "../services/transcripts/transcript-service.js";
import { createTranscriptStore, type TranscriptStore } from "../services/transcripts/transcript-store.js";
import { createIntelligence } from "../services/twilio/intelligence.js";
import type { CallsDomain } from "./calls.js";
import type { Core } from "./core.js";
import type { LeadsDomain } from "./leads.js";

/** Transcripts and summaries in the call's thread: Voice Intelligence, the summariser, the tick, the suggestion buttons. */
export interface TranscriptsDomain {
  transcripts: TranscriptService;
  transcriptStore: TranscriptStore;
  summarySetup: SummarySetup;
  summaryActions: SummaryActions;
  summaryInsights: SummaryInsights;
}

export function createTranscriptsDomain(
  core: Core,
  leads: LeadsDomain,
  calls: CallsDomain,
  scheduler: Scheduler,
  options: { every?: string; pollMs?: number } = {},
): TranscriptsDomain {
  const { config, clock, log, tasks } = core;
  const store = createTranscriptStore(core.db);
  const settings = createSummarySettings({ secrets: core.secrets, store: createSettingsStore(core.db) });
  const intelligence = createIntelligence({ twilioFor: core.twilioFor });
  const summariser =
    config.SUMMARY_API_URL && config.SUMMARY_MODEL
      ? createOpenAiSummariser({
          baseURL: config.SUMMARY_API_URL,
          // A self-hosted server may take no key; the SDK wants one anyway.
          apiKey: config.SUMMARY_API_KEY ?? "none",
          model: config.SUMMARY_MODEL,
          contextTokens: config.SUMMARY_CONTEXT_TOKENS,
          timeoutMs: config.SUMMARY_TIMEOUT_SECONDS * 1000,
        })
      : undefined;
  const transcripts = createTranscriptService({
    store,
    settings,
    intelligence,
    summariser,
    notifier: createTranscriptPosts({ messengers: core.messengers, log }),
    nameOf: async (ws, userId) => nameOf(await core.slackFor(ws), userId),
    clock,
    log,
    tasks,
    every: options.every,
    pollMs: options.pollMs,
  });
  core.events.on("call.recorded", ({ callId }) => transcripts.recorded(callId));
  return {
    transcripts,
    transcriptStore: store,
    summarySetup: createSummarySetup({ settings, intelligence, summariserReady: Boolean(summariser) }),
    summaryActions: createSummaryActions({
      store,
      outcomes: calls.outcomes,
      scheduler,
      law: leads.law,
      leads: leads.leads,
      dnc: leads.dnc,
      clock,
    }),
    summaryInsights: createSummaryInsights({ store }),
  };
}
