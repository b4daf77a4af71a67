import type { App } from "@slack/bolt";
import { ErrorCode } from "@slack/bolt";
import { registerCallLeadCommand } from "./commands/call-lead.js";
import { registerCallStatsCommand } from "./commands/call-stats.js";
import { registerDncCommand } from "./commands/dnc.js";
import { registerLeadCommand } from "./commands/lead.js";
import { registerTwilioSetupCommand } from "./commands/twilio-setup.js";
import type { Deps } from "./deps.js";
import { registerCallInteractions } from "./interactions/call.js";
import { registerHomeInteractions } from "./interactions/home.js";
import { registerLeadInteractions } from "./interactions/lead.js";
import { registerOutcomeInteractions } from "./interactions/outcome.js";
import { registerScheduleInteractions } from "./interactions/schedule.js";
import { registerTwilioSetupInteractions } from "./interactions/twilio-setup.js";
import { registerWorkspaceEvents } from "./interactions/workspace-events.js";

/** Every Slack surface registers its listeners here; listeners only translate to services. */
export function registerSlackListeners(app: App, deps: Deps): void {
  registerTwilioSetupCommand(app, deps);
  registerTwilioSetupInteractions(app, deps);
  registerLeadCommand(app, deps);
  registerDncCommand(app, deps);
  registerCallStatsCommand(app, deps);
  registerLeadInteractions(app, deps);
  registerCallLeadCommand(app, deps);
  registerCallInteractions(app, deps);
  registerScheduleInteractions(app, deps);
  registerOutcomeInteractions(app, deps);
  registerHomeInteractions(app, deps);
  registerWorkspaceEvents(app, deps);
  app.error(async (error) => {
    // A request from a workspace that is not (or no longer) installed: expected, and refused.
    if ((error as { code?: string }).code === ErrorCode.AuthorizationError) {
      deps.log.info({ err: error }, "refused a Slack request from a workspace that is not installed");
      return;
    }
    deps.log.error({ err: error }, "unhandled Slack listener error");
  });
}
