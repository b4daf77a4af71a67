import type { App } from "@slack/bolt";
import type { Deps } from "../deps.js";
import { workspaceOf } from "../interactions/scope.js";
import { isExpected } from "../lib/errors.js";
import { REGISTRY_MAX_AGE_DAYS } from "../services/compliance/dnc-service.js";
import { errorMessage } from "../views/errors.js";
import {
  clearConfirmBlocks,
  inboundConnectedMessage,
  leadsApiTokenMessage,
  twilioSetupModal,
  twilioStatusBlocks,
} from "../views/twilio-setup.js";

const REFUSAL =
  "Only Leadline admins can change the Twilio settings. Ask an admin, or run `/twilio-setup status` to see what is configured.";

const USAGE =
  "Usage: `/twilio-setup` to connect Twilio (admins), `/twilio-setup status` to see what is configured, `/twilio-setup clear` to remove the settings (admins), `/twilio-setup api-token` for a new lead API token (admins), `/twilio-setup inbound` to answer calls to the team's number with Leadline (admins).";

export function registerTwilioSetupCommand(app: App, deps: Deps): void {
  app.command("/twilio-setup", async ({ command, ack, respond, context }) => {
    const text = command.text.trim().toLowerCase();
    const ws = workspaceOf(context);
    if (text === "status") {
      const settings = await deps.settings.get(ws);
      const registry = await deps.dnc.registryAge(ws, deps.clock.now());
      // Asking Twilio about the number takes a moment: at most 1.5 s, then the status says it could not tell.
      const inbound = settings.accountSid
        ? await Promise.race([
            deps.inboundNumber.state(ws),
            new Promise<undefined>((resolve) => setTimeout(resolve, 1_500)),
          ])
        : undefined;
      const status = twilioStatusBlocks(
        settings,
        await deps.settings.unreadable(ws),
        { ...registry, maxDays: REGISTRY_MAX_AGE_DAYS },
        settings.accountSid ? (inbound ?? { kind: "unknown", why: "Twilio did not answer in time" }) : undefined,
      );
      await ack({ response_type: "ephemeral", ...status });
      return;
    }
    if (text !== "" && text !== "clear" && text !== "api-token" && text !== "inbound") {
      await ack({ response_type: "ephemeral", text: USAGE });
      return;
    }
    await ack();
    try {
      if (!(await deps.admins.isAdmin(ws, command.user_id))) {
        await deps.audit.record(ws, command.user_id, "twilio_settings.forbidden", { at: text || "open" });
        await respond({ response_type: "ephemeral", text: REFUSAL });
        return;
      }
      if (text === "clear") {
        await respond({
          response_type: "ephemeral",
          text: "Remove every Twilio setting?",
          blocks: clearConfirmBlocks(),
        });
        return;
      }
      if (text === "inbound") {
        const connected = await deps.inboundNumber.connect(ws, command.user_id);
        await respond({ response_type: "ephemeral", ...inboundConnectedMessage(connected) });
        return;
      }
      if (text === "api-token") {
        if (deps.workspaces.mode === "single") {
          await respond({
            response_type: "ephemeral",
            ...leadsApiTokenMessage(undefined, deps.config.PUBLIC_BASE_URL),
          });
          return;
        }
        // The token itself never goes into Slack: a single-use, 10-minute link to a Leadline page shows it once.
        const link = await deps.workspaces.rotateLeadsApiToken(ws, command.user_id);
        await deps.audit.record(ws, command.user_id, "leads_api.token_rotated", {});
        await respond({ response_type: "ephemeral", ...leadsApiTokenMessage(link, deps.config.PUBLIC_BASE_URL) });
        return;
      }
      await (await deps.slackFor(ws)).openView(
        command.trigger_id,
        twilioSetupModal({
          stored: await deps.settings.get(ws),
          privateMetadata: JSON.stringify({ channel: command.channel_id }),
        }),
      );
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "/twilio-setup failed");
      await respond({ response_type: "ephemeral", ...errorMessage(error, { now: deps.clock.now() }) });
    }
  });
}

export { REFUSAL as TWILIO_SETUP_REFUSAL };
