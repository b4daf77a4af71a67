import { randomUUID } from "node:crypto";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";
import type { CallStatus } from "./call-status.js";
import type { CallStore } from "./call-store.js";
import { fetchCallState } from "./fetch-state.js";
import { isFinal } from "./modes.js";
import type { PollLeaseStore } from "./poll-store.js";

const MAX_AGE_MS = 15 * 60_000;
const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_DELAYS_MS = [1_000, 2_000, 3_000, 5_000, 8_000, 13_000, 20_000, 30_000];

export interface StatusPoller {
  /** Starts polling a call unless this or another instance already is (a lease in the database decides). */
  watch(callId: number): Promise<boolean>;
  /** Picks up calls still in progress after a restart. */
  resume(): Promise<number>;
  active(): number[];
  stop(): Promise<void>;
}

/**
 * Without PUBLIC_BASE_URL Twilio cannot call back, so the call is polled: backing off, stopping at
 * a final state or after 15 minutes. One poller per call, even across instances, through a lease.
 */
export function createStatusPoller(deps: {
  calls: Pick<CallStore, "byId">;
  leases: PollLeaseStore;
  twilioFor: TwilioFor;
  status: CallStatus;
  tasks: TaskTracker;
  clock: Clock;
  log: Logger;
  delaysMs?: number[];
  /** How long a poller's claim on a call lasts without renewal (each poll renews it). */
  leaseMs?: number;
}): StatusPoller {
  const LEASE_MS = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const { calls, log } = deps;
  const delays = deps.delaysMs ?? DEFAULT_DELAYS_MS;
  const owner = randomUUID();
  const polling = new Map<number, NodeJS.Timeout | undefined>();
  let stopped = false;

  const leaseUntil = () => new Date(deps.clock.now().getTime() + LEASE_MS);

  const release = async (callId: number) => {
    polling.delete(callId);
    await deps.leases.release([callId]);
  };

  const schedule = (callId: number, attempt: number) => {
    if (stopped) return;
    const delay = delays[Math.min(attempt, delays.length - 1)]!;
    const timer = setTimeout(() => deps.tasks.run(() => tick(callId, attempt)), delay);
    timer.unref();
    polling.set(callId, timer);
  };

  const tick = async (callId: number, attempt: number) => {
    if (stopped || !polling.has(callId)) return;
    const call = await calls.byId(callId);
    if (!call?.twilioSid || isFinal(call.status)) return release(callId);
    if (deps.clock.now().getTime() - call.createdAt.getTime() > MAX_AGE_MS) {
      log.info({ callId }, "stopped polling a call after 15 minutes");
      return release(callId);
    }
    try {
      const { client } = await deps.twilioFor(call.workspaceId).catch(() => ({ client: undefined }));
      if (!client) return release(callId);
      if ((await fetchCallState(client, call, deps.status, "poll")).final) return release(callId);
    } catch (error) {
      log.warn({ err: error, callId }, "polling Twilio failed; will try again");
    }
    if (stopped) return;
    await deps.leases.extend(callId, leaseUntil());
    schedule(callId, attempt + 1);
  };

  return {
    async watch(callId) {
      if (stopped || polling.has(callId)) return false;
      const now = deps.clock.now();
      if (!(await deps.leases.claim(callId, now, leaseUntil())) || polling.has(callId)) return false;
      polling.set(callId, undefined);
      log.debug({ callId, owner }, "polling call status");
      schedule(callId, 0);
      return true;
    },
    async resume() {
      const since = new Date(deps.clock.now().getTime() - MAX_AGE_MS);
      let started = 0;
      for (const callId of await deps.leases.open(since)) if (await this.watch(callId)) started += 1;
      return started;
    },
    active: () => [...polling.keys()],
    async stop() {
      stopped = true;
      const ids = [...polling.keys()];
      for (const timer of polling.values()) if (timer) clearTimeout(timer);
      polling.clear();
      // Hand the calls back at once, so a restarted instance can resume them without waiting for the lease.
      await deps.leases.release(ids);
    },
  };
}
