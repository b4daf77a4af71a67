import type { Call, Lead } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { UserError } from "../../lib/errors.js";
import type { EventBus } from "../../lib/events.js";
import type { DncService } from "../compliance/dnc-service.js";
import type { LeadService } from "../leads/lead-service.js";
import type { CallStore } from "./call-store.js";
import { isFinal } from "./modes.js";

export const OUTCOMES = {
  interested: "Interested",
  appointment: "Appointment set",
  callback: "Call back",
  not_interested: "Not interested",
  wrong_number: "Wrong number",
  do_not_call: "Do not call",
} as const;

export type Outcome = keyof typeof OUTCOMES;

export const isOutcome = (value: string): value is Outcome => Object.hasOwn(OUTCOMES, value);

/** Outcomes for a call whose lead was never reached (busy, no answer, failed, canceled, a machine). */
const UNREACHED: readonly Outcome[] = ["callback", "wrong_number", "do_not_call"];

/**
 * The outcomes that fit how a call ended: a person answered → all of them; the lead was never reached
 * (busy, no answer, Twilio refused, a voicemail box) → only what can follow an unreached lead, never
 * "Interested" or "Appointment set".
 */
export function outcomesFor(call: { status: string; answeredBy?: string | null }): Outcome[] {
  const machine = call.answeredBy ? call.answeredBy.startsWith("machine") || call.answeredBy === "fax" : false;
  return call.status === "completed" && !machine ? (Object.keys(OUTCOMES) as Outcome[]) : [...UNREACHED];
}

export interface OutcomeService {
  /**
   * Records how a call went, in one tap: stored on the call, noted on the lead, shown on the call's
   * line (its buttons go). The first tap by anyone who can see the line records it; changing it later
   * is for the agent who called or an admin, and is audited. Do not call lists the number; Wrong number
   * marks the lead's phone so the next call asks for a new one.
   */
  record(input: {
    ws: number;
    callId: number;
    outcome: string;
    by: string;
    byName?: string;
    /** From the "Change to…" menu: replaces a recorded outcome. A plain tap never does (the first tap wins). */
    deliberate?: boolean;
  }): Promise<{
    call: Call;
    changed: boolean;
    previous: Outcome | null;
  }>;
  /** The lead of a call of this workspace (Call back… opens scheduling on it). */
  leadOf(ws: number, callId: number): Promise<Lead | undefined>;
}

export function createOutcomeService(deps: {
  calls: Pick<CallStore, "byId" | "setOutcome">;
  leads: Pick<LeadService, "markPhoneWrong" | "get">;
  dnc: Pick<DncService, "add">;
  events: EventBus;
  admins: { isAdmin(ws: number, userId: string): Promise<boolean> };
  clock: Clock;
}): OutcomeService {
  return {
    async leadOf(ws, callId) {
      const call = await deps.calls.byId(callId);
      return call && call.workspaceId === ws ? deps.leads.get(ws, call.leadId) : undefined;
    },
    async record({ ws, callId, outcome, by, byName, deliberate }) {
      if (!isOutcome(outcome)) throw UserError.of("unknown_outcome", { outcome });
      const call = await deps.calls.byId(callId);
      if (!call || call.workspaceId !== ws) throw UserError.of("call_elsewhere");
      if (!isFinal(call.status)) throw UserError.of("call_going");
      const previous = (call.outcome as Outcome | null) ?? null;
      if (previous === outcome) return { call, changed: false, previous };
      // A tap on buttons that showed no outcome yet loses to the tap that got there first: say so, change nothing.
      if (previous && !deliberate)
        throw UserError.of("outcome_taken", { by: call.outcomeBy, outcome: OUTCOMES[previous], canChange: true });
      if (previous && call.placedBy !== by && !(await deps.admins.isAdmin(ws, by))) {
        throw UserError.of("outcome_locked", {
          by: call.outcomeBy,
          outcome: OUTCOMES[previous],
          placedBy: call.placedBy,
        });
      }
      const who = byName ? `@${byName}` : by;
      const body = `[Outcome] ${OUTCOMES[outcome]}${previous ? ` (was ${OUTCOMES[previous]})` : ""} - by ${who} - Call SID: ${call.twilioSid ?? `call #${call.id}`}`;
      const now = deps.clock.now();
      const changed = await deps.calls.setOutcome(
        call.id,
        { outcome, by, at: now, expected: previous },
        { leadId: call.leadId, author: by, body },
        {
          workspaceId: ws,
          actor: by,
          action: previous ? "call.outcome_changed" : "call.outcome",
          detail: JSON.stringify({ callId: call.id, leadId: call.leadId, outcome, previous }),
        },
      );
      if (!changed) {
        const now2 = await deps.calls.byId(callId);
        const taken = OUTCOMES[(now2?.outcome as Outcome) ?? outcome];
        throw UserError.of("outcome_taken", { by: now2?.outcomeBy, outcome: taken, moment: true });
      }
      if (outcome === "do_not_call")
        await deps.dnc.add(
          ws,
          call.toNumber,
          "outcome",
          by,
          `Do not call outcome on call ${call.twilioSid ?? call.id}`,
        );
      if (outcome === "wrong_number") await deps.leads.markPhoneWrong(ws, call.leadId, call.toNumber, by);
      deps.events.emit("call.moved", { ws, callId: call.id });
      deps.events.emit("call.outcome", { ws, callId: call.id });
      return { call: (await deps.calls.byId(callId)) ?? call, changed: true, previous };
    },
  };
}
