import { randomUUID } from "node:crypto";
import cron, { type ScheduledTask } from "node-cron";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import { type CrmConnector, CrmError, type CrmProvider } from "./connector.js";
import type { CrmStore } from "./crm-store.js";
import type { OutboxFactsStore, SendFacts } from "./outbox-facts-store.js";
import { createRowSender, Deferred, type SendResult } from "./outbox-send.js";
import type { OutboxClaim, OutboxStore } from "./outbox-store.js";
import { RateBudget } from "./rate-budget.js";

/** Rows claimed in one statement (and their facts read in one batch); the next batch is claimed at half. */
const CLAIM_BATCH = 32;
/** Sends in flight on one instance, all workspaces together. */
const CONCURRENCY = 16;
/** Sends in flight to one workspace's CRM (within its rate budget, which may allow fewer). */
const PER_WORKSPACE = 8;

export interface OutboxSender {
  /** One pass: claims due rows and sends each; returns what happened. */
  drain(): Promise<{ sent: number; later: number; failed: number }>;
  /** Soon (a call ended, an outcome changed): a pass now, or another one after the running pass. */
  hurry(): void;
  start(): void;
  stop(): Promise<void>;
}

export interface SenderDeps {
  outbox: OutboxStore;
  facts: OutboxFactsStore;
  store: Pick<CrmStore, "link" | "crmUserOf">;
  provider: CrmProvider;
  apiKeyOf(ws: number): Promise<string | undefined>;
  clock: Clock;
  log: Logger;
  tasks: TaskTracker;
  leaseMs?: number;
  /** The first retry's wait; doubled each try up to 5 minutes. */
  backoffMs?: number;
  every?: string;
  /** Test-only: "crm.logged" after the CRM took a call, before the row says so (the kill -9 test). */
  crashPoint?: (point: string) => void;
}

/** A claimed row waiting on this instance for a free send, with what it logs and until when it is ours. */
interface Ready {
  claim: OutboxClaim;
  facts: SendFacts;
  leaseUntil: number;
}

export function createOutboxSender(deps: SenderDeps): OutboxSender {
  const owner = `crm-${randomUUID()}`;
  const leaseMs = deps.leaseMs ?? 2 * 60_000;
  const log = deps.log.child({ component: "crm-outbox" });
  const budget = new RateBudget(() => deps.clock.now().getTime());
  const connectors = new Map<number, { key: string; connector: CrmConnector }>();
  let running: Promise<unknown> | undefined;
  let again = false;
  let stopped = false;
  let task: ScheduledTask | undefined;
  let timer: NodeJS.Timeout | undefined;

  const connectorFor = async (ws: number, key: string | undefined) => {
    if (!key) return undefined;
    const known = connectors.get(ws);
    if (known?.key === key) return known.connector;
    const connector = deps.provider.connect(key, (info) => budget.observe(ws, info));
    connectors.set(ws, { key, connector });
    return connector;
  };

  /** Waits for the workspace's rate budget, then runs one request; a 429 pauses the workspace everywhere. */
  const gated = async <T>(ws: number, work: () => Promise<T>): Promise<T> => {
    for (;;) {
      const waitMs = budget.waitMs(ws);
      if (waitMs <= 0) break;
      if (waitMs > leaseMs / 2) throw new Deferred(waitMs);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    budget.begin(ws);
    try {
      return await work();
    } catch (error) {
      if (error instanceof CrmError && error.failure.kind === "rate-limited") {
        const until = budget.pause(ws, error.failure.retryAfterMs);
        await deps.outbox.pause(ws, new Date(until));
      }
      throw error;
    } finally {
      budget.end(ws);
    }
  };

  const sendRow = createRowSender(
    {
      outbox: deps.outbox,
      store: deps.store,
      clock: deps.clock,
      log,
      backoffMs: deps.backoffMs ?? 2_000,
      crashPoint: deps.crashPoint,
    },
    gated,
  );

  /**
   * One pass: rows are claimed a batch at a time (one statement, their facts in one read) into a local
   * queue per workspace, and sent by up to CONCURRENCY sends, PER_WORKSPACE to one CRM. The next batch
   * is claimed when the queue is half spent, so sends never wait on a claim; a row that waited here
   * past half its lease has it extended first (a claim that another instance took meanwhile is left to it).
   */
  const pass = async () => {
    const counts = { sent: 0, later: 0, failed: 0 };
    const queues = new Map<number, Ready[]>();
    const inflight = new Map<number, number>();
    const keys = new Map<number, Promise<string | undefined>>();
    let queued = 0;
    let exhausted = false;
    let claiming: Promise<void> | undefined;
    let waiting: (() => void)[] = [];
    const notify = () => {
      const woken = waiting;
      waiting = [];
      for (const wake of woken) wake();
    };

    const claimBatch = async () => {
      const now = deps.clock.now();
      const leaseUntil = new Date(now.getTime() + leaseMs);
      const claims = await deps.outbox.claim(now, owner, leaseUntil, CLAIM_BATCH);
      if (claims.length < CLAIM_BATCH) exhausted = true;
      if (claims.length === 0) return;
      const facts = await deps.facts.factsOf(claims);
      for (const claim of claims) {
        const queue = queues.get(claim.ws) ?? [];
        queue.push({ claim, facts: facts.get(claim.id) ?? { kind: "missing" }, leaseUntil: leaseUntil.getTime() });
        queues.set(claim.ws, queue);
        queued += 1;
      }
    };
    const refill = () => {
      claiming ??= claimBatch()
        .catch((error: unknown) => {
          exhausted = true;
          log.error({ err: error }, "could not claim CRM outbox rows");
        })
        .finally(() => {
          claiming = undefined;
          notify();
        });
      return claiming;
    };

    /** The next row of a workspace with a free send (workspaces in turn, oldest claim first). */
    const next = (): Ready | undefined => {
      for (const [ws, queue] of queues) {
        if ((inflight.get(ws) ?? 0) >= PER_WORKSPACE) continue;
        const ready = queue.shift();
        if (queue.length === 0) queues.delete(ws);
        else {
          queues.delete(ws);
          queues.set(ws, queue);
        }
        if (ready) queued -= 1;
        return ready;
      }
      return undefined;
    };

    const send = async (ready: Ready): Promise<SendResult | undefined> => {
      const { claim } = ready;
      if (ready.leaseUntil - deps.clock.now().getTime() < leaseMs / 2) {
        const leaseUntil = new Date(deps.clock.now().getTime() + leaseMs);
        if (!(await deps.outbox.extend(claim, leaseUntil))) return undefined;
      }
      if (!keys.has(claim.ws)) keys.set(claim.ws, deps.apiKeyOf(claim.ws));
      const crm = await connectorFor(claim.ws, await keys.get(claim.ws));
      return sendRow(claim, ready.facts, crm);
    };

    const worker = async () => {
      while (!stopped) {
        if (queued <= CLAIM_BATCH / 2 && !exhausted) {
          if (queued === 0) await refill();
          else void refill();
        }
        const ready = next();
        if (!ready) {
          if (queued === 0 && exhausted && !claiming) return;
          // Every queued row's workspace is at its limit (or a claim is on its way): wait for a change.
          await new Promise<void>((resolve) => waiting.push(resolve));
          continue;
        }
        const ws = ready.claim.ws;
        inflight.set(ws, (inflight.get(ws) ?? 0) + 1);
        try {
          const result = await send(ready);
          if (result) counts[result] += 1;
        } catch (error) {
          log.error(
            { err: error, sid: ready.claim.sid },
            "a CRM outbox row could not be settled; its lease will run out",
          );
        } finally {
          inflight.set(ws, (inflight.get(ws) ?? 1) - 1);
          notify();
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    // Stopped with rows still queued here: they go back at once, as if never claimed.
    const left = [...queues.values()].flat().map((ready) => ready.claim);
    if (left.length > 0) await deps.outbox.release(left, deps.clock.now());
    if (counts.sent + counts.failed > 0) log.info(counts, "CRM outbox pass");
    return counts;
  };

  /** A retry due before the next tick gets a pass of its own at its time. */
  const wakeForRetries = (counts: { later: number }) => {
    if (counts.later === 0 || stopped || timer) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        sender.hurry();
      },
      Math.min(deps.backoffMs ?? 2_000, 1_000),
    );
    timer.unref();
  };

  const sender: OutboxSender = {
    drain: () => pass(),
    hurry() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      const run = async () => {
        do {
          again = false;
          wakeForRetries(await pass());
        } while (again && !stopped);
      };
      running = run()
        .catch((error: unknown) => log.error({ err: error }, "CRM outbox pass failed"))
        .finally(() => {
          running = undefined;
        });
      deps.tasks.run(() => running ?? Promise.resolve());
    },
    start() {
      task = cron.schedule(deps.every ?? "*/15 * * * * *", () => sender.hurry());
      sender.hurry();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await task?.stop();
      await running;
    },
  };
  return sender;
}
