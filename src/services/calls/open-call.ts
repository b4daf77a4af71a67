import type { Call, Lead } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { ComplianceBlock, UserError } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import type { AuditService } from "../audit/audit-store.js";
import { type CallingLaw, parseTeamWindow } from "../compliance/calling-law.js";
import type { ComplianceStore } from "../compliance/compliance-store.js";
import type { TwilioSettings } from "../setup/settings.js";
import type { CallStore, NewCall } from "./call-store.js";
import type { CallMode } from "./modes.js";

/** A guard left by a crash is released after this long, so a lead is never blocked for good. */
const STALE_GUARD_MS = 2 * 60 * 60_000;

export type OpenCall = (
  data: NewCall,
  lead: Lead,
  mode: CallMode,
  agentId: string,
  settings: TwilioSettings,
  lawNow?: Date,
) => Promise<Call>;

/**
 * Writes the call row (the per-lead guard) with the calling-law check in the same transaction:
 * blocked → ComplianceBlock with every reason (and an audit row); a lead already being called →
 * "already calling"; the same click again → "already placed"; allowed → the row.
 */
export function createOpenCall(deps: {
  calls: Pick<CallStore, "open" | "releaseGuard">;
  law: Pick<CallingLaw, "verdictFrom">;
  compliance: Pick<ComplianceStore, "facts">;
  audit: AuditService;
  clock: Clock;
  log: Logger;
}): OpenCall {
  const blocked = async (
    data: NewCall,
    lead: Lead,
    mode: CallMode,
    agentId: string,
    verdict: ComplianceBlock["verdict"],
  ) => {
    await deps.audit.record(data.workspaceId, agentId, "call.blocked", {
      leadId: lead.id,
      mode,
      reasons: verdict.reasons.map((reason) => reason.kind),
      zones: verdict.zones,
      states: verdict.states,
      next: verdict.nextAllowedAt?.toISOString(),
    });
    return new ComplianceBlock(verdict, lead, mode);
  };

  return async (data, lead, mode, agentId, settings, lawNow) => {
    const now = lawNow ?? deps.clock.callingNow();
    // The team's window from the settings this call already read (no second read of them).
    const team = parseTeamWindow(settings.callingWindow, settings.callingDays);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const since = new Date(now.getTime() - 24 * 3600_000);
      const result = await deps.calls.open(data, {
        since,
        facts: (tx) => deps.compliance.facts(tx, data.workspaceId, { id: lead.id, phone: data.to }, since),
        judge: (facts) => {
          const verdict = deps.law.verdictFrom({ ...lead, phone: data.to }, mode, now, facts, team);
          return verdict.allowed ? undefined : verdict;
        },
      });
      if ("blocked" in result) throw await blocked(data, lead, mode, agentId, result.blocked);
      if ("raced" in result) continue;
      if ("opened" in result) return result.opened;
      if ("duplicateOrigin" in result)
        throw UserError.of("already_placed", { leadName: lead.name, callSid: result.duplicateOrigin.twilioSid });
      if (deps.clock.now().getTime() - result.active.updatedAt.getTime() > STALE_GUARD_MS) {
        if (await deps.calls.releaseGuard(result.active.id, lead.id))
          deps.log.warn({ callId: result.active.id }, "released a stale call guard");
        continue;
      }
      throw UserError.of("already_calling", {
        leadName: lead.name,
        agentId: result.active.placedBy,
        startedAt: result.active.createdAt.toISOString(),
      });
    }
    throw UserError.of("retry", { leadName: lead.name });
  };
}
