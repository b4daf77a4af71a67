import type { App } from "@slack/bolt";
import type { Container } from "../../container/index.js";
import { pick } from "../../lib/pick.js";
import { registerBrowserCall } from "./browser-call.js";
import { registerCallButtons } from "./call-buttons.js";
import { registerCrmRetry } from "./crm-retry.js";
import { registerHomeMenu } from "./home-menu.js";
import { registerLeadAddOpen } from "./lead-add-open.js";
import { registerLeadDnc } from "./lead-dnc.js";
import { registerLeadFormOpen } from "./lead-form-open.js";
import { registerLeadHistory } from "./lead-history.js";
import { registerOutcomeActions } from "./outcome.js";
import { registerQueueButtons, registerSpeedClaim, registerSupervisorButtons } from "./queue-buttons.js";
import { registerQueueHome } from "./queue-home.js";
import { registerScheduleButtons } from "./schedule-buttons.js";
import { registerScheduleOpen } from "./schedule-open.js";
import { registerSetupClear } from "./setup-clear.js";
import { registerSummarySuggestions } from "./summary-suggestions.js";
import { registerTextButtons } from "./text-buttons.js";

/** Buttons and menus (block_actions): each handler gets only the services it uses. */
export function registerActions(app: App, c: Container): void {
  const base = pick(c, "log", "clock", "tasks", "slackFor");
  registerCallButtons(app, { ...base, ...pick(c, "calls") });
  registerBrowserCall(app, { ...base, ...pick(c, "browserPhone") });
  registerLeadAddOpen(app, base);
  registerLeadFormOpen(app, { ...base, ...pick(c, "leads") });
  registerLeadDnc(app, { ...base, ...pick(c, "leads", "dnc", "leadCards") });
  registerLeadHistory(app, { ...base, ...pick(c, "leads", "recordings", "summaryInsights", "texts") });
  registerOutcomeActions(app, { ...base, ...pick(c, "outcomes") });
  registerQueueButtons(app, { ...base, ...pick(c, "queueRuns", "speedToLead", "speedPosts") });
  registerSpeedClaim(app, { ...base, ...pick(c, "queueRuns", "speedToLead", "speedPosts") });
  registerSupervisorButtons(app, { ...base, ...pick(c, "queueSupervision") });
  registerQueueHome(app, { ...base, ...pick(c, "queueRuns", "queueAdmin", "homeTab") });
  registerScheduleButtons(app, { ...base, ...pick(c, "leads", "scheduler") });
  registerScheduleOpen(app, { ...base, ...pick(c, "leads", "scheduler") });
  registerHomeMenu(app, { ...base, ...pick(c, "leads", "scheduler", "homeTab") });
  registerSetupClear(app, { ...base, ...pick(c, "admins", "settings") });
  registerSummarySuggestions(app, { ...base, ...pick(c, "summaryActions") });
  registerCrmRetry(app, { ...base, ...pick(c, "crmSetup") });
  registerTextButtons(app, { ...base, ...pick(c, "leads", "texts", "settings", "scheduler") });
}
