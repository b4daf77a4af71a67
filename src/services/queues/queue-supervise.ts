import type { QueueRun } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { UserError } from "../../lib/errors.js";
import type { EventBus } from "../../lib/events.js";
import type { AuditService } from "../audit/audit-store.js";
import type { CallContexts } from "../calls/call-context.js";
import type { AdminGate } from "../setup/admin-gate.js";
import { isTwilioRefusal, toTwilioError } from "../twilio/client.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";
import type { QueueStore } from "./queue-store.js";
import { queueAgentUrls } from "./queue-twilio.js";

export type ListenMode = "listen" | "whisper" | "join";

/** One agent working a queue, as `/call-queue status` lists it. */
export interface RunStatus {
  runId: number;
  agentId: string;
  queueName: string;
  calls: number;
  talkSec: number;
  /** ringing (the agent's phone) | waiting (no lead on a call) | on_call | outcome (the call ended, no outcome yet) */
  state: "ringing" | "waiting" | "on_call" | "outcome";
  listenerId: string | null;
  listenMode: string | null;
}

const LIVE = new Set(["queued", "dialing", "initiated", "ringing", "in-progress", "answered"]);

/**
 * Supervisors (admins): the runs being worked, and a supervisor's phone added to a run's conference —
 * muted (Listen), coaching the agent (Whisper: the agent hears, the lead does not) or as a full participant
 * (Join). Twilio's Participants API: Muted, Coaching with CallSidToCoach (the agent's leg).
 */
export function createQueueSupervision(deps: {
  queues: Pick<QueueStore, "runById" | "updateRun" | "liveRunsIn" | "runCalls">;
  gate: AdminGate;
  agentPhones: { own(ws: number, agentId: string): Promise<string | undefined> };
  contexts: CallContexts;
  twilioFor: TwilioFor;
  events: EventBus;
  audit: AuditService;
  clock: Clock;
  publicBaseUrl?: string;
}) {
  const statusOf = async (run: QueueRun & { queue: { name: string } }): Promise<RunStatus> => {
    const calls = await deps.queues.runCalls(run.id);
    const live = calls.find((call) => call.live);
    const state =
      run.status === "ringing" ? "ringing" : live ? (LIVE.has(live.status) ? "on_call" : "outcome") : "waiting";
    return {
      runId: run.id,
      agentId: run.agentId,
      queueName: run.queue.name,
      calls: calls.length,
      talkSec: calls.reduce((sum, call) => sum + (call.durationSec ?? 0), 0),
      state,
      listenerId: run.listenerId,
      listenMode: run.listenMode,
    };
  };

  return {
    async status(ws: number, by: string): Promise<RunStatus[]> {
      await deps.gate.require(ws, by, "queues", { action: "status" });
      return Promise.all((await deps.queues.liveRunsIn(ws, 40)).map(statusOf));
    },

    async supervise(ws: number, by: string, runId: number, mode: ListenMode): Promise<void> {
      await deps.gate.require(ws, by, "queues", { action: mode });
      const run = await deps.queues.runById(runId);
      if (!run || run.workspaceId !== ws || run.status !== "live" || !run.agentCallSid)
        throw UserError.of("queue_run_gone");
      if (run.agentId === by) throw UserError.of("queue_own_run");
      if (run.listenerId) throw UserError.of("queue_listened");
      const phone = await deps.agentPhones.own(ws, by);
      if (!phone) throw UserError.of("supervisor_phone_missing");
      const context = await deps.contexts.read(ws, by);
      const { client } = await deps.twilioFor(ws, context.settings);
      const base = deps.publicBaseUrl;
      const urls = queueAgentUrls(base, ws, run.id);
      try {
        const participant = await client.conferences(run.conference).participants.create({
          from: context.settings.phoneNumber!,
          to: phone,
          label: `supervisor-${by}`,
          beep: "false",
          endConferenceOnExit: false,
          timeout: 30,
          ...(mode === "listen" ? { muted: true } : {}),
          ...(mode === "whisper" ? { coaching: true, callSidToCoach: run.agentCallSid } : {}),
          ...(base
            ? { statusCallback: urls.supervisor, statusCallbackMethod: "POST", statusCallbackEvent: ["completed"] }
            : {}),
        });
        await deps.queues.updateRun(run.id, { listenerId: by, listenMode: mode, listenCallSid: participant.callSid });
      } catch (error) {
        throw isTwilioRefusal(error) ? toTwilioError(error)! : error;
      }
      await deps.audit.record(ws, by, "queue.supervised", { runId: run.id, mode });
      deps.events.emit("queue.changed", { ws, runId: run.id });
    },

    /** The supervisor's leg ended: the card stops saying someone is listening. */
    async supervisorLeg(runId: number, callSid: string | undefined, status: string): Promise<void> {
      if (!["completed", "busy", "no-answer", "failed", "canceled"].includes(status)) return;
      const run = await deps.queues.runById(runId);
      if (!run || !run.listenCallSid || (callSid && callSid !== run.listenCallSid)) return;
      await deps.queues.updateRun(run.id, { listenerId: null, listenMode: null, listenCallSid: null });
      deps.events.emit("queue.changed", { ws: run.workspaceId, runId: run.id });
    },
  };
}
export type QueueSupervision = ReturnType<typeof createQueueSupervision>;
