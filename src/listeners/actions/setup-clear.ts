import type { App, BlockAction } from "@slack/bolt";
import { ids } from "../../lib/ids.js";
import type { AdminGate } from "../../services/setup/admin-gate.js";
import type { SettingsService } from "../../services/setup/settings.js";
import { errorMessage } from "../../views/errors.js";
import { settingsClearedMessage } from "../../views/twilio-setup.js";
import type { ListenerBase } from "../shared/base.js";
import { workspaceOf } from "../shared/workspace.js";

export interface SetupClearDeps extends ListenerBase {
  admins: Pick<AdminGate, "require">;
  settings: Pick<SettingsService, "clear">;
}

/** "Remove Twilio settings" (after Slack's confirm): admins only; the ephemeral message says what was removed. */
export function registerSetupClear(app: App, deps: SetupClearDeps): void {
  app.action<BlockAction>(ids.twilioSetup.clearAction, async ({ ack, body, respond, context }) => {
    await ack();
    const ws = workspaceOf(context);
    try {
      await deps.admins.require(ws, body.user.id, "twilio_settings", { at: "clear" });
      const removed = await deps.settings.clear(ws, body.user.id);
      await respond({ response_type: "ephemeral", replace_original: true, ...settingsClearedMessage(removed) });
    } catch (error) {
      await respond({
        response_type: "ephemeral",
        replace_original: false,
        ...errorMessage(error, { now: deps.clock.now() }),
      });
    }
  });
}
