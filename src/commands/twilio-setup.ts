import type { App } from "@slack/bolt";
import type { Deps } from "../deps.js";
import { isExpected } from "../lib/errors.js";
import { errorMessage } from "../views/errors.js";
import { clearConfirmBlocks, twilioSetupModal, twilioStatusBlocks } from "../views/twilio-setup.js";

const REFUSAL =
  "Only Leadline admins can change the Twilio settings. Ask an admin, or run `/twilio-setup status` to see what is configured.";

export function registerTwilioSetupCommand(app: App, deps: Deps): void {
  app.command("/twilio-setup", async ({ command, ack, respond }) => {
    const text = command.text.trim().toLowerCase();
    if (text === "status") {
      const status = twilioStatusBlocks(await deps.settings.get(), await deps.settings.unreadable());
      await ack({ response_type: "ephemeral", ...status });
      return;
    }
    if (text !== "" && text !== "clear") {
      await ack({
        response_type: "ephemeral",
        text: "Usage: `/twilio-setup` to connect Twilio (admins), `/twilio-setup status` to see what is configured, `/twilio-setup clear` to remove the settings (admins).",
      });
      return;
    }
    await ack();
    try {
      if (!(await deps.admins.isAdmin(command.user_id))) {
        await deps.audit.record(command.user_id, "twilio_settings.forbidden", { at: text || "open" });
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
      await deps.slack.openView(
        command.trigger_id,
        twilioSetupModal({
          stored: await deps.settings.get(),
          privateMetadata: JSON.stringify({ channel: command.channel_id }),
        }),
      );
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "/twilio-setup failed");
      await respond({ response_type: "ephemeral", ...errorMessage(error, { now: deps.clock() }) });
    }
  });
}

export { REFUSAL as TWILIO_SETUP_REFUSAL };
