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
  /** The workspace's CRM (the adapter its stored connection names) and key; undefined when none is connected. */
  crmOf(ws: number): Promise<{ provider: CrmProvider; apiKey: string } | undefined>;
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
  const connectors = new Map<number, { key: string; provider: string; connector: CrmConnector }>();
  let running: Promise<unknown> | undefined;
  let again = false;
  let stopped = false;
  let task: ScheduledTask | undefined;
  let timer: NodeJS.Timeout | undefined;

  const connectorFor = async (ws: number, crm: { provider: CrmProvider; apiKey: string } | undefined) => {
    if (!crm) return undefined;
    const { provider, apiKey: key } = crm;
    const known = connectors.get(ws);
    if (known?.key === key && known.provider === provider.id) return known.connector;
    const connector = provider.connect(key, (info) => budget.observe(ws, info));
    connectors.set(ws, { key, provider: provider.id, connector });
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

  /**
   * Rows the CRM took are marked sent together: one statement for every row finished while the last
   * one ran (a group commit), instead of a write per row. A row whose mark is lost to a crash is
   * looked up in the CRM before any resend, as any row that was taken but not yet marked.
   */
  const finished: {
    claim: OutboxClaim;
    result: { remoteId: number; personId: number };
    done: (error?: unknown) => void;
  }[] = [];
  let writing = false;
  const writeFinished = async () => {
    if (writing) return;
    writing = true;
    try {
      while (finished.length > 0) {
        const batch = finished.splice(0, 200);
        try {
          await deps.outbox.sentMany(batch, deps.clock.now());
          for (const row of batch) row.done();
        } catch (error) {
          for (const row of batch) row.done(error);
        }
      }
    } finally {
      writing = false;
    }
  };
  const markSent = (claim: OutboxClaim, result: { remoteId: number; personId: number }) =>
    new Promise<boolean>((resolve, reject) => {
      finished.push({ claim, result, done: (error) => (error ? reject(error) : resolve(true)) });
      void writeFinished();
    });

  const sendRow = createRowSender(
    {
      outbox: { sent: markSent, later: deps.outbox.later, failed: deps.outbox.failed },
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
    const crms = new Map<number, ReturnType<SenderDeps["crmOf"]>>();
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

    /**
     * The next row of a workspace with a free send (workspaces in turn, oldest claim first), never a
     * lead's second row while its first is being sent: a lead not yet linked to a CRM person gets one
     * person, found or created once, and all its rows are logged on it.
     */
    const busyLeads = new Set<string>();
    const leadOf = (ready: Ready) => {
      const { facts } = ready;
      const lead = facts.kind === "call" ? facts.call.leadId : facts.kind === "text" ? facts.text.leadId : null;
      return lead === null ? undefined : `${ready.claim.ws}:${lead}`;
    };
    const next = (): Ready | undefined => {
      for (const [ws, queue] of queues) {
        if ((inflight.get(ws) ?? 0) >= PER_WORKSPACE) continue;
        const at = queue.findIndex((ready) => {
          const lead = leadOf(ready);
          return lead === undefined || !busyLeads.has(lead);
        });
        if (at < 0) continue;
        const [ready] = queue.splice(at, 1);
        queues.delete(ws);
        if (queue.length > 0) queues.set(ws, queue);
        queued -= 1;
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
      if (!crms.has(claim.ws)) crms.set(claim.ws, deps.crmOf(claim.ws));
      const crm = await connectorFor(claim.ws, await crms.get(claim.ws));
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
        const lead = leadOf(ready);
        if (lead) busyLeads.add(lead);
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
          if (lead) busyLeads.delete(lead);
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
