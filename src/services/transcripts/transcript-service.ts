import cron, { type ScheduledTask } from "node-cron";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import type { Intelligence } from "../twilio/intelligence.js";
import type { Summariser } from "./summariser.js";
import type { SummarySettingsService } from "./summary-settings.js";
import { advanceSummary } from "./summary-steps.js";
import type { TranscriptNotifier } from "./transcript-notifier.js";
import { advanceTranscript } from "./transcript-steps.js";
import type { TranscriptStore } from "./transcript-store.js";

/** An error as it may be logged here: its name and code only (a message could quote the call, or a query's data). */
const failure = (error: unknown) => ({
  error: (error as { name?: unknown })?.name,
  code: (error as { code?: unknown })?.code,
});

/** How often the transcript tick runs (node-cron, seconds first). */
export const TRANSCRIPT_TICK = "*/15 * * * * *";
/** A claimed row is someone's for this long (a provider call times out well before). */
const LEASE_MS = 2 * 60_000;
const BATCH = 20;
/** A transcript file Slack would not delete at the due date is tried again for this long. */
const FILE_RETRY_MS = 7 * 86_400_000;
/** Recorded calls this recent with no transcript row are picked up by the tick (a crash after the recording). */
const HEAL_WINDOW_MS = 24 * 3600_000;

export interface TranscriptService {
  /** A call's recording is in (claimed once): its transcript is asked for when the workspace has transcripts on. */
  recorded(callId: number): Promise<void>;
  /** One pass: transcripts asked for, polled and posted; summaries made; words past retention deleted. */
  tick(): Promise<{ transcripts: number; summaries: number; purged: number }>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Which channel of a call's recording is the lead's: a live call's <Dial> recording puts the agent's
 * leg (the parent) first and the lead second; a message call or voice bridge is the lead's own call.
 */
export const leadChannelOf = (mode: string) => (mode === "live" ? 2 : 1);

export function createTranscriptService(deps: {
  store: TranscriptStore;
  settings: Pick<SummarySettingsService, "get">;
  intelligence: Intelligence;
  summariser?: Summariser;
  notifier: TranscriptNotifier;
  nameOf?: (ws: number, userId: string) => Promise<string | undefined>;
  clock: Clock;
  log: Logger;
  tasks: Pick<TaskTracker, "run">;
  every?: string;
  /** Between asking Twilio for a transcript and asking whether it is done (default POLL_MS). */
  pollMs?: number;
}): TranscriptService {
  const log = deps.log.child({ component: "transcripts" });
  const { store, clock } = deps;
  let task: ScheduledTask | undefined;
  let running: Promise<unknown> | undefined;

  const summaryDeps = { ...deps, log };
  const stepDeps = {
    ...deps,
    log,
    // A posted transcript's summary is asked for at once (the row first: a crash leaves it to the tick).
    posted: async (row: { workspaceId: number; callId: number }) => {
      const settings = await deps.settings.get(row.workspaceId);
      if (!settings.summaries) return;
      const summary = await store.requestSummary({ ws: row.workspaceId, callId: row.callId, now: clock.now() });
      if (!summary) return;
      const [claimed] = await store.claimSummaries(clock.now(), new Date(clock.now().getTime() + LEASE_MS), 1);
      if (claimed) summarise(claimed);
    },
  };

  /**
   * A summary is made beside the tick, never inside it: a provider that is slow (up to its timeout)
   * or rate limited holds up no transcript. The claim's lease outlasts the provider's timeout.
   */
  const summarise = (row: Parameters<typeof advanceSummary>[1]) =>
    deps.tasks.run(() =>
      advanceSummary(summaryDeps, row).catch((error) =>
        log.error({ summaryId: row.id, ...failure(error) }, "summary step failed"),
      ),
    );

  const request = async (ws: number, callId: number, recordingSid: string, mode: string) => {
    const settings = await deps.settings.get(ws);
    if (!settings.transcripts) return false;
    const row = await store.request({ ws, callId, recordingSid, leadChannel: leadChannelOf(mode), now: clock.now() });
    return Boolean(row);
  };

  const heal = async () => {
    const since = new Date(clock.now().getTime() - HEAL_WINDOW_MS);
    for (const call of await store.recordedWithout(since, BATCH)) {
      await request(call.workspaceId, call.id, call.recordingSid, call.mode);
    }
  };

  /** Twilio's copy and the Slack file go with Leadline's words; the words go on time even when they cannot. */
  const purge = async () => {
    let purged = 0;
    for (const row of await store.duePurges(clock.now(), 100, FILE_RETRY_MS)) {
      if (row.transcriptSid && !row.purgedAt) {
        await deps.intelligence
          .remove(row.workspaceId, row.transcriptSid)
          .catch((error) =>
            log.warn({ transcriptId: row.id, ...failure(error) }, "could not delete Twilio's transcript"),
          );
      }
      const fileGone = row.slackFileId
        ? await deps.notifier
            .deleteTranscriptFile(row.workspaceId, row.slackFileId)
            .then(() => true)
            .catch((error) => {
              // Tried again by the next ticks for FILE_RETRY_MS.
              log.warn({ transcriptId: row.id, ...failure(error) }, "could not delete the transcript file in Slack");
              return false;
            })
        : true;
      if (await store.purge(row.id, clock.now(), fileGone)) purged += 1;
    }
    return purged;
  };

  const pass = async () => {
    await heal();
    const lease = () => new Date(clock.now().getTime() + LEASE_MS);
    const transcripts = await store.claimTranscripts(clock.now(), lease(), BATCH);
    await Promise.all(transcripts.map((row) => advanceTranscript(stepDeps, row)));
    const summaries = await store.claimSummaries(clock.now(), lease(), BATCH);
    for (const row of summaries) summarise(row);
    const purged = await purge();
    return { transcripts: transcripts.length, summaries: summaries.length, purged };
  };

  return {
    async recorded(callId) {
      const call = await store.call(callId);
      if (!call?.recordingSid) return;
      if (!(await request(call.workspaceId, callId, call.recordingSid, call.mode))) return;
      // Hurry the first step along; the tick does it otherwise.
      deps.tasks.run(async () => {
        const claimed = await store.claimTranscripts(clock.now(), new Date(clock.now().getTime() + LEASE_MS), BATCH);
        await Promise.all(claimed.map((row) => advanceTranscript(stepDeps, row)));
      });
    },
    async tick() {
      // One pass at a time in this process; other instances are kept apart by the row claims.
      while (running) await running.catch(() => undefined);
      const work = pass();
      running = work;
      try {
        return await work;
      } finally {
        running = undefined;
      }
    },
    start() {
      task = cron.schedule(deps.every ?? TRANSCRIPT_TICK, () => {
        if (running) return;
        deps.tasks.run(() => this.tick().catch((error) => log.error(failure(error), "transcript tick failed")));
      });
    },
    async stop() {
      await task?.stop();
      task = undefined;
      await running?.catch(() => undefined);
    },
  };
}
