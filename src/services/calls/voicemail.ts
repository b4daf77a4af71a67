import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import type { LeadService } from "../leads/lead-service.js";
import { DEFAULT_CALL_MESSAGE, defaultVoicemail, type SettingsService } from "../setup/settings.js";
import type { TwilioFor } from "../twilio/client.js";
import { fillMessage, voicemailTwiml } from "../twilio/twiml.js";
import type { CallNotifier } from "./call-notifier.js";
import type { CallStore } from "./call-store.js";
import { isFinal } from "./modes.js";

export interface Voicemail {
  /** Answering-machine detection result; a machine gets the voicemail once its greeting ends. */
  machineResult(callSid: string, answeredBy: string): Promise<void>;
}

export function createVoicemail(deps: {
  calls: CallStore;
  leads: Pick<LeadService, "get">;
  settings: SettingsService;
  twilioFor: TwilioFor;
  notifier: CallNotifier;
  tasks: TaskTracker;
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
        const { accountSid, authToken } = settings;
        if (accountSid && authToken) {
          await deps
            .twilioFor({ accountSid, authToken })
            .calls(callSid)
            .update({ twiml: voicemailTwiml(message) });
          await deps.calls.markVoicemailLeft(call.id, {
            leadId: call.leadId,
            body: `[Voicemail] Left a voicemail - Call SID: ${callSid}`,
          });
        } else deps.log.warn({ callId: call.id }, "a machine answered but Twilio is no longer configured");
      }
      deps.tasks.run(() => deps.notifier.changed(call.id));
    },
  };
}
