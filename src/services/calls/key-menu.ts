import type { EventBus } from "../../lib/events.js";
import { dialCheck } from "../../lib/phone.js";
import type { AuditService } from "../audit/audit-store.js";
import type { DncService } from "../compliance/dnc-service.js";
import { connectToAgentTwiml, OPT_OUT_WORDS, sayAndHangUpTwiml } from "../twilio/twiml.js";
import type { AgentPhones } from "./agent-phones.js";
import type { CallStore } from "./call-store.js";

export interface KeyMenu {
  /** The lead pressed a key in the menu of an outbound (simple) call; returns the TwiML to play. */
  menuKey(callId: number, callSid: string, digits: string): Promise<string>;
}

export function createKeyMenu(deps: {
  calls: Pick<CallStore, "byId" | "addNote" | "addFact">;
  dnc: Pick<DncService, "add">;
  agentPhones: Pick<AgentPhones, "ringing">;
  audit: AuditService;
  events: EventBus;
  allowedCountries: readonly string[];
}): KeyMenu {
  const changed = (ws: number, callId: number) => deps.events.emit("call.moved", { ws, callId });
  return {
    async menuKey(callId, callSid, digits) {
      const call = await deps.calls.byId(callId);
      // Only a call that played the menu (a message call) takes key presses, and only from its own SID.
      if (!call || call.twilioSid !== callSid || (call.mode !== "message" && call.mode !== "simple"))
        return sayAndHangUpTwiml("Goodbye.");
      if (digits === "1") {
        const agent = await deps.agentPhones.ringing(call.workspaceId, call.placedBy);
        const dialable = agent && dialCheck(agent, deps.allowedCountries).ok ? agent : undefined;
        await deps.calls.addNote(
          call.leadId,
          "Leadline",
          `[Menu] Lead pressed 1 to talk to the agent - Call SID: ${callSid}`,
        );
        await deps.calls.addFact(call.id, dialable ? "pressed_1_connected" : "pressed_1_no_agent");
        changed(call.workspaceId, call.id);
        if (!dialable)
          return sayAndHangUpTwiml(
            "Sorry, your agent cannot be reached right now. They will call you back soon. Goodbye.",
          );
        return connectToAgentTwiml(dialable, call.fromNumber);
      }
      if (digits === "9") {
        // The number goes on the list at once: every lead with it, every mode, scheduled calls too.
        await deps.dnc.add(call.workspaceId, call.toNumber, "keypress", "lead", `pressed 9 on call ${callSid}`);
        await deps.calls.addNote(
          call.leadId,
          "Leadline",
          `[Opt-out] Lead pressed 9: added to the do-not-call list - Call SID: ${callSid}`,
        );
        await deps.audit.record(call.workspaceId, "lead", "lead.opted_out", { leadId: call.leadId, callId: call.id });
        await deps.calls.addFact(call.id, "pressed_9_opted_out");
        changed(call.workspaceId, call.id);
        return sayAndHangUpTwiml(OPT_OUT_WORDS);
      }
      return sayAndHangUpTwiml("Thank you for your time. Goodbye.");
    },
  };
}
