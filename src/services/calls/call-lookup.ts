import type { Call } from "@prisma/client";
import type { LeadService } from "../leads/lead-service.js";
import type { CallStore } from "./call-store.js";

/** What Twilio's webhooks need to know about a call before and after their signature is checked. */
export interface CallLookup {
  /** The workspace of the call with this SID (undefined: no call has it yet, or none ever will). */
  workspaceOfSid(sid: string): Promise<number | undefined>;
  workspaceOfCall(callId: number): Promise<number | undefined>;
  /** An early callback (verified, naming the call) tells the call's SID: stored when the call has none yet. */
  adoptSid(callId: number, sid: string): Promise<boolean>;
  /** A live call by id whose agent leg is `parentSid` (a live call's callbacks name both). */
  liveCall(callId: number, parentSid: string): Promise<Call | undefined>;
  /** The name of the call's lead, for what the agent hears. */
  leadName(call: Pick<Call, "workspaceId" | "leadId">): Promise<string | undefined>;
}

export function createCallLookup(deps: {
  calls: Pick<CallStore, "workspaceOfSid" | "byId" | "adoptSid">;
  leads: Pick<LeadService, "get">;
}): CallLookup {
  return {
    workspaceOfSid: (sid) => deps.calls.workspaceOfSid(sid),
    async workspaceOfCall(callId) {
      return (await deps.calls.byId(callId))?.workspaceId;
    },
    adoptSid: (callId, sid) => deps.calls.adoptSid(callId, sid),
    async liveCall(callId, parentSid) {
      const call = await deps.calls.byId(callId);
      return call?.mode === "live" && call.twilioSid === parentSid ? call : undefined;
    },
    async leadName(call) {
      return (await deps.leads.get(call.workspaceId, call.leadId))?.name;
    },
  };
}
