import { randomBytes } from "node:crypto";
import type { CallQueue, Lead, QueueRun } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { UserError } from "../../lib/errors.js";
import type { EventBus } from "../../lib/events.js";
import type { Logger } from "../../lib/log.js";
import type { AuditService } from "../audit/audit-store.js";
import { type CallerId, openWithCallerId } from "../callerid/callerid-service.js";
import type { CallContexts } from "../calls/call-context.js";
import type { CallStore } from "../calls/call-store.js";
import type { CallMode } from "../calls/modes.js";
import type { OpenCall } from "../calls/open-call.js";
import type { OutcomeService } from "../calls/outcomes.js";
import type { CallReadiness } from "../calls/readiness.js";
import type { RecordPlaced } from "../calls/reconcile.js";
import { isTwilioRefusal, toTwilioError } from "../twilio/client.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";
import type { AutoAdvance, AutoRule } from "./auto-advance.js";
import type { ClaimStore } from "./claim-store.js";
import { AGENT_SKIP_REASONS, type AgentSkipReason, type QueueClaims, type SkipReason } from "./queue-claims.js";
import type { QueueStore } from "./queue-store.js";
import { createParticipantAdder, queueAgentUrls } from "./queue-twilio.js";
import type { SnoozeChoice, SnoozeTimes } from "./snooze.js";

/** The card's buttons carry the run and the claim; every action checks both against the database. */
export interface RunAction {
  ws: number;
  runId: number;
  agentId: string;
}

export interface QueueRuns {
  /** `/call-queue <name>` or Start calling: one run per agent, their phone rung once. */
  start(input: { ws: number; queue: string | number; agentId: string; channel?: string }): Promise<QueueRun>;
  /** The agent's phone answered and a key was pressed (or not): join the conference, or end the run. */
  agentJoined(
    runId: number,
    pressed: boolean,
    lineSid?: string,
  ): Promise<{ join: boolean; run?: QueueRun; queue?: CallQueue }>;
  /** The agent's leg moved; a final status ends the run (the agent hung up, or never answered). */
  agentLeg(runId: number, status: string): Promise<void>;
  /** Offers the next lead (a claim) unless the run already holds one. */
  next(action: RunAction): Promise<void>;
  /** Call on the card: the law and the re-call gap again, the call row, then the lead joins the run's conference. */
  dial(action: RunAction & { claimId: number }): Promise<void>;
  /** Skip with the agent's reason; snooze until a time (a choice read in the lead's zone): back then, not before. */
  skip(action: RunAction & { claimId: number; reason: AgentSkipReason }): Promise<void>;
  snooze(action: RunAction & { claimId: number; until: SnoozeChoice | Date }): Promise<void>;
  /** The outcome of the lead's call: recorded on the call, the claim released, the next lead offered. */
  outcome(action: RunAction & { claimId: number; outcome: string; byName?: string }): Promise<void>;
  stop(action: RunAction): Promise<void>;
  run(runId: number): Promise<{ run: QueueRun; queue: CallQueue | undefined } | undefined>;
  /**
   * What Twilio says of the agent's line (the sweep asked: a callback may have been lost while Leadline was
   * down): a run not ended whose line is over ends as the callback would have ended it; a run that ended
   * while its line stayed up (the hang-up failed, or Leadline died before it) has its line hung up, which
   * ends its conference. `settled`: the line is over and the run ended (nothing more to check).
   */
  reconcileLine(runId: number, lineStatus: string): Promise<"ended" | "hung_up" | "settled" | "live">;
}

/** Statuses after which the agent's line is over. */
const LINE_OVER = ["completed", "busy", "no-answer", "failed", "canceled"];

export function createQueueRuns(deps: {
  queues: QueueStore;
  claims: QueueClaims;
  claimStore: Pick<ClaimStore, "liveOfRun" | "releaseRun" | "linkCall" | "byId">;
  contexts: CallContexts;
  readiness: Pick<CallReadiness, "checkLead" | "checkAgentPhone" | "missingFor">;
  openCall: OpenCall;
  recordPlaced: RecordPlaced;
  calls: Pick<CallStore, "recordFailed" | "byId" | "changeCallerId">;
  /** The lead's caller ID, chosen as for every other call (sticky, local, in-state, team). */
  callerId: CallerId;
  outcomes: Pick<OutcomeService, "record">;
  twilioFor: TwilioFor;
  events: EventBus;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  publicBaseUrl?: string;
  autoAdvance: AutoAdvance;
  autoRule: AutoRule;
  leads: { get(ws: number, id: number): Promise<Lead | null | undefined> };
  snoozeTimes: SnoozeTimes;
}): QueueRuns {
  const log = deps.log.child({ component: "queue-runs" });
  const changed = (ws: number, runId: number) => deps.events.emit("queue.changed", { ws, runId });

  /** The run and its queue, for an action by the run's agent on a run that has not ended. */
  const liveRun = async ({ ws, runId, agentId }: RunAction) => {
    const run = await deps.queues.runById(runId);
    if (!run || run.workspaceId !== ws || run.agentId !== agentId) throw UserError.of("queue_run_not_yours");
    if (run.status === "ended") throw UserError.of("queue_run_ended");
    const queue = await deps.queues.byId(ws, run.queueId);
    if (!queue) {
      await end(run, "queue_deleted");
      throw UserError.of("queue_deleted");
    }
    return { run, queue };
  };

  /**
   * Ends a run once: its claims released, the card redrawn, and (unless the agent's leg is what ended)
   * the agent's leg hung up, which ends the conference (endConferenceOnExit).
   */
  const end = async (run: QueueRun, reason: string) => {
    deps.autoAdvance.cancel(run.id);
    if (!(await deps.queues.endRun(run.id, reason, deps.clock.now()))) return;
    await deps.claimStore.releaseRun(run.id, deps.clock.now());
    changed(run.workspaceId, run.id);
    if (!reason.startsWith("agent_")) await hangUp(run);
  };

  /** Hangs up the agent's leg, which ends the run's conference (endConferenceOnExit); the sweep retries a failure. */
  const hangUp = async (run: QueueRun) => {
    if (!run.agentCallSid) return false;
    try {
      const context = await deps.contexts.read(run.workspaceId, run.agentId);
      const { client } = await deps.twilioFor(run.workspaceId, context.settings);
      await client.calls(run.agentCallSid).update({ status: "completed" });
      return true;
    } catch (error) {
      log.warn({ err: error, runId: run.id }, "could not hang up the agent's leg");
      return false;
    }
  };

  const addParticipant = createParticipantAdder(deps);

  const offerNext = async (run: QueueRun, queue: CallQueue) => {
    if (await deps.claimStore.liveOfRun(run.id)) return;
    await deps.claims.next(queue, run.id, run.agentId);
  };

  /** Skip or snooze: the skip row and the release at once, the next lead offered. */
  const putAside = async (action: RunAction & { claimId: number }, reason: SkipReason, until?: Date) => {
    deps.autoAdvance.cancel(action.runId);
    const { run, queue } = await liveRun(action);
    if (!(await deps.claims.skip(queue, { id: action.claimId, agentId: action.agentId }, reason, undefined, until)))
      throw UserError.of("queue_claim_lost");
    await offerNext(run, queue);
    changed(action.ws, run.id);
  };

  /**
   * After an outcome: when the queue auto-advances and the lead now on offer may be dialled without the
   * agent's press (auto-advance.ts: autodial consent, never Florida or Oklahoma), its dial is scheduled;
   * otherwise the lead waits for Call (the card says why). The wait's end checks everything again.
   */
  const scheduleAuto = async (run: QueueRun, queue: CallQueue) => {
    if (!queue.autoAdvanceSec) return;
    const claim = await deps.claimStore.liveOfRun(run.id);
    if (!claim || claim.status !== "offered") return;
    const lead = await deps.leads.get(run.workspaceId, claim.leadId);
    if (!lead || (await deps.autoRule(run.workspaceId, lead))) return;
    const action = { ws: run.workspaceId, runId: run.id, agentId: run.agentId, claimId: claim.id };
    deps.autoAdvance.schedule(run.id, queue.autoAdvanceSec * 1000, () => autoDial(action));
  };

  const autoDial = async (action: RunAction & { claimId: number }) => {
    const { run, queue } = await liveRun(action);
    const claim = await deps.claimStore.byId(action.claimId);
    if (!queue.autoAdvanceSec || run.status !== "live" || claim?.status !== "offered" || claim.runId !== run.id) return;
    const lead = await deps.leads.get(action.ws, claim.leadId);
    const block = lead ? await deps.autoRule(action.ws, lead) : "unknown_place";
    if (block) return log.info({ runId: run.id, leadId: claim.leadId, block }, "auto-advance held back at dial");
    await dial(action);
  };

  const dial = async (action: RunAction & { claimId: number }) => {
    const { run, queue } = await liveRun(action);
    if (run.status !== "live") throw UserError.of("queue_not_answered");
    const ref = { id: action.claimId, agentId: action.agentId, runId: run.id };
    const ready = await deps.claims.beginDial(queue, ref);
    if (!ready.ok) {
      changed(action.ws, run.id);
      if (ready.why === "lost") throw UserError.of("queue_claim_expired");
      await offerNext(run, queue);
      return;
    }
    const context = await deps.contexts.read(action.ws, action.agentId);
    const to = await deps.readiness.checkLead(ready.lead, action.agentId, context.countries);
    const chosen = { lead: ready.lead, teamNumber: context.settings.phoneNumber!, now: deps.clock.callingNow() };
    const { row: call, choice } = await openWithCallerId(
      deps.callerId,
      { ws: action.ws, ...chosen, lead: { ...ready.lead, phone: to } },
      (picked) =>
        deps.openCall(
          {
            workspaceId: action.ws,
            lead: ready.lead,
            mode: "queue" as CallMode,
            from: picked.number,
            callerIdRule: picked.rule,
            to,
            agentId: action.agentId,
            status: "dialing",
            // No call line of its own: the queue card shows the call (and takes its outcome).
            originKey: `queue:${action.claimId}`,
          },
          ready.lead,
          "live",
          action.agentId,
          context.settings,
        ),
      log,
    );
    await deps.claimStore.linkCall(action.claimId, call.id);
    try {
      const placed = await addParticipant(run.conference, call, choice, chosen);
      await deps.recordPlaced(placed.call, placed.callSid, "queued", action.agentId);
    } catch (error) {
      if (!isTwilioRefusal(error)) throw error;
      // Twilio refused the participant: the call is recorded as failed with Twilio's code, the lead released.
      const refusal = toTwilioError(error)!;
      await deps.calls.recordFailed(
        call.id,
        { code: Number(refusal.code) || null, message: refusal.message },
        deps.clock.now(),
      );
      await deps.claims.release(ref, "stopped");
      await offerNext(run, queue);
      changed(action.ws, run.id);
      throw refusal;
    }
    changed(action.ws, run.id);
  };

  return {
    async start({ ws, queue: which, agentId, channel }) {
      const queue = typeof which === "number" ? await deps.queues.byId(ws, which) : await deps.queues.byName(ws, which);
      if (!queue) {
        const names = (await deps.queues.list(ws)).map((q) => q.name);
        throw UserError.of("queue_missing", { name: which, names });
      }
      const context = await deps.contexts.read(ws, agentId);
      const missing = await deps.readiness.missingFor(ws, "live", agentId, context);
      if (missing.length > 0 || !context.agentPhone)
        throw UserError.of("queue_not_ready", { missing, noAgentPhone: !context.agentPhone });
      await deps.readiness.checkAgentPhone(ws, 0, agentId, context.agentPhone, context.countries);
      for (const old of await deps.queues.liveRunsOf(ws, agentId)) {
        if (deps.clock.now().getTime() - old.updatedAt.getTime() < 6 * 3600_000) throw UserError.of("queue_run_live");
        await end(old, "abandoned");
      }
      const run = await deps.queues.startRun({
        ws,
        queueId: queue.id,
        agentId,
        conference: `leadline-q-${randomBytes(12).toString("hex")}`,
        channel,
      });
      const urls = queueAgentUrls(deps.publicBaseUrl, ws, run.id);
      const { client } = await deps.twilioFor(ws, context.settings);
      try {
        // The agent's phone rings once for the whole run.
        const created = await client.calls.create({
          to: context.agentPhone,
          from: context.settings.phoneNumber!,
          url: urls.answer,
          method: "POST",
          statusCallback: urls.status,
          statusCallbackMethod: "POST",
          statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
          timeout: 30,
        });
        await deps.queues.updateRun(run.id, { agentCallSid: created.sid });
      } catch (error) {
        await end(run, "twilio_refused");
        throw isTwilioRefusal(error) ? toTwilioError(error)! : error;
      }
      await deps.audit.record(ws, agentId, "queue.run_started", { queueId: queue.id, runId: run.id });
      changed(ws, run.id);
      return (await deps.queues.runById(run.id))!;
    },

    async agentJoined(runId, pressed, lineSid) {
      const run = await deps.queues.runById(runId);
      if (!run || run.status === "ended") return { join: false };
      // The line's SID from its own webhook: the create's answer may never have been saved (a kill -9 while
      // Twilio answered), and without it a Stop could not hang the line up.
      const line = !run.agentCallSid && lineSid ? { agentCallSid: lineSid } : {};
      if (!pressed) {
        await deps.queues.updateRun(run.id, line);
        await end({ ...run, ...line }, "agent_no_key");
        return { join: false };
      }
      await deps.queues.updateRun(run.id, { status: "live", ...line });
      const queue = await deps.queues.byId(run.workspaceId, run.queueId);
      if (queue) await offerNext(run, queue);
      changed(run.workspaceId, run.id);
      return { join: true, run, queue };
    },

    async agentLeg(runId, status) {
      if (!LINE_OVER.includes(status)) return;
      const run = await deps.queues.runById(runId);
      if (run) await end(run, status === "completed" ? "agent_hung_up" : `agent_${status}`);
    },

    async next(action) {
      const { run, queue } = await liveRun(action);
      await offerNext(run, queue);
      changed(action.ws, run.id);
    },

    dial: (action) => {
      deps.autoAdvance.cancel(action.runId);
      return dial(action);
    },

    async skip(action) {
      if (!AGENT_SKIP_REASONS.includes(action.reason)) throw UserError.of("queue_skip_reason");
      await putAside(action, action.reason);
    },

    async snooze(action) {
      const claim = await deps.claimStore.byId(action.claimId);
      if (claim?.runId !== action.runId || claim.agentId !== action.agentId || claim.liveLeadId === null)
        throw UserError.of("queue_claim_lost");
      const lead = await deps.leads.get(action.ws, claim.leadId);
      // Refused (a past time, too far ahead) before anything moves: the lead stays on the card.
      await putAside(action, "snooze", lead ? await deps.snoozeTimes.until(action.ws, lead, action.until) : undefined);
    },

    async outcome(action) {
      const { run, queue } = await liveRun(action);
      const claim = await deps.claimStore.byId(action.claimId);
      if (!claim || claim.runId !== run.id || claim.callId === null) throw UserError.of("queue_claim_not_called");
      await deps.outcomes.record({
        ws: action.ws,
        callId: claim.callId,
        outcome: action.outcome as never,
        by: action.agentId,
        byName: action.byName,
      });
      await deps.claims.outcome(queue, { id: claim.id, agentId: action.agentId }, action.outcome);
      await offerNext(run, queue);
      await scheduleAuto(run, queue);
      changed(action.ws, run.id);
    },

    async stop(action) {
      const run = await deps.queues.runById(action.runId);
      if (!run || run.workspaceId !== action.ws || run.agentId !== action.agentId) return;
      await end(run, "stopped");
    },

    async run(runId) {
      const run = await deps.queues.runById(runId);
      if (!run) return undefined;
      return { run, queue: await deps.queues.byId(run.workspaceId, run.queueId) };
    },

    async reconcileLine(runId, lineStatus) {
      const run = await deps.queues.runById(runId);
      if (!run) return "settled";
      const over = LINE_OVER.includes(lineStatus);
      if (run.status !== "ended") {
        if (!over) return "live";
        log.info({ runId, lineStatus }, "the agent's line ended unheard (a lost callback): the run ends");
        await end(run, lineStatus === "completed" ? "agent_hung_up" : `agent_${lineStatus}`);
        return "ended";
      }
      if (over) return "settled";
      log.warn({ runId, endReason: run.endReason }, "a run ended with its line still up: hanging it up");
      if (!(await hangUp(run))) return "live";
      changed(run.workspaceId, run.id);
      return "hung_up";
    },
  };
}
