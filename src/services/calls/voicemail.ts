import type { EventBus } from "../../lib/events.js";
import type { Logger } from "../../lib/log.js";
import type { LeadService } from "../leads/lead-service.js";
import { DEFAULT_CALL_MESSAGE, defaultVoicemail, type SettingsService } from "../setup/settings.js";
import { fillMessage, sayAndHangUpTwiml } from "../twilio/twiml.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";
import type { CallStore } from "./call-store.js";
import { isFinal } from "./modes.js";

export interface Voicemail {
  /** Answering-machine detection result; a machine gets the voicemail once its greeting ends. */
  machineResult(callSid: string, answeredBy: string): Promise<void>;
}

export function createVoicemail(deps: {
  calls: Pick<CallStore, "bySid" | "setAnsweredBy" | "markVoicemailLeft">;
  leads: Pick<LeadService, "get">;
  settings: Pick<SettingsService, "get">;
  twilioFor: TwilioFor;
  events: EventBus;
  log: Logger;
}): Voicemail {
  return {
    async machineResult(callSid, answeredBy) {
      const call = await deps.calls.bySid(callSid);
      if (!call || isFinal(call.status)) return;
      await deps.calls.setAnsweredBy(call.id, answeredBy);
      if (answeredBy.startsWith("machine_end") && !call.voicemailLeft) {
        const settings = await deps.settings.get(call.workspaceId);
        const lead = await deps.leads.get(call.workspaceId, call.leadId);
        const template =
          settings.voicemailMessage ?? defaultVoicemail(settings.callMessage ?? DEFAULT_CALL_MESSAGE, call.fromNumber);
        // The same placeholders as the live message: {{firstName}} never reaches a voicemail literally.
        const message = fillMessage(template, { name: lead?.name ?? "" });
        const twilio = await deps.twilioFor(call.workspaceId, settings).catch(() => undefined);
        if (twilio) {
          await twilio.client.calls(callSid).update({ twiml: sayAndHangUpTwiml(message) });
          await deps.calls.markVoicemailLeft(call.id, {
            leadId: call.leadId,
            body: `[Voicemail] Left a voicemail - Call SID: ${callSid}`,
          });
        } else deps.log.warn({ callId: call.id }, "a machine answered but Twilio is no longer configured");
      }
      deps.events.emit("call.moved", { ws: call.workspaceId, callId: call.id });
    },
  };
}
