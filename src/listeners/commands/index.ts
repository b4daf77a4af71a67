import type { App } from "@slack/bolt";
import type { Container } from "../../container/index.js";
import { pick } from "../../lib/pick.js";
import { registerCallLeadCommand } from "./call-lead.js";
import { registerCallQueueCommand } from "./call-queue.js";
import { registerCallStatsCommand } from "./call-stats.js";
import { registerCrmSetupCommand } from "./crm-setup.js";
import { registerDncCommand } from "./dnc.js";
import { registerLeadCommand } from "./lead.js";
import { registerTextCommand } from "./text.js";
import { registerTwilioSetupCommand } from "./twilio-setup.js";

/** Slash commands: each handler gets only the services it uses. */
export function registerCommands(app: App, c: Container): void {
  const base = pick(c, "log", "clock", "tasks", "slackFor");
  registerCallLeadCommand(app, {
    ...base,
    ...pick(c, "leads", "cardFacts", "contexts", "readiness", "agentPhones", "scheduler"),
  });
  registerCallStatsCommand(app, { ...base, ...pick(c, "stats", "admins", "statsDelivery", "summaryInsights") });
  registerCallQueueCommand(app, {
    ...pick(c, "log", "clock", "queueAdmin", "queueRuns", "speedToLead", "queueSupervision"),
  });
  registerDncCommand(app, { ...pick(c, "log", "clock", "dnc") });
  registerLeadCommand(app, { ...base, ...pick(c, "leads", "cardFacts", "admins") });
  registerTextCommand(app, { ...pick(c, "log", "clock", "leads", "texts") });
  registerTwilioSetupCommand(app, {
    ...base,
    ...pick(c, "settings", "setupStatus", "admins", "inboundNumber", "workspaces", "callerIdPool", "summarySetup"),
    defaultCountry: c.config.DEFAULT_COUNTRY,
    publicBaseUrl: c.config.PUBLIC_BASE_URL,
  });
  registerCrmSetupCommand(app, { ...base, ...pick(c, "crmSetup") });
}
