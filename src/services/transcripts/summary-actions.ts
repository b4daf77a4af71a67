import type { DncEntry } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { ComplianceBlock, UserError } from "../../lib/errors.js";
import type { OutcomeService } from "../calls/outcomes.js";
import type { CallingLaw } from "../compliance/calling-law.js";
import type { DncService } from "../compliance/dnc-service.js";
import type { LeadService } from "../leads/lead-service.js";
import type { BookResult, Scheduler } from "../scheduling/scheduler.js";
import type { TranscriptStore } from "./transcript-store.js";

/**
 * A summary card's suggestion buttons, each running the same checks as the click it stands for: the
 * outcome tap (first tap wins, changes audited), scheduling (calling law at the booked time: a
 * forbidden hour is refused with the next allowed time), and the do-not-call button (after Slack's
 * confirm). A tap that applies the suggested outcome is counted for /call-stats.
 */
export interface SummaryActions {
  setOutcome(input: { ws: number; callId: number; outcome: string; by: string; byName?: string }): Promise<void>;
  callback(input: {
    ws: number;
    callId: number;
    at: Date;
    by: string;
    channel: string;
    threadTs?: string;
  }): Promise<BookResult>;
  doNotCall(input: {
    ws: number;
    callId: number;
    by: string;
  }): Promise<{ phone: string; entry: DncEntry; added: boolean }>;
}

export function createSummaryActions(deps: {
  store: Pick<TranscriptStore, "call" | "applied" | "summaryOf">;
  outcomes: Pick<OutcomeService, "record">;
  scheduler: Pick<Scheduler, "book">;
  law: Pick<CallingLaw, "verdict">;
  leads: Pick<LeadService, "get">;
  dnc: Pick<DncService, "add">;
  clock: Clock;
}): SummaryActions {
  const callOf = async (ws: number, callId: number) => {
    const call = await deps.store.call(callId);
    if (!call || call.workspaceId !== ws) throw UserError.of("call_elsewhere");
    return call;
  };
  const countIfSuggested = async (callId: number, outcome: string) => {
    const summary = await deps.store.summaryOf(callId);
    if (summary?.suggestedOutcome === outcome) await deps.store.applied(callId, outcome);
  };
  return {
    async setOutcome({ ws, callId, outcome, by, byName }) {
      await callOf(ws, callId);
      await deps.outcomes.record({ ws, callId, outcome, by, byName });
      await countIfSuggested(callId, outcome);
    },
    async callback({ ws, callId, at, by, channel, threadTs }) {
      const call = await callOf(ws, callId);
      const lead = await deps.leads.get(ws, call.leadId);
      if (!lead) throw UserError.of("call_lead_missing");
      if (!lead.phone) throw UserError.of("no_phone_to_call_back", { leadName: lead.name });
      // The law at the time the call would ring, as a scheduled call is judged; refused with the next allowed time.
      const verdict = await deps.law.verdict(ws, lead, "live", at);
      if (!verdict.allowed) throw new ComplianceBlock(verdict, lead, "live");
      const booked = await deps.scheduler.book({
        ws,
        leadId: lead.id,
        agentId: by,
        channel,
        threadTs,
        at,
        bookedBy: by,
        key: `summary:${callId}`,
      });
      if (!booked.existing) await countIfSuggested(callId, "callback");
      return booked;
    },
    async doNotCall({ ws, callId, by }) {
      const call = await callOf(ws, callId);
      const { entry, added } = await deps.dnc.add(
        ws,
        call.toNumber,
        "card",
        by,
        `Do not call, suggested by the summary of call ${call.twilioSid ?? call.id}`,
      );
      await countIfSuggested(callId, "do_not_call");
      return { phone: entry.phone, entry, added };
    },
  };
}
