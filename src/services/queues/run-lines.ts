import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";
import type { QueueRuns } from "./queue-runs.js";
import type { QueueStore } from "./queue-store.js";

/** How often one instance asks Twilio about one run's line (and how long after its end an ended run is asked). */
const CHECK_EVERY_MS = 3 * 60_000;
/** Ended runs are asked about for this long after their end; older ones are left alone. */
const ENDED_WINDOW_MS = 6 * 3600_000;
const BATCH = 200;

export interface RunLines {
  /** One pass; also what start() runs at once, so a restart reconciles what the dead instance left. */
  sweep(): Promise<{ checked: number; ended: number; hungUp: number }>;
  start(): Promise<void>;
  stop(): void;
}

/**
 * Every run's one line (the agent's phone in the run's conference) agrees with Twilio, whatever was lost
 * while Leadline was down: a run whose line ended unheard ends (its claims released, its card redrawn);
 * a run that ended while its line stayed up (a failed hang-up, or a kill -9 between the two) has its line
 * hung up, so no conference keeps an agent's phone forever. A run whose line is up goes on: any instance
 * serves it from the database, so a restart never cuts an agent off. Asking is read-only and the run's
 * end happens once (a conditional write), so several instances may ask about the same run.
 */
export function createRunLines(deps: {
  queues: Pick<QueueStore, "linesToCheck">;
  runs: Pick<QueueRuns, "reconcileLine">;
  twilioFor: TwilioFor;
  tasks: TaskTracker;
  clock: Clock;
  log: Logger;
  intervalMs?: number;
  /** CHECK_EVERY_MS unless given (tests shorten it). */
  checkEveryMs?: number;
}): RunLines {
  const log = deps.log.child({ component: "run-lines" });
  const intervalMs = deps.intervalMs ?? 60_000;
  const checkEveryMs = deps.checkEveryMs ?? CHECK_EVERY_MS;
  /** When this instance last asked about each run, and the runs it knows are settled (line over, run ended). */
  const askedAt = new Map<number, number>();
  const settled = new Set<number>();
  let timer: NodeJS.Timeout | undefined;
  let busy = false;

  const lines: RunLines = {
    async sweep() {
      const now = deps.clock.now().getTime();
      let checked = 0;
      let ended = 0;
      let hungUp = 0;
      const runs = await deps.queues.linesToCheck(new Date(now - ENDED_WINDOW_MS), new Date(now - checkEveryMs), BATCH);
      for (const run of runs) {
        if (settled.has(run.id) || now - (askedAt.get(run.id) ?? Number.NEGATIVE_INFINITY) < checkEveryMs) continue;
        askedAt.set(run.id, now);
        try {
          const { client } = await deps.twilioFor(run.workspaceId);
          const line = await client.calls(run.agentCallSid!).fetch();
          checked += 1;
          const result = await deps.runs.reconcileLine(run.id, line.status);
          if (result === "ended") ended += 1;
          if (result === "hung_up") hungUp += 1;
          if (result === "settled") settled.add(run.id);
        } catch (error) {
          log.warn({ err: error, runId: run.id }, "could not check a run's line with Twilio; will try again");
        }
      }
      // Runs no longer listed (ended long ago) are forgotten.
      const listed = new Set(runs.map((run) => run.id));
      for (const id of askedAt.keys()) if (!listed.has(id)) askedAt.delete(id);
      for (const id of settled) if (!listed.has(id)) settled.delete(id);
      if (ended + hungUp > 0) log.info({ checked, ended, hungUp }, "run lines reconciled with Twilio");
      return { checked, ended, hungUp };
    },
    async start() {
      await lines.sweep().catch((error) => log.error({ err: error }, "run lines sweep failed"));
      timer = setInterval(() => {
        if (busy) return;
        busy = true;
        deps.tasks.run(() =>
          lines.sweep().finally(() => {
            busy = false;
          }),
        );
      }, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
  return lines;
}
