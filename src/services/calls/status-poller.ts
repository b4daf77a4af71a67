import { randomUUID } from "node:crypto";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import type { SettingsService } from "../setup/settings.js";
import type { Db } from "../store/db.js";
import type { TwilioFor } from "../twilio/client.js";
import { type CallLifecycle, FINAL } from "./call-lifecycle.js";

const MAX_AGE_MS = 15 * 60_000;
const LEASE_MS = 60_000;
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
  db: Db;
  settings: SettingsService;
  twilioFor: TwilioFor;
  lifecycle: CallLifecycle;
  tasks: TaskTracker;
  clock: () => Date;
  log: Logger;
  delaysMs?: number[];
}): StatusPoller {
  const { db, log } = deps;
  const delays = deps.delaysMs ?? DEFAULT_DELAYS_MS;
  const owner = randomUUID();
  const polling = new Map<number, NodeJS.Timeout | undefined>();
  let stopped = false;

  const leaseUntil = () => new Date(deps.clock().getTime() + LEASE_MS);

  const release = async (callId: number) => {
    polling.delete(callId);
    await db.call.updateMany({ where: { id: callId }, data: { pollLeaseUntil: null } });
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
    const call = await db.call.findUnique({ where: { id: callId } });
    if (!call?.twilioSid || FINAL.has(call.status)) return release(callId);
    if (deps.clock().getTime() - call.createdAt.getTime() > MAX_AGE_MS) {
      log.info({ callId }, "stopped polling a call after 15 minutes");
      return release(callId);
    }
    try {
      const { accountSid, authToken } = await deps.settings.get();
      if (!accountSid || !authToken) return release(callId);
      const fetched = await deps.twilioFor({ accountSid, authToken }).calls(call.twilioSid).fetch();
      await deps.lifecycle.applyStatus({
        callSid: call.twilioSid,
        status: fetched.status,
        durationSec: fetched.duration ? Number(fetched.duration) : undefined,
        answeredBy: fetched.answeredBy ?? undefined,
        source: "poll",
      });
      if (FINAL.has(fetched.status)) return release(callId);
    } catch (error) {
      log.warn({ err: error, callId }, "polling Twilio failed; will try again");
    }
    if (stopped) return;
    await db.call.updateMany({ where: { id: callId }, data: { pollLeaseUntil: leaseUntil() } });
    schedule(callId, attempt + 1);
  };

  return {
    async watch(callId) {
      if (stopped || polling.has(callId)) return false;
      const now = deps.clock();
      const claimed = await db.call.updateMany({
        where: { id: callId, OR: [{ pollLeaseUntil: null }, { pollLeaseUntil: { lt: now } }] },
        data: { pollLeaseUntil: leaseUntil() },
      });
      if (claimed.count !== 1 || polling.has(callId)) return false;
      polling.set(callId, undefined);
      log.debug({ callId, owner }, "polling call status");
      schedule(callId, 0);
      return true;
    },
    async resume() {
      const since = new Date(deps.clock().getTime() - MAX_AGE_MS);
      const open = await db.call.findMany({
        where: { twilioSid: { not: null }, status: { notIn: [...FINAL] }, createdAt: { gt: since } },
        select: { id: true },
      });
      let started = 0;
      for (const call of open) if (await this.watch(call.id)) started += 1;
      return started;
    },
    active: () => [...polling.keys()],
    async stop() {
      stopped = true;
      const ids = [...polling.keys()];
      for (const timer of polling.values()) if (timer) clearTimeout(timer);
      polling.clear();
      // Hand the calls back at once, so a restarted instance can resume them without waiting for the lease.
      if (ids.length > 0) await db.call.updateMany({ where: { id: { in: ids } }, data: { pollLeaseUntil: null } });
    },
  };
}
