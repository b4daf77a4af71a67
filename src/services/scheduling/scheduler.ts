import { randomUUID } from "node:crypto";
import type { Lead, ScheduledCall } from "@prisma/client";
import cron, { type ScheduledTask } from "node-cron";
import type { Clock } from "../../lib/clock.js";
import { ComplianceBlock, ExternalError, UserError } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import type { AgentPhones } from "../calls/agent-phones.js";
import type { CallService } from "../calls/call-service.js";
import type { Reconciler } from "../calls/reconcile.js";
import type { CallingLaw } from "../compliance/calling-law.js";
import type { Verdict } from "../compliance/verdict.js";
import type { LeadService } from "../leads/lead-service.js";
import { type Claim, originKeyOf, type ScheduleStore } from "./schedule-store.js";
import { fireScheduledText, type SendScheduledText } from "./scheduled-text.js";

/** How often the tick runs (node-cron, six fields: seconds first). */
export const TICK_EVERY = "*/15 * * * * *";
/** A claim's lease: long enough to place one call (Twilio's create times out well before). */
export const CLAIM_LEASE_MS = 2 * 60_000;
/** A call overdue by more than this when Leadline comes back (it was down) is reported, not dialled. */
export const MISSED_AFTER_MS = 30 * 60_000;
/** Rows claimed per tick. */
const CLAIM_BATCH = 100;
/** Agents' phones rung at once by one tick (each call mostly waits on Twilio's answer). */
const FIRE_CONCURRENCY = 8;
/** Bookings at most this far ahead. */
export const MAX_AHEAD_DAYS = 90;

/** What the agent is told when a scheduled call does something other than ring their phone. */
export type ScheduleEvent =
  | { kind: "moved"; row: ScheduledCall; lead: Lead; verdict: Extract<Verdict, { allowed: false }>; to: Date }
  | {
      kind: "cancelled";
      row: ScheduledCall;
      lead?: Lead;
      why: "dnc" | "lead_gone" | "no_phone" | "blocked" | "busy";
      detail?: string;
      verdict?: Verdict;
    }
  | { kind: "missed"; row: ScheduledCall; lead: Lead; overdueMs: number }
  | { kind: "failed"; row: ScheduledCall; lead: Lead; error: unknown };

export interface BookResult {
  row: ScheduledCall;
  lead: Lead;
  /** The verdict at the booked time: blocked → the agent is warned and offered the next allowed time. */
  verdict: Verdict;
  /** Booked earlier with the same `key`: this is that booking, nothing new was booked. */
  existing?: boolean;
  /**
   * The lead's other calls still waiting (booked before this one). Both are kept: a second call can be
   * meant (a morning try and an evening one); the agent is shown the others and can cancel them.
   */
  others?: ScheduledCall[];
}

export interface Scheduler {
  /** Books a live call for `at`; the verdict at that time comes back so the agent can be warned. */
  book(input: {
    ws: number;
    leadId: number;
    agentId: string;
    channel: string;
    threadTs?: string;
    at: Date;
    bookedBy: string;
    /** A scheduled text instead of a call: what to send, and the refused text it came from. */
    text?: { body: string; fromTextId?: number };
    /** Books at most once per key in the workspace (a suggestion button tapped twice). */
    key?: string;
  }): Promise<BookResult>;
  /** One pass: claims due rows and fires each. `at` is the instant to judge by (tests inject it). */
  tick(
    at?: Date,
  ): Promise<{ claimed: number; placed: number; moved: number; cancelled: number; missed: number; pending: number }>;
  upcoming(ws: number, agentId?: string, limit?: number): Promise<(ScheduledCall & { lead?: Lead })[]>;
  cancel(ws: number, id: number, by: string): Promise<ScheduledCall>;
  move(ws: number, id: number, at: Date, by: string): Promise<BookResult>;
  start(): void;
  stop(): Promise<void>;
}

export function createScheduler(deps: {
  store: ScheduleStore;
  calls: Pick<CallService, "placeCall">;
  reconciler: Pick<Reconciler, "settle">;
  agentPhones: Pick<AgentPhones, "ringing">;
  leads: Pick<LeadService, "get">;
  law: CallingLaw;
  audit: { record(ws: number, actor: string, action: string, detail: Record<string, unknown>): Promise<void> };
  announce: (ws: number, event: ScheduleEvent) => Promise<void>;
  /** Only the agent a call is booked for, or an admin, may cancel or move it. */
  admins: { isAdmin(ws: number, userId: string): Promise<boolean> };
  clock: Clock;
  log: Logger;
  leaseMs?: number;
  /** The cron expression of the tick; tests use a faster one or call tick() themselves. */
  every?: string;
  /** Sends a scheduled text (the text service); without it a text row is cancelled. */
  sendText?: SendScheduledText;
  /** See CallServiceDeps.crashPoint ("claimed"). */
  crashPoint?: (point: string) => void;
}): Scheduler {
  const owner = `scheduler-${randomUUID()}`;
  const leaseMs = deps.leaseMs ?? CLAIM_LEASE_MS;
  const log = deps.log.child({ component: "scheduler" });
  let task: ScheduledTask | undefined;
  let running = false;
  let idle: Promise<void> = Promise.resolve();
  let stopped = false;

  const lead = async (ws: number, leadId: number) => {
    const found = await deps.leads.get(ws, leadId);
    if (!found) throw UserError.of("lead_missing", { leadId });
    return found;
  };

  const owned = async (ws: number, id: number, by: string) => {
    const row = await deps.store.byId(ws, id);
    if (!row) throw UserError.of("schedule_missing");
    if (row.agentId !== by && !(await deps.admins.isAdmin(ws, by)))
      throw UserError.of("booked_for_other", { agentId: row.agentId });
    return row;
  };

  const validTime = (at: Date, now: Date) => {
    if (Number.isNaN(at.getTime())) throw UserError.of("time_unreadable");
    if (at.getTime() <= now.getTime() + 30_000) throw UserError.of("time_past");
    if (at.getTime() > now.getTime() + MAX_AHEAD_DAYS * 86_400_000)
      throw UserError.of("time_too_far", { maxDays: MAX_AHEAD_DAYS });
  };

  const verdictAt = (found: Lead, at: Date) =>
    found.phone
      ? deps.law.verdict(found.workspaceId, found, "live", at)
      : Promise.resolve<Verdict>({ allowed: false, reasons: [], zones: [], states: [] });

  /** Places one claimed row (or settles what an earlier claim of it left), and ends the claim. */
  const fire = async (
    row: ScheduledCall,
    lawNow: Date,
  ): Promise<"placed" | "moved" | "cancelled" | "missed" | "pending"> => {
    const claim: Claim = { id: row.id, owner, attempt: row.attempt };
    const ws = row.workspaceId;
    const found = await deps.leads.get(ws, row.leadId);
    if (!found) {
      await deps.store.finish(claim, "cancelled", { reason: "the lead was deleted" });
      await deps.announce(ws, { kind: "cancelled", row, why: "lead_gone" });
      return "cancelled";
    }
    if (row.textBody !== null)
      return fireScheduledText({ ...deps, blocked, missedAfterMs: MISSED_AFTER_MS }, claim, row, found, lawNow);
    // An earlier claim of this row may have got as far as a call: never dial twice.
    for (const earlier of await deps.store.callsOf(row.id, row.attempt)) {
      if (!earlier.twilioSid && (earlier.status === "dialing" || earlier.status === "unknown")) {
        // Its Twilio answer was never heard: ask Twilio whether that call exists before anything else.
        const settled = await deps.reconciler.settle(earlier);
        // Twilio cannot be asked now: keep the claim; its lease runs out and a later tick asks again.
        if (settled === "unknown") return "pending";
        if (settled === "not_placed") continue;
      } else if (!earlier.twilioSid && earlier.errorCode === null) {
        continue; // settled earlier as never placed: this row may still dial
      }
      // Twilio has (or refused, with a code) that call: this row is done.
      await deps.store.finish(claim, "placed", { callId: earlier.id });
      return "placed";
    }
    if (lawNow.getTime() - row.dueAt.getTime() > MISSED_AFTER_MS) {
      await deps.store.finish(claim, "missed", { reason: "Leadline was not running when it was due" });
      await deps.announce(ws, { kind: "missed", row, lead: found, overdueMs: lawNow.getTime() - row.dueAt.getTime() });
      return "missed";
    }
    if (!found.phone) {
      await deps.store.finish(claim, "cancelled", { reason: "the lead has no phone number" });
      await deps.announce(ws, { kind: "cancelled", row, lead: found, why: "no_phone" });
      return "cancelled";
    }
    const verdict = await deps.law.verdict(ws, found, "live", lawNow);
    if (!verdict.allowed) return blocked(claim, row, found, verdict);
    try {
      const placed = await deps.calls.placeCall({
        workspaceId: ws,
        leadId: row.leadId,
        mode: "live",
        agent: { id: row.agentId },
        target: { channel: row.channel, threadTs: row.threadTs ?? undefined },
        originKey: originKeyOf(row.id, row.attempt),
        lawNow,
      });
      await deps.store.finish(claim, "placed", { callId: placed.call.id });
      return "placed";
    } catch (error) {
      if (error instanceof ComplianceBlock)
        return blocked(claim, row, found, error.verdict as Extract<Verdict, { allowed: false }>);
      if (error instanceof UserError && error.code === "already_calling") {
        // A click on the same lead got there first: one call, never two.
        await deps.store.finish(claim, "cancelled", { reason: "the lead was already being called" });
        await deps.announce(ws, { kind: "cancelled", row, lead: found, why: "busy", detail: error.message });
        return "cancelled";
      }
      if (error instanceof UserError && error.code === "already_placed") {
        await deps.store.finish(claim, "placed", {});
        return "placed";
      }
      // A fault of Leadline's (the database busy, a crash in the middle): the claim stays, its lease runs
      // out and a later tick reconciles with Twilio before dialling anything.
      if (!(error instanceof UserError) && !(error instanceof ExternalError)) throw error;
      // Twilio refused, settings missing…: the attempt happened (a refused call is recorded on its own).
      await deps.store.finish(claim, "placed", { reason: error.message.slice(0, 300) });
      await deps.announce(ws, { kind: "failed", row, lead: found, error });
      return "placed";
    }
  };

  const blocked = async (
    claim: Claim,
    row: ScheduledCall,
    found: Lead,
    verdict: Extract<Verdict, { allowed: false }>,
  ): Promise<"moved" | "cancelled"> => {
    const dnc = verdict.reasons.some((reason) => reason.kind === "dnc");
    if (!dnc && verdict.nextAllowedAt) {
      await deps.store.reschedule(claim, verdict.nextAllowedAt, "moved to the next time calling law allows");
      await deps.audit.record(row.workspaceId, "scheduler", "schedule.moved", {
        scheduledCallId: row.id,
        leadId: row.leadId,
        from: row.dueAt.toISOString(),
        to: verdict.nextAllowedAt.toISOString(),
        reasons: verdict.reasons.map((reason) => reason.kind),
      });
      await deps.announce(row.workspaceId, { kind: "moved", row, lead: found, verdict, to: verdict.nextAllowedAt });
      return "moved";
    }
    await deps.store.finish(claim, "cancelled", {
      reason: dnc ? "the number is on the do-not-call list" : "calling law blocks it",
    });
    await deps.audit.record(row.workspaceId, "scheduler", "schedule.cancelled", {
      scheduledCallId: row.id,
      leadId: row.leadId,
      reasons: verdict.reasons.map((reason) => reason.kind),
    });
    await deps.announce(row.workspaceId, {
      kind: "cancelled",
      row,
      lead: found,
      why: dnc ? "dnc" : "blocked",
      verdict,
    });
    return "cancelled";
  };

  const scheduler: Scheduler = {
    async book({ ws, leadId, agentId, channel, threadTs, at, bookedBy, text, key }) {
      validTime(at, deps.clock.callingNow());
      const found = await lead(ws, leadId);
      if (!found.phone) throw UserError.of("no_phone", { leadId, leadName: found.name, addOne: true });
      const fields = {
        workspaceId: ws,
        leadId,
        agentId,
        channel,
        threadTs,
        dueAt: at,
        bookedBy,
        ...(text ? { textBody: text.body, textId: text.fromTextId ?? null } : {}),
      };
      if (key) {
        const once = await deps.store.bookOnce({ ...fields, bookKey: key });
        if (!once.created)
          return { row: once.row, lead: found, verdict: await verdictAt(found, once.row.dueAt), existing: true };
        await deps.audit.record(ws, bookedBy, "schedule.booked", {
          scheduledCallId: once.row.id,
          leadId,
          at: at.toISOString(),
        });
        return { row: once.row, lead: found, verdict: await verdictAt(found, at) };
      }
      const row = await deps.store.book(fields);
      await deps.audit.record(ws, bookedBy, "schedule.booked", {
        scheduledCallId: row.id,
        leadId,
        at: at.toISOString(),
      });
      // Scheduled texts are their own thing; only the lead's other calls are worth a word.
      const others = text
        ? []
        : (await deps.store.forLead(ws, leadId)).filter((other) => other.id !== row.id && !other.textBody);
      return { row, lead: found, verdict: await verdictAt(found, at), ...(others.length > 0 ? { others } : {}) };
    },

    async tick(at) {
      // Due times are on calling law's clock (the sandbox can pretend another time); leases on real time.
      const now = at ?? deps.clock.now();
      const lawNow = at ?? deps.clock.callingNow();
      const counts = { claimed: 0, placed: 0, moved: 0, cancelled: 0, missed: 0, pending: 0 };
      for (;;) {
        const rows = await deps.store.claimDue(lawNow, now, owner, new Date(now.getTime() + leaseMs), CLAIM_BATCH);
        counts.claimed += rows.length;
        if (rows.length > 0) deps.crashPoint?.("claimed");
        // Several agents' calls at once (each waits on Twilio's answer), one phone's calls one after
        // another: a live call rings the agent's phone first, and after a crash a call is found on Twilio
        // by that phone, the team number and the time, which must point at one call being placed.
        const byPhone = new Map<string, ScheduledCall[]>();
        for (const row of rows) {
          const rings = await deps.agentPhones.ringing(row.workspaceId, row.agentId);
          const phone = `${row.workspaceId}:${rings ?? "none"}`;
          byPhone.set(phone, [...(byPhone.get(phone) ?? []), row]);
        }
        const queues = [...byPhone.values()];
        const worker = async () => {
          for (let queue = queues.shift(); queue; queue = queues.shift()) {
            for (const row of queue) {
              try {
                counts[await fire(row, lawNow)] += 1;
              } catch (error) {
                // The claim stays; its lease runs out and a later tick tries again.
                log.error(
                  { err: error, scheduledCallId: row.id },
                  "a scheduled call could not be fired; will try again",
                );
              }
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(FIRE_CONCURRENCY, queues.length) }, worker));
        if (rows.length < CLAIM_BATCH || stopped) break;
      }
      if (counts.claimed > 0) log.info(counts, "scheduled calls tick");
      return counts;
    },

    async upcoming(ws, agentId, limit = 20) {
      const rows = await deps.store.upcoming(ws, agentId, limit);
      return Promise.all(rows.map(async (row) => ({ ...row, lead: await deps.leads.get(ws, row.leadId) })));
    },

    async cancel(ws, id, by) {
      const row = await owned(ws, id, by);
      if (!(await deps.store.cancel(ws, id, `cancelled by ${by}`)))
        throw UserError.of("schedule_done", { status: row.status, cancelling: true });
      await deps.audit.record(ws, by, "schedule.cancelled", { scheduledCallId: id, leadId: row.leadId });
      return { ...row, status: "cancelled" };
    },

    async move(ws, id, at, by) {
      validTime(at, deps.clock.callingNow());
      const row = await owned(ws, id, by);
      if (!(await deps.store.move(ws, id, at, null))) throw UserError.of("schedule_done", { status: row.status });
      await deps.audit.record(ws, by, "schedule.moved", {
        scheduledCallId: id,
        leadId: row.leadId,
        to: at.toISOString(),
      });
      const found = await lead(ws, row.leadId);
      return { row: { ...row, dueAt: at }, lead: found, verdict: await verdictAt(found, at) };
    },

    start() {
      task = cron.schedule(deps.every ?? TICK_EVERY, () => {
        if (running || stopped) return; // a slow tick is never doubled up in one process
        running = true;
        idle = scheduler
          .tick()
          .then(() => undefined)
          .catch((error: unknown) => log.error({ err: error }, "scheduled calls tick failed"))
          .finally(() => {
            running = false;
          });
      });
    },

    async stop() {
      stopped = true;
      await task?.stop();
      await idle;
    },
  };
  return scheduler;
}
