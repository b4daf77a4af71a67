import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";
import type { CallNotifier } from "./call-notifier.js";
import type { CallStatus } from "./call-status.js";
import type { CallStore } from "./call-store.js";
import { fetchCallState } from "./fetch-state.js";
import type { PollLeaseStore } from "./poll-store.js";
import type { CallPostStore } from "./post-store.js";
import type { Reconciler } from "./reconcile.js";

/** Longer than a create can take (the Twilio client's own timeout), so a call being placed is left alone. */
const UNSETTLED_AFTER_MS = 45_000;
/** A live call that heard nothing for this long is asked about (its callbacks may have been lost). */
const QUIET_AFTER_MS = 3 * 60_000;
const LINE_AFTER_MS = 60_000;
const DEFAULT_LEASE_MS = 60_000;
/** Lines changed within this window are checked for an editor that stopped mid-way. */
const BEHIND_WINDOW_MS = 60 * 60_000;

export interface CallSweeper {
  /** One pass; also what start() runs at once, so a restart settles what the last run left. */
  sweep(): Promise<{ settled: number; checked: number; posted: number; caughtUp: number; resumed: number }>;
  start(): Promise<void>;
  stop(): void;
}

/**
 * Every call reaches a final state, whatever was lost: rows left `dialing`/`unknown` by a crash or a
 * double timeout are settled with Twilio (adopted or marked not placed, never re-dialled), live calls
 * whose callbacks stopped are fetched from Twilio, and lines never posted are posted. Each call is
 * leased while it is looked at, so several instances never work on the same one.
 */
export function createCallSweeper(deps: {
  calls: Pick<CallStore, "unsettled" | "quiet">;
  leases: Pick<PollLeaseStore, "claim" | "release" | "extend">;
  posts: Pick<CallPostStore, "unposted" | "behind">;
  reconciler: Pick<Reconciler, "settle">;
  status: CallStatus;
  notifier: Pick<CallNotifier, "firstPost" | "changed">;
  twilioFor: TwilioFor;
  tasks: TaskTracker;
  clock: Clock;
  log: Logger;
  intervalMs?: number;
  /** UNSETTLED_AFTER_MS and QUIET_AFTER_MS unless given (tests shorten them). */
  unsettledAfterMs?: number;
  quietAfterMs?: number;
  /** How long a call stays leased while it is looked at. */
  leaseMs?: number;
  /**
   * Without callbacks (no PUBLIC_BASE_URL): picks up calls whose poller's lease ran out or was
   * released (an instance stopped or died), so another instance finishes them within a sweep.
   */
  resumePolling?: () => Promise<number>;
}): CallSweeper {
  const LEASE_MS = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const intervalMs = deps.intervalMs ?? 60_000;
  const unsettledAfterMs = deps.unsettledAfterMs ?? UNSETTLED_AFTER_MS;
  const quietAfterMs = deps.quietAfterMs ?? QUIET_AFTER_MS;
  let timer: NodeJS.Timeout | undefined;
  let busy = false;

  const lease = (callId: number) => {
    const now = deps.clock.now();
    return deps.leases.claim(callId, now, new Date(now.getTime() + LEASE_MS));
  };

  const sweeper: CallSweeper = {
    async sweep() {
      const now = deps.clock.now().getTime();
      let settled = 0;
      let checked = 0;
      let posted = 0;
      for (const call of await deps.calls.unsettled(new Date(now - unsettledAfterMs))) {
        if (!(await lease(call.id))) continue;
        try {
          if ((await deps.reconciler.settle(call)) !== "unknown") settled += 1;
        } finally {
          await deps.leases.release([call.id]);
        }
      }
      for (const call of await deps.calls.quiet(new Date(now - quietAfterMs), deps.clock.now())) {
        const twilio = await deps.twilioFor(call.workspaceId).catch(() => undefined);
        if (!twilio || !(await lease(call.id))) continue;
        let learned = false;
        try {
          // Both legs of a live call: a lost final callback of the lead's leg is settled too.
          learned = (await fetchCallState(twilio.client, call, deps.status, "sweep")).moved;
          checked += 1;
        } catch (error) {
          deps.log.warn({ err: error, callId: call.id }, "could not check a quiet call with Twilio; will try again");
        } finally {
          // A sweep that learned nothing leaves the call's updatedAt alone (its guard still ages out):
          // a lease keeps the next sweeps from asking again before QUIET_AFTER_MS has passed.
          if (learned) await deps.leases.release([call.id]);
          else await deps.leases.extend(call.id, new Date(deps.clock.now().getTime() + quietAfterMs));
        }
      }
      for (const callId of await deps.posts.unposted(new Date(now - LINE_AFTER_MS))) {
        if (await deps.notifier.firstPost(callId)) posted += 1;
      }
      // A line whose editor died mid-edit (its lease ran out) shows an old state: bring it up to date.
      const behind = await deps.posts.behind(new Date(now - BEHIND_WINDOW_MS), deps.clock.now());
      for (const callId of behind) await deps.notifier.changed(callId);
      const resumed = deps.resumePolling ? await deps.resumePolling() : 0;
      const caughtUp = behind.length;
      if (settled + checked + posted + caughtUp + resumed > 0)
        deps.log.info({ settled, checked, posted, caughtUp, resumed }, "call sweep");
      return { settled, checked, posted, caughtUp, resumed };
    },
    async start() {
      await sweeper.sweep().catch((error) => deps.log.error({ err: error }, "call sweep failed"));
      const tick = () => {
        if (busy) return;
        busy = true;
        deps.tasks.run(() =>
          sweeper.sweep().finally(() => {
            busy = false;
          }),
        );
      };
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
  return sweeper;
}
