import type { EventBus } from "../../lib/events.js";
import type { LeadService } from "../leads/lead-service.js";
import type { SettingsService } from "../setup/settings.js";
import { sayAndHangUpTwiml } from "../twilio/twiml.js";
import { liveConnectTwiml } from "./call-request.js";
import type { CallStore } from "./call-store.js";

/**
 * The agent's answer to a live call's prompt: a key connects them (the lead is dialled now); no key
 * (a voicemail box, or the agent let it pass) hangs up the agent's leg and the lead is never dialled.
 * Returns the TwiML the agent's phone plays next.
 */
export type LiveAccept = (callId: number, agentLegSid: string, digits: string | undefined) => Promise<string>;

export function createLiveAccept(deps: {
  calls: Pick<CallStore, "byId" | "addFact">;
  leads: Pick<LeadService, "get">;
  settings: Pick<SettingsService, "get">;
  events: EventBus;
  publicBaseUrl?: string;
}): LiveAccept {
  return async (callId, agentLegSid, digits) => {
    const call = await deps.calls.byId(callId);
    if (!call || call.mode !== "live" || call.twilioSid !== agentLegSid || !deps.publicBaseUrl)
      return sayAndHangUpTwiml("Goodbye.");
    if (!digits) {
      await deps.calls.addFact(call.id, "agent_no_key");
      deps.events.emit("call.moved", { ws: call.workspaceId, callId: call.id });
      return sayAndHangUpTwiml("No key was pressed, so the lead was not called. Goodbye.");
    }
    const [lead, settings] = await Promise.all([
      deps.leads.get(call.workspaceId, call.leadId),
      deps.settings.get(call.workspaceId),
    ]);
    return liveConnectTwiml({
      callId: call.id,
      workspaceId: call.workspaceId,
      leadName: lead?.name ?? "your lead",
      to: call.toNumber,
      from: call.fromNumber,
      recording: settings.recording === "on",
      publicBaseUrl: deps.publicBaseUrl,
    });
  };
}
