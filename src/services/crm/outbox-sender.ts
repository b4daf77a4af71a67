import { randomUUID } from "node:crypto";
import type { Call, Lead } from "@prisma/client";
import cron, { type ScheduledTask } from "node-cron";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import { callLog, sidMarker } from "./call-log.js";
import { type CrmConnector, CrmError, type CrmProvider } from "./connector.js";
import type { CrmStore } from "./crm-store.js";
import type { OutboxClaim, OutboxStore } from "./outbox-store.js";
import { RateBudget } from "./rate-budget.js";

/** Rows sent at once (per instance); each is claimed by the worker that sends it. */
const CONCURRENCY = 8;
/** Longest wait between two tries of a row (5xx, timeouts). */
const MAX_BACKOFF_MS = 5 * 60_000;
/** A key that is missing (the CRM was disconnected): rows wait, and are tried again this much later. */
const NO_KEY_WAIT_MS = 10 * 60_000;

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
  store: Pick<CrmStore, "personOf" | "link" | "crmUserOf">;
  provider: CrmProvider;
  apiKeyOf(ws: number): Promise<string | undefined>;
  callFacts(callId: number): Promise<{ call: Call; lead: Lead | undefined } | undefined>;
  clock: Clock;
  log: Logger;
  tasks: TaskTracker;
  leaseMs?: number;
  /** The first retry's wait; doubled each try up to MAX_BACKOFF_MS. */
  backoffMs?: number;
  every?: string;
  /** Test-only: "crm.logged" after the CRM took a call, before the row says so (the kill -9 test). */
  crashPoint?: (point: string) => void;
}

export function createOutboxSender(deps: SenderDeps): OutboxSender {
  const owner = `crm-${randomUUID()}`;
  const leaseMs = deps.leaseMs ?? 2 * 60_000;
  const backoffMs = deps.backoffMs ?? 2_000;
  const log = deps.log.child({ component: "crm-outbox" });
  const budget = new RateBudget(() => deps.clock.now().getTime());
  const connectors = new Map<number, { key: string; connector: CrmConnector }>();
  let running: Promise<unknown> | undefined;
  let again = false;
  let stopped = false;
  let task: ScheduledTask | undefined;
  let timer: NodeJS.Timeout | undefined;

  const connectorFor = async (ws: number) => {
    const key = await deps.apiKeyOf(ws);
    if (!key) return undefined;
    const known = connectors.get(ws);
    if (known?.key === key) return known.connector;
    const connector = deps.provider.connect(key, (info) => budget.observe(ws, info));
    connectors.set(ws, { key, connector });
    return connector;
  };

  const pause = async (ws: number, ms: number) => {
    const until = budget.pause(ws, ms);
    await deps.outbox.pause(ws, new Date(until));
  };

  /** Waits for the workspace's rate budget, then runs one request. */
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
      if (error instanceof CrmError && error.failure.kind === "rate-limited")
        await pause(ws, error.failure.retryAfterMs);
      throw error;
    } finally {
      budget.end(ws);
    }
  };

  /** The CRM person of the call's lead: linked before, found by phone, or created. */
  const personFor = async (claim: OutboxClaim, crm: CrmConnector, call: Call, lead: Lead | undefined) => {
    if (claim.personId) return claim.personId;
    const linked = await deps.store.personOf(claim.ws, call.leadId);
    if (linked) return linked;
    const phone = lead?.phone ?? call.toNumber;
    const found = await gated(claim.ws, () => crm.findPersonByPhone(phone));
    // Two people with one phone: all are linked to the lead, the call is logged on the first (lowest id).
    for (const person of found) await deps.store.link(claim.ws, person.id, call.leadId);
    if (found.length > 0) return Math.min(...found.map((person) => person.id));
    const owner = lead?.ownerSlackId ? await deps.store.crmUserOf(claim.ws, lead.ownerSlackId) : undefined;
    const made = await gated(claim.ws, () =>
      crm.upsertPerson({ name: lead?.name ?? phone, phone, email: lead?.email ?? undefined, assignedUserId: owner }),
    );
    await deps.store.link(claim.ws, made.id, call.leadId);
    return made.id;
  };

  const sendCall = async (claim: OutboxClaim, crm: CrmConnector) => {
    const facts = claim.callId === null ? undefined : await deps.callFacts(claim.callId);
    if (!facts) throw new CrmError({ kind: "refused" }, "the call is no longer in Leadline");
    const { call, lead } = facts;
    const personId = await personFor(claim, crm, call, lead);
    const userId = await deps.store.crmUserOf(claim.ws, call.placedBy);
    const entry = callLog(call, lead?.phone, personId, userId);
    let remoteId = claim.remoteId ?? undefined;
    // A send whose answer was lost (or whose sender died) may be in the CRM already: look before sending.
    if (remoteId === undefined && claim.maybeSent)
      remoteId = await gated(claim.ws, () => crm.findLoggedCall(personId, sidMarker(claim.sid)));
    const logged = await gated(claim.ws, () => crm.logCall(entry, remoteId));
    deps.crashPoint?.("crm.logged");
    return { remoteId: logged, personId };
  };

  type Result = "sent" | "later" | "failed";
  const retryAt = (claim: OutboxClaim) => {
    // Doubling from the first wait, at most 8 times (2 s → 8.5 min, capped at 5), and never past the cap.
    const wait = Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** Math.min(8, Math.max(0, claim.attempts - 1)));
    return new Date(deps.clock.now().getTime() + wait * (0.8 + Math.random() * 0.4));
  };

  const handle = async (claim: OutboxClaim): Promise<Result> => {
    const now = () => deps.clock.now();
    try {
      const crm = await connectorFor(claim.ws);
      if (!crm) {
        const dueAt = new Date(now().getTime() + NO_KEY_WAIT_MS);
        await deps.outbox.later(
          claim,
          { dueAt, error: "The CRM is not connected.", maybeSent: claim.maybeSent, uncounted: true },
          now(),
        );
        return "later";
      }
      if (claim.kind !== "call") throw new CrmError({ kind: "refused" }, `Leadline cannot log a ${claim.kind} yet`);
      const result = await sendCall(claim, crm);
      await deps.outbox.sent(claim, result, now());
      return "sent";
    } catch (error) {
      return settleFailure(claim, error);
    }
  };

  const settleFailure = async (claim: OutboxClaim, error: unknown): Promise<Result> => {
    const now = deps.clock.now();
    if (error instanceof Deferred) {
      const dueAt = new Date(now.getTime() + error.waitMs);
      await deps.outbox.later(
        claim,
        { dueAt, error: "waiting for the CRM's rate limit", maybeSent: claim.maybeSent, uncounted: true },
        now,
      );
      return "later";
    }
    if (!(error instanceof CrmError)) {
      log.error({ err: error, sid: claim.sid }, "a CRM outbox row could not be sent; will try again");
      await deps.outbox.later(
        claim,
        { dueAt: retryAt(claim), error: "Leadline could not send it", maybeSent: true },
        now,
      );
      return "later";
    }
    const words = `${error.status ? `${error.status}: ` : ""}${error.crmMessage}`;

    switch (error.failure.kind) {
      case "rate-limited": {
        const dueAt = new Date(now.getTime() + error.failure.retryAfterMs);
        await deps.outbox.later(claim, { dueAt, error: words, maybeSent: claim.maybeSent, uncounted: true }, now);
        return "later";
      }
      case "unavailable": {
        const maybeSent = claim.maybeSent || error.failure.ambiguous;
        await deps.outbox.later(claim, { dueAt: retryAt(claim), error: words, maybeSent }, now);
        return "later";
      }
      default:
        log.warn({ sid: claim.sid, status: error.status }, "the CRM refused an outbox row; shown in /crm-setup status");
        await deps.outbox.failed(claim, words, now);
        return "failed";
    }
  };

  const pass = async () => {
    const counts = { sent: 0, later: 0, failed: 0 };
    // Each worker claims one row right before sending it, so a claim's lease runs while its own send
    // does: a row never waits in a local queue while its lease runs out and another instance takes it.
    const worker = async () => {
      while (!stopped) {
        const now = deps.clock.now();
        const [claim] = await deps.outbox.claim(now, owner, new Date(now.getTime() + leaseMs), 1);
        if (!claim) return;
        counts[await handle(claim)] += 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
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
      Math.min(backoffMs, 1_000),
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

/** The rate budget will not allow a request within half a lease: the row goes back, due when it will. */
class Deferred extends Error {
  constructor(readonly waitMs: number) {
    super("deferred for the CRM's rate limit");
  }
}
