import type { Text } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import type { TextStore } from "./text-store.js";

/** Where an inbound text is shown, and the posting itself (the text-posts presenter). */
export interface InboundTextPoster {
  where(text: Text): Promise<{ channel: string; threadTs?: string } | undefined>;
  post(text: Text, where: { channel: string; threadTs?: string }): Promise<{ channel: string; ts: string } | undefined>;
}

export interface TextOutbox {
  /** Something was stored: post what waits, now. */
  poke(): void;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Inbound texts reach Slack from rows, never from the webhook itself: the row is written first, this
 * posts the unposted ones oldest first, one message per second per channel (Slack's posting pace), and
 * after a restart it picks up where it stopped. A row is claimed for a while so another instance leaves it.
 */
export function createTextOutbox(deps: {
  store: Pick<TextStore, "claimUnposted" | "markPosted" | "releaseClaims" | "renewClaims">;
  poster: InboundTextPoster;
  tasks: Pick<TaskTracker, "run">;
  clock: Clock;
  log: Logger;
  /** Between two posts to one channel; Slack allows about one a second. */
  paceMs?: number;
  /**
   * How long a claim holds rows before another instance may take them: short, so a restart after a
   * crash posts the dead instance's rows soon, and renewed while this instance is still posting them.
   */
  leaseMs?: number;
  everyMs?: number;
}): TextOutbox {
  const pace = deps.paceMs ?? 1_000;
  const lease = deps.leaseMs ?? 15_000;
  const BATCH = 5;
  const lastPost = new Map<string, number>();
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const postOne = async (text: Text) => {
    const where = await deps.poster.where(text);
    if (!where) return deps.store.markPosted(text.id, null, deps.clock.now());
    const wait = (lastPost.get(where.channel) ?? 0) + pace - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const posted = await deps.poster.post(text, where);
    lastPost.set(where.channel, Date.now());
    await deps.store.markPosted(
      text.id,
      posted ? { channel: posted.channel, ts: posted.ts, threadTs: where.threadTs ?? null } : null,
      deps.clock.now(),
    );
  };

  const drain = async () => {
    do {
      again = false;
      for (;;) {
        if (stopped) return;
        let until = deps.clock.now().getTime() + lease + pace * BATCH;
        const batch = await deps.store.claimUnposted(deps.clock.now(), until - deps.clock.now().getTime(), BATCH);
        if (batch.length === 0) break;
        for (const [index, text] of batch.entries()) {
          const rest = () => batch.slice(index).map((row) => row.id);
          if (stopped) return deps.store.releaseClaims(rest());
          try {
            // Half the claim gone (a slow Slack, Retry-After): renewed before posting, so no one else takes it.
            if (until - deps.clock.now().getTime() < lease / 2) {
              until = deps.clock.now().getTime() + lease + pace * BATCH;
              await deps.store.renewClaims(rest(), new Date(until));
            }
            await postOne(text);
          } catch (error) {
            // Left unposted and let go: a later pass posts it, still in order.
            deps.log.warn({ err: error, textId: text.id }, "could not post an inbound text; will retry");
            return deps.store.releaseClaims(rest());
          }
        }
      }
    } while (again);
  };

  const outbox: TextOutbox = {
    poke() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      running = new Promise<void>((resolve) => {
        deps.tasks.run(async () => {
          try {
            await drain();
          } finally {
            running = undefined;
            resolve();
          }
        });
      });
    },
    start() {
      stopped = false;
      outbox.poke();
      timer = setInterval(() => outbox.poke(), deps.everyMs ?? 5_000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
  return outbox;
}
