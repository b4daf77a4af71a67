import type { Call, CallQueue, Lead, QueueRun } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import type { CallingLaw } from "../compliance/calling-law.js";
import type { Verdict } from "../compliance/verdict.js";
import type { AutoBlock, AutoRule } from "./auto-advance.js";
import type { ClaimStore, ProgressCounts } from "./claim-store.js";
import { parseStoredFilter } from "./queue-filter.js";
import type { QueueStore } from "./queue-store.js";

/** What a queue card shows, read fresh each time (a card is re-drawn from the database, never patched). */
export interface QueueCardState {
  run: QueueRun;
  queue: CallQueue | undefined;
  claim?: { id: number; status: string };
  lead?: Lead;
  /** Calling law's now, in the lead's (first) zone, when known: the view says the lead's local time. */
  leadNow?: { at: Date; zone: string };
  verdict?: Verdict;
  activities: string[];
  call?: Call;
  progress: ProgressCounts;
  /** A queue that auto-advances: whether this lead is dialled without the agent's press, and if not why. */
  auto?: { sec: number; block?: AutoBlock };
}

export function createQueueCardData(deps: {
  queues: Pick<QueueStore, "runById" | "byId">;
  claims: Pick<ClaimStore, "liveOfRun" | "runCounts" | "recentNotes" | "leftCount">;
  leads: { get(ws: number, id: number): Promise<Lead | null | undefined> };
  calls: { byId(id: number): Promise<Call | null | undefined> };
  law: Pick<CallingLaw, "verdict">;
  clock: Clock;
  autoRule: AutoRule;
  /** Whether this process has the run's automatic dial waiting. */
  autoPending(runId: number): boolean;
}) {
  return async (runId: number): Promise<QueueCardState | undefined> => {
    const run = await deps.queues.runById(runId);
    if (!run) return undefined;
    const [queue, claim, progress] = await Promise.all([
      deps.queues.byId(run.workspaceId, run.queueId),
      run.status === "ended" ? undefined : deps.claims.liveOfRun(run.id),
      deps.claims.runCounts(run.id),
    ]);
    if (queue)
      progress.left = await deps.claims.leftCount({
        ws: queue.workspaceId,
        queueId: queue.id,
        filter: parseStoredFilter(queue.filter),
        maxAttempts: queue.maxAttempts,
      });
    const state: QueueCardState = { run, queue, activities: [], progress };
    if (!claim) return state;
    const lead = (await deps.leads.get(run.workspaceId, claim.leadId)) ?? undefined;
    state.claim = { id: claim.id, status: claim.status };
    state.lead = lead;
    if (claim.callId) state.call = (await deps.calls.byId(claim.callId)) ?? undefined;
    if (!lead?.phone) return state;
    const now = deps.clock.callingNow();
    const [verdict, notes] = await Promise.all([
      deps.law.verdict(run.workspaceId, lead, "live", now),
      deps.claims.recentNotes(lead.id, 3),
    ]);
    state.verdict = verdict;
    state.activities = notes;
    if (queue?.autoAdvanceSec && claim.status === "offered") {
      const block = await deps.autoRule(run.workspaceId, lead);
      if (block || deps.autoPending(run.id)) state.auto = { sec: queue.autoAdvanceSec, block };
    }
    const zone = verdict.zones[0];
    if (zone) state.leadNow = { at: now, zone };
    return state;
  };
}
