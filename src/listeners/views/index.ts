import type { App } from "@slack/bolt";
import type { Container } from "../../container/index.js";
import { pick } from "../../lib/pick.js";
import { registerAgentSettingsSubmit } from "./agent-settings.js";
import { registerCrmSetupSubmit } from "./crm-setup.js";
import { registerLeadAddSubmit } from "./lead-add.js";
import { registerLeadAddressSubmit } from "./lead-address.js";
import { registerLeadEditSubmit } from "./lead-edit.js";
import { registerLeadImportSubmit } from "./lead-import.js";
import { registerLeadNoteSubmit } from "./lead-note.js";
import { registerLeadPhoneSubmit } from "./lead-phone.js";
import { registerQueueModalSubmit } from "./queue-modal.js";
import { registerQueueSnoozeSubmit } from "./queue-snooze.js";
import { registerScheduleSubmit } from "./schedule.js";
import { registerTextModalSubmit } from "./text-modal.js";
import { registerTwilioSetupSubmit } from "./twilio-setup.js";

/** Modal submissions (view_submission): each handler gets only the services it uses. */
export function registerViews(app: App, c: Container): void {
  const base = pick(c, "log", "clock", "tasks", "slackFor");
  registerAgentSettingsSubmit(app, pick(c, "agentPhones"));
  registerLeadAddSubmit(app, pick(c, "log", "leadIntake"));
  registerLeadNoteSubmit(app, { ...base, ...pick(c, "leads", "leadCards") });
  registerLeadEditSubmit(app, { ...base, ...pick(c, "leadIntake", "leadCards") });
  registerLeadAddressSubmit(app, { ...base, ...pick(c, "leads", "leadCards") });
  registerLeadPhoneSubmit(app, { ...base, ...pick(c, "leads", "leadCards") });
  registerScheduleSubmit(app, { ...base, ...pick(c, "scheduler") });
  registerQueueModalSubmit(app, { ...base, ...pick(c, "queueAdmin", "homeTab") });
  registerQueueSnoozeSubmit(app, { ...base, ...pick(c, "queueRuns") });
  registerTwilioSetupSubmit(app, { ...base, ...pick(c, "setup", "settings") });
  registerCrmSetupSubmit(app, { ...base, ...pick(c, "crmSetup") });
  registerTextModalSubmit(app, { ...base, ...pick(c, "leads", "texts", "settings") });
  registerLeadImportSubmit(app, { ...base, ...pick(c, "uploadedImport") });
}
