import type { Clock } from "../../lib/clock.js";
import type { EventBus } from "../../lib/events.js";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";
import type { CallStore } from "./call-store.js";

export interface CallPrices {
  /** Starts looking up an ended call's price (Twilio has it some seconds to minutes after the end). */
  check(callId: number): void;
  /** One lookup now; schedules the next on a miss. */
  fetch(callId: number, attempt?: number): Promise<void>;
  /** Price checks lost to a restart. */
  resume(): Promise<void>;
  /** Every call that ends gets its price looked up. */
  subscribe(events: EventBus): void;
  /** Lookups waiting for their time (timers, not tasks: `tasks.drain` does not wait for them). */
  pending(): number;
  stop(): void;
}

export function createCallPrices(deps: {
  calls: Pick<CallStore, "byId" | "setPrice" | "endedWithoutPrice">;
  twilioFor: TwilioFor;
  tasks: TaskTracker;
  clock: Clock;
  log: Logger;
  delaysMs?: number[];
}): CallPrices {
  const delays = deps.delaysMs ?? [5_000, 30_000, 120_000, 600_000];
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const later = (ms: number, work: () => Promise<unknown>) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      deps.tasks.run(work);
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  const prices: CallPrices = {
    check(callId) {
      later(delays[0] ?? 5_000, () => prices.fetch(callId, 0));
    },
    async fetch(callId, attempt = 0) {
      const call = await deps.calls.byId(callId);
      if (!call?.twilioSid || call.price !== null) return;
      const twilio = await deps.twilioFor(call.workspaceId).catch(() => undefined);
      if (!twilio) return;
      try {
        const fetched = await twilio.client.calls(call.twilioSid).fetch();
        // Twilio's price is text ("-0.01300"); only a number is stored.
        if (
          fetched.price !== null &&
          fetched.price !== undefined &&
          /^[+-]?\d*\.?\d+$/.test(String(fetched.price).trim())
        ) {
          await deps.calls.setPrice(
            callId,
            { price: fetched.price, unit: fetched.priceUnit ?? null },
            deps.clock.now(),
          );
          return;
        }
      } catch (error) {
        deps.log.warn({ err: error, callId }, "price lookup failed");
      }
      await deps.calls.setPrice(callId, undefined, deps.clock.now());
      const next = delays[attempt + 1];
      if (next !== undefined) later(next, () => prices.fetch(callId, attempt + 1));
    },
    async resume() {
      const since = new Date(deps.clock.now().getTime() - 24 * 3600_000);
      for (const callId of await deps.calls.endedWithoutPrice(since)) prices.check(callId);
    },
    subscribe(events) {
      events.on("call.ended", ({ callId }) => prices.check(callId));
    },
    pending: () => timers.size,
    stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
  return prices;
}
