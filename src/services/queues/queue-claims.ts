import type { CallQueue, Lead } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import type { CallingLaw } from "../compliance/calling-law.js";
import type { Verdict } from "../compliance/verdict.js";
import type { ClaimRef, ClaimRow, ClaimStore } from "./claim-store.js";
import { parseStoredFilter, type QueueOrder } from "./queue-filter.js";

/** A claim lives this long without a renewal (a call in progress renews it). */
export const CLAIM_LEASE_MS = 5 * 60_000;
/** Leads passed over (by the law) in one search for the next lead before the agent is told to try again. */
const MAX_PASSES = 25;
/** Picks lost to other claimers in one search before it counts them as passes (many agents on few leads). */
const MAX_RACES = 200;
/** Empty claims in a row before the queue counts as empty (an empty claim may be a lost race on PostgreSQL). */
const EMPTY_TRIES = 3;
/** How often one process looks for expired leases while claiming. */
const EXPIRE_EVERY_MS = 1_000;
/** When the law gives no next allowed time (an unknown zone, no consent), the lead comes back after this. */
const RETRY_LATER_MS = 24 * 3600_000;

/**
 * The reasons an agent gives for Skip on the card. A wrong number takes the lead out of this queue; the
 * others bring it back after the queue's re-call gap.
 */
export const AGENT_SKIP_REASONS = ["not_now", "wrong_number", "call_later", "in_touch", "other"] as const;
export type AgentSkipReason = (typeof AGENT_SKIP_REASONS)[number];
/** Agent skips that take the lead out of the queue (it does not come back). */
const SKIPS_OUT: readonly string[] = ["wrong_number"];

export type SkipReason =
  | AgentSkipReason
  /** A skip recorded before agents gave reasons. */
  | "agent"
  | "snooze"
  | "hours"
  | "day"
  | "team_window"
  | "cap"
  | "dnc"
  | "unknown_zone"
  | "consent"
  | "recall_gap"
  | "gone";

export interface Offer {
  claim: ClaimRow;
  lead: Lead;
  verdict: Verdict;
}

/** Why the law passes over a lead, and when it comes back (null: never, in this queue). */
export function skipOf(
  verdict: Extract<Verdict, { allowed: false }>,
  now: Date,
): { reason: SkipReason; until: Date | null } {
  const first = verdict.reasons[0];
  if (verdict.reasons.some((reason) => reason.kind === "dnc")) return { reason: "dnc", until: null };
  const reason: SkipReason = first ? (first.kind as SkipReason) : "hours";
  return { reason, until: verdict.nextAllowedAt ?? new Date(now.getTime() + RETRY_LATER_MS) };
}

export interface QueueClaims {
  /**
   * The next lead for the agent: claimed (one live claim per lead), judged by the calling-law verdict
   * (do-not-call, hours, caps); a lead not allowed now is skipped with its reason and next allowed time
   * and the search goes on. Undefined when the queue has no lead to offer now.
   */
  next(queue: CallQueue, runId: number | null, agentId: string): Promise<Offer | undefined>;
  /**
   * Before dialling: the claim must still be the agent's and the lead allowed now (the law again, the
   * re-call gap in beginDial). Blocked → the lead is skipped with the reason and the verdict comes back.
   */
  beginDial(
    queue: CallQueue,
    claim: ClaimRef & { runId: number | null },
  ): Promise<{ ok: true; lead: Lead; verdict: Verdict } | { ok: false; why: "lost" | "blocked"; verdict?: Verdict }>;
  skip(queue: CallQueue, claim: ClaimRef, reason: SkipReason, note?: string, until?: Date): Promise<boolean>;
  /** The outcome of a dialled claim: released, the lead's standing updated (an outcome that removes takes it out). */
  outcome(queue: CallQueue, claim: ClaimRef, outcome: string): Promise<boolean>;
  renew(claim: ClaimRef): Promise<boolean>;
  release(claim: ClaimRef, status: "stopped" | "expired"): Promise<boolean>;
}

export function createQueueClaims(deps: {
  store: ClaimStore;
  leads: { get(ws: number, id: number): Promise<Lead | null | undefined> };
  law: Pick<CallingLaw, "verdict">;
  clock: Clock;
  log: Logger;
  leaseMs?: number;
}): QueueClaims {
  const leaseMs = deps.leaseMs ?? CLAIM_LEASE_MS;
  const log = deps.log.child({ component: "queue-claims" });
  const gapOf = (queue: CallQueue) => queue.recallGapMin * 60_000;
  let lastExpire = Number.NEGATIVE_INFINITY;

  const passOver = async (queue: CallQueue, claim: ClaimRow, reason: SkipReason, until: Date | null) => {
    await deps.store.skip(
      claim,
      {
        ws: queue.workspaceId,
        queueId: queue.id,
        runId: claim.runId,
        leadId: claim.leadId,
        agentId: claim.agentId,
        reason,
        until,
      },
      deps.clock.now(),
    );
  };

  return {
    async next(queue, runId, agentId) {
      const filter = parseStoredFilter(queue.filter);
      const exclude: number[] = [];
      let empty = 0;
      let races = 0;
      for (let pass = 0; pass < MAX_PASSES; pass += 1) {
        const now = deps.clock.now();
        // Expired leases are looked for at most once a second per process (a read; a write only when due).
        if (now.getTime() - lastExpire >= EXPIRE_EVERY_MS || now.getTime() < lastExpire) {
          lastExpire = now.getTime();
          await deps.store.expire(now);
        }
        const picked = await deps.store.claimNext({
          ws: queue.workspaceId,
          queueId: queue.id,
          runId,
          agentId,
          filter,
          orderBy: queue.orderBy as QueueOrder,
          maxAttempts: queue.maxAttempts,
          recallGapMs: gapOf(queue),
          now,
          leaseUntil: new Date(now.getTime() + leaseMs),
          exclude,
        });
        if (picked === "raced") {
          // Another claimer took (or finished) the lead this pick chose: that is no pass over a lead.
          races += 1;
          if (races < MAX_RACES) pass -= 1;
          continue;
        }
        if (!picked) {
          // Nothing to offer, or (PostgreSQL) another claimer's commit took the picked lead: look again, briefly.
          empty += 1;
          if (empty >= EMPTY_TRIES) return undefined;
          continue;
        }
        const claim = picked;
        const lead = await deps.leads.get(queue.workspaceId, picked.leadId);
        if (!lead?.phone) {
          await passOver(queue, claim, "gone", null);
          exclude.push(picked.leadId);
          continue;
        }
        const verdict = await deps.law.verdict(queue.workspaceId, lead, "live", deps.clock.callingNow());
        if (verdict.allowed) return { claim, lead, verdict };
        const { reason, until } = skipOf(verdict, deps.clock.callingNow());
        await passOver(queue, claim, reason, until);
        exclude.push(picked.leadId);
        log.debug({ queueId: queue.id, leadId: lead.id, reason }, "lead passed over by the law");
      }
      return undefined;
    },

    async beginDial(queue, claim) {
      const row = await deps.store.byId(claim.id);
      if (!row || row.agentId !== claim.agentId || row.liveLeadId === null) return { ok: false, why: "lost" };
      const lead = await deps.leads.get(queue.workspaceId, row.leadId);
      if (!lead?.phone) {
        await passOver(queue, row, "gone", null);
        return { ok: false, why: "lost" };
      }
      const verdict = await deps.law.verdict(queue.workspaceId, lead, "live", deps.clock.callingNow());
      if (!verdict.allowed) {
        const { reason, until } = skipOf(verdict, deps.clock.callingNow());
        await passOver(queue, row, reason, until);
        return { ok: false, why: "blocked", verdict };
      }
      if (!(await deps.store.beginDial(claim, deps.clock.now(), gapOf(queue)))) return { ok: false, why: "lost" };
      return { ok: true, lead, verdict };
    },

    async skip(queue, claim, reason, note, until) {
      const row = await deps.store.byId(claim.id);
      if (!row || row.agentId !== claim.agentId) return false;
      const now = deps.clock.now();
      return deps.store.skip(
        claim,
        {
          ws: queue.workspaceId,
          queueId: queue.id,
          runId: row.runId,
          leadId: row.leadId,
          agentId: claim.agentId,
          reason,
          note: note ?? null,
          // An agent's skip brings the lead back after the queue's re-call gap (a wrong number never); a
          // snooze at its time.
          until: SKIPS_OUT.includes(reason) ? null : (until ?? new Date(now.getTime() + gapOf(queue))),
        },
        now,
      );
    },

    async outcome(queue, claim, outcome) {
      const row = await deps.store.byId(claim.id);
      if (!row || row.agentId !== claim.agentId) return false;
      const now = deps.clock.now();
      const released = await deps.store.release(claim, "done", now, outcome);
      // A call longer than the lease outlives its claim: its outcome still counts for the lead's standing
      // (the re-call gap set at the dial keeps it from anyone meanwhile).
      if (!released && !(row.callId !== null && ["dialing", "expired"].includes(row.status))) return false;
      const remove = queue.removeOutcomes.split(",").includes(outcome) || outcome === "do_not_call";
      await deps.store.standing(queue.id, row.leadId, { outcome, remove, now });
      return true;
    },

    renew: (claim) => {
      const now = deps.clock.now();
      return deps.store.renew(claim, new Date(now.getTime() + leaseMs), now);
    },
    release: (claim, status) => deps.store.release(claim, status, deps.clock.now()),
  };
}
