import type { Call } from "@prisma/client";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import { formatDuration } from "../../lib/time.js";
import type { AuditService } from "../audit/audit.js";
import { DEFAULT_CALL_MESSAGE, defaultVoicemail, type SettingsService } from "../setup/settings.js";
import type { CallAnnouncer } from "../slack/call-lines.js";
import type { Db } from "../store/db.js";
import type { TwilioFor } from "../twilio/client.js";
import { connectToAgentTwiml, optOutTwiml, rejectTwiml, voicemailTwiml } from "../twilio/twiml.js";
import type { CallStatusStore, StatusWrite, StatusWriteResult } from "./call-status-store.js";

/** queued → initiated → ringing → in-progress → a final state; a call only ever moves forward. */
const RANK: Record<string, number> = {
  dialing: 0,
  unknown: 0,
  queued: 1,
  initiated: 2,
  ringing: 3,
  "in-progress": 4,
  completed: 5,
  busy: 5,
  "no-answer": 5,
  failed: 5,
  canceled: 5,
};
export const FINAL = new Set(["completed", "busy", "no-answer", "failed", "canceled"]);
const lowerThan = (status: string) => Object.keys(RANK).filter((s) => RANK[s]! < RANK[status]!);

export interface StatusUpdate {
  callSid: string;
  status: string;
  sequence?: number;
  rawTimestamp?: string;
  durationSec?: number;
  answeredBy?: string;
  sipCode?: string;
  source: "callback" | "poll";
}

export interface CallLifecycle {
  /** Stores the event and moves the call forward if the status is newer; side effects happen once per move. */
  applyStatus(update: StatusUpdate): Promise<{ moved: boolean }>;
  /** Answering-machine detection result; a machine gets the voicemail. */
  machineResult(callSid: string, answeredBy: string): Promise<void>;
  /** The lead pressed a key in the menu; returns the TwiML to play. */
  menuKey(callId: number, callSid: string, digits: string): Promise<string>;
  /** Fetches the call's price from Twilio until it is there (it lags the end of the call). */
  fetchPrice(callId: number, attempt?: number): Promise<void>;
  /** Price checks lost to a restart. */
  resumePriceChecks(): Promise<void>;
  stop(): void;
}

export function outcomeNote(
  call: Pick<Call, "status" | "durationSec" | "answeredBy" | "twilioSid" | "voicemailLeft">,
  sipCode?: string,
): string {
  const sid = `Call SID: ${call.twilioSid}`;
  switch (call.status) {
    case "completed": {
      const who = call.answeredBy
        ? `, answered by ${call.answeredBy.startsWith("machine") ? "machine" : call.answeredBy}`
        : "";
      return `[Call Completed] ${formatDuration(call.durationSec ?? 0)}${who}${call.voicemailLeft ? ", left a voicemail" : ""} - ${sid}`;
    }
    case "busy":
      return `[Call Busy] The line was busy${sipCode ? ` (SIP ${sipCode})` : ""} - ${sid}`;
    case "no-answer":
      return `[Call No Answer] Nobody answered - ${sid}`;
    case "canceled":
      return `[Call Canceled] The call was canceled before it was answered - ${sid}`;
    default:
      return `[Call Failed] Twilio could not connect the call${sipCode ? ` (SIP ${sipCode})` : ""} - ${sid}`;
  }
}

export function createCallLifecycle(deps: {
  db: Db;
  settings: SettingsService;
  twilioFor: TwilioFor;
  announcer: CallAnnouncer;
  audit: AuditService;
  tasks: TaskTracker;
  clock: () => Date;
  log: Logger;
  agentPhone: (agentId: string) => Promise<string | undefined>;
  priceDelaysMs?: number[];
  /** The fast path for status writes; without it every write goes through the ORM. */
  statusStore?: CallStatusStore;
}): CallLifecycle {
  const { db, log } = deps;
  const priceDelays = deps.priceDelaysMs ?? [5_000, 30_000, 120_000, 600_000];
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

  const twilioClient = async () => {
    const { accountSid, authToken } = await deps.settings.get();
    if (!accountSid || !authToken) return undefined;
    return deps.twilioFor({ accountSid, authToken });
  };

  /** The same write as the status store, through the ORM: used when that store is busy or absent. */
  const applyWithOrm = async (write: StatusWrite): Promise<StatusWriteResult> => {
    const call = await db.call.findUnique({ where: { twilioSid: write.callSid } });
    if (!call) return { outcome: "unknown-call" };
    await db.callEvent.create({
      data: {
        callId: call.id,
        status: write.status,
        sequenceNumber: write.sequence ?? null,
        rawTimestamp: write.rawTimestamp ?? null,
        createdAt: write.now,
      },
    });
    if (!write.movesFrom) return { outcome: "recorded", callId: call.id };
    // A conditional update: of many concurrent callbacks, only the one that moves the call forward wins.
    const moved = await db.call.updateMany({
      where: { id: call.id, status: { in: write.movesFrom } },
      data: {
        status: write.status,
        ...(write.sequence !== undefined ? { lastSequence: write.sequence } : {}),
        ...(write.answeredBy ? { answeredBy: write.answeredBy } : {}),
        ...(write.final ? { endedAt: write.now, activeLeadId: null, durationSec: write.durationSec ?? 0 } : {}),
      },
    });
    if (moved.count > 0) return { outcome: "moved", callId: call.id };
    if (write.answeredBy && !call.answeredBy) {
      await db.call.updateMany({ where: { id: call.id, answeredBy: null }, data: { answeredBy: write.answeredBy } });
    }
    return { outcome: "recorded", callId: call.id };
  };

  const lifecycle: CallLifecycle = {
    async applyStatus(update) {
      const final = FINAL.has(update.status);
      const write = {
        ...update,
        movesFrom: RANK[update.status] === undefined ? undefined : lowerThan(update.status),
        final,
        now: deps.clock(),
      };
      const fast = deps.statusStore?.(write);
      const result = !fast || fast.outcome === "busy" ? await applyWithOrm(write) : fast;
      if (result.outcome === "unknown-call") {
        log.warn({ source: update.source }, "status for a call Leadline does not know; ignored");
        return { moved: false };
      }
      if (result.outcome !== "moved") return { moved: false };
      if (final) {
        const current = await db.call.findUniqueOrThrow({ where: { id: result.callId } });
        await db.note.create({
          data: { leadId: current.leadId, author: "Leadline", body: outcomeNote(current, update.sipCode) },
        });
        later(priceDelays[0] ?? 5_000, () => lifecycle.fetchPrice(current.id, 0));
      }
      deps.tasks.run(() => deps.announcer.refresh(result.callId));
      return { moved: true };
    },

    async machineResult(callSid, answeredBy) {
      const call = await db.call.findUnique({ where: { twilioSid: callSid } });
      if (!call || FINAL.has(call.status)) return;
      await db.call.update({ where: { id: call.id }, data: { answeredBy } });
      if (answeredBy.startsWith("machine_end")) {
        const settings = await deps.settings.get();
        const message =
          settings.voicemailMessage ?? defaultVoicemail(settings.callMessage ?? DEFAULT_CALL_MESSAGE, call.fromNumber);
        const client = await twilioClient();
        if (client) {
          await client.calls(callSid).update({ twiml: voicemailTwiml(message) });
          await db.call.update({ where: { id: call.id }, data: { voicemailLeft: true } });
          await db.note.create({
            data: {
              leadId: call.leadId,
              author: "Leadline",
              body: `[Voicemail] Left a voicemail - Call SID: ${callSid}`,
            },
          });
        }
      }
      deps.tasks.run(() => deps.announcer.refresh(call.id));
    },

    async menuKey(callId, callSid, digits) {
      const call = await db.call.findUnique({ where: { id: callId }, include: { lead: true } });
      if (!call || call.twilioSid !== callSid) return rejectTwiml("Goodbye.");
      if (digits === "1") {
        const settings = await deps.settings.get();
        const agent = (await deps.agentPhone(call.placedBy)) ?? settings.agentPhone;
        await db.note.create({
          data: {
            leadId: call.leadId,
            author: "Leadline",
            body: `[Menu] Lead pressed 1 to talk to the agent - Call SID: ${callSid}`,
          },
        });
        deps.tasks.run(() =>
          deps.announcer.refresh(
            call.id,
            agent ? "lead pressed 1, connecting to the agent" : "lead pressed 1, no agent phone to connect",
          ),
        );
        if (!agent)
          return rejectTwiml("Sorry, your agent cannot be reached right now. They will call you back soon. Goodbye.");
        return connectToAgentTwiml(agent, call.fromNumber);
      }
      if (digits === "9") {
        await db.$transaction([
          db.lead.update({ where: { id: call.leadId }, data: { doNotCall: true } }),
          db.note.create({
            data: {
              leadId: call.leadId,
              author: "Leadline",
              body: `[Opt-out] Lead pressed 9: marked do-not-call - Call SID: ${callSid}`,
            },
          }),
        ]);
        await deps.audit.record("lead", "lead.opted_out", { leadId: call.leadId, callId: call.id });
        deps.tasks.run(() => deps.announcer.refresh(call.id, "lead pressed 9, now on the do-not-call list"));
        return optOutTwiml();
      }
      return rejectTwiml("Thank you for your time. Goodbye.");
    },

    async fetchPrice(callId, attempt = 0) {
      const call = await db.call.findUnique({ where: { id: callId } });
      if (!call?.twilioSid || call.price !== null) return;
      const client = await twilioClient();
      if (!client) return;
      try {
        const fetched = await client.calls(call.twilioSid).fetch();
        if (fetched.price !== null && fetched.price !== undefined && fetched.price !== "") {
          await db.call.update({
            where: { id: callId },
            data: { price: fetched.price, priceUnit: fetched.priceUnit, priceCheckedAt: deps.clock() },
          });
          return;
        }
      } catch (error) {
        log.warn({ err: error, callId }, "price lookup failed");
      }
      await db.call.update({ where: { id: callId }, data: { priceCheckedAt: deps.clock() } });
      const next = priceDelays[attempt + 1];
      if (next !== undefined) later(next, () => lifecycle.fetchPrice(callId, attempt + 1));
    },

    async resumePriceChecks() {
      const since = new Date(deps.clock().getTime() - 24 * 3600_000);
      const calls = await db.call.findMany({
        where: { price: null, twilioSid: { not: null }, endedAt: { gt: since }, status: { in: [...FINAL] } },
        select: { id: true },
      });
      for (const call of calls) later(priceDelays[0] ?? 5_000, () => lifecycle.fetchPrice(call.id, 0));
    },

    stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
  return lifecycle;
}
