import type { EventBus } from "../lib/events.js";
import type { Logger } from "../lib/log.js";
import type { SettingsService } from "../services/setup/settings.js";
import type { SlackMessenger } from "../services/slack/messenger.js";
import { numberDroppedMessage } from "../views/caller-id.js";

/** A pool number dropped (released in Twilio, or no longer routing call-backs): the admins are told in the leads channel. */
export function subscribeCallerIdNotices(deps: {
  events: EventBus;
  settings: Pick<SettingsService, "get">;
  slackFor(ws: number): Promise<SlackMessenger>;
  /** LEADS_CHANNEL_ID: the leads channel when the workspace has not set its own. */
  leadsChannel?: string;
  log: Logger;
}): void {
  deps.events.on("callerid.number_dropped", async ({ ws, number, reason }) => {
    const channel = (await deps.settings.get(ws)).leadsChannel ?? deps.leadsChannel;
    if (!channel) {
      deps.log.warn({ ws, reason }, "a caller-ID number was dropped and there is no leads channel to tell");
      return;
    }
    await (await deps.slackFor(ws)).postToChannel({ channel }, numberDroppedMessage(number, reason));
  });
}
