import type { App, BlockAction } from "@slack/bolt";
import { ids } from "../../lib/ids.js";
import type { BrowserPhoneService } from "../../services/calls/browser-phone.js";
import { browserLinkMessage } from "../../views/call-card.js";
import type { ListenerBase } from "../shared/base.js";
import { leadIdOf } from "../shared/payloads.js";
import { tellClicker, tellFailure } from "../shared/reply.js";
import { targetOf } from "../shared/targets.js";
import { workspaceOf } from "../shared/workspace.js";

export interface BrowserCallDeps extends ListenerBase {
  browserPhone: Pick<BrowserPhoneService, "linkFor">;
}

/** Browser call on a card: a single-use link to the softphone page, only for a lead that may be called now. */
export function registerBrowserCall(app: App, deps: BrowserCallDeps): void {
  app.action<BlockAction>(ids.call.browserAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    deps.tasks.run(async () => {
      try {
        const target = targetOf(body);
        const link = await deps.browserPhone.linkFor({
          ws,
          userId: body.user.id,
          leadId: leadIdOf(body),
          channel: target.channel,
          threadTs: target.threadTs,
        });
        await tellClicker(deps, ws, body, browserLinkMessage(link.leadName, link.url));
      } catch (error) {
        await tellFailure(deps, ws, body, error, "a browser call link", { canSchedule: true, noun: "the call" });
      }
    });
  });

  // The link button opens the page in the browser; Slack still tells us about the click.
  app.action<BlockAction>(ids.call.browserLinkAction, async ({ ack }) => {
    await ack();
  });
}
