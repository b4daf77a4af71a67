import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { ExternalError, UserError, userMessage } from "../lib/errors.js";
import { agentFields, ids } from "../lib/ids.js";
import type { Deps } from "../services/index.js";
import type { PostTarget } from "../services/slack/messenger.js";
import { browserLinkMessage } from "../views/call-card.js";
import { inputValue } from "./view-state.js";

/** Where the call line goes: the card's thread for a card in a channel, the channel for an ephemeral card. */
function targetOf(body: BlockAction): PostTarget & { channel: string } {
  const container = body.container as {
    channel_id?: string;
    is_ephemeral?: boolean;
    message_ts?: string;
    thread_ts?: string;
  };
  const channel = body.channel?.id ?? container.channel_id ?? "";
  const message = body.message as { ts?: string; thread_ts?: string } | undefined;
  const threadTs = container.is_ephemeral ? undefined : (message?.thread_ts ?? message?.ts ?? container.message_ts);
  return { channel, threadTs, responseUrl: body.response_url };
}

export function registerCallInteractions(app: App, deps: Deps): void {
  const tellClicker = (body: BlockAction, text: string) =>
    deps.messenger.tell(body.user.id, { channel: targetOf(body).channel, responseUrl: body.response_url }, { text });

  const failureText = (error: unknown) =>
    error instanceof ExternalError && error.service === "twilio" ? userMessage(error, "the call") : userMessage(error);

  for (const [actionId, mode] of [
    [ids.call.simpleAction, "simple"],
    [ids.call.bridgeAction, "bridge"],
  ] as const) {
    app.action<BlockAction>(actionId, async ({ ack, body }) => {
      await ack();
      const leadId = Number((body.actions[0] as ButtonAction).value);
      const target = targetOf(body);
      deps.tasks.run(async () => {
        try {
          const { call, lead } = await deps.calls.placeCall({
            leadId,
            mode,
            agent: { id: body.user.id, name: body.user.name },
          });
          try {
            await deps.announcer.announce(call, lead, target);
          } catch (error) {
            deps.log.warn({ err: error, callId: call.id }, "could not post the call line to the channel");
            await tellClicker(
              body,
              `The call to ${lead.name} is placed (Call SID ${call.twilioSid}), but Leadline could not post in this channel.`,
            );
          }
        } catch (error) {
          if (!(error instanceof UserError || error instanceof ExternalError))
            deps.log.error({ err: error, leadId }, "placing a call failed");
          await tellClicker(body, `:x: ${failureText(error)}`);
        }
      });
    });
  }

  app.action<BlockAction>(ids.call.browserAction, async ({ ack, body }) => {
    await ack();
    const leadId = Number((body.actions[0] as ButtonAction).value);
    const target = targetOf(body);
    deps.tasks.run(async () => {
      try {
        const missing = await deps.calls.missingFor("browser", body.user.id);
        if (missing.length > 0)
          throw new UserError(
            `Browser calls are not set up. Missing: ${missing.join(", ")}. An admin can run \`/twilio-setup\`.`,
          );
        const lead = await deps.leads.get(leadId);
        if (!lead) throw new UserError(`Lead #${leadId} no longer exists.`);
        await deps.calls.checkLead(lead, body.user.id);
        const url = await deps.browserPhone.createLink({
          userId: body.user.id,
          leadId,
          channel: target.channel,
          threadTs: target.threadTs,
        });
        await deps.messenger.tell(
          body.user.id,
          { channel: target.channel, responseUrl: body.response_url },
          browserLinkMessage(lead.name, url),
        );
      } catch (error) {
        if (!(error instanceof UserError)) deps.log.error({ err: error, leadId }, "browser call link failed");
        await tellClicker(body, `:x: ${failureText(error)}`);
      }
    });
  });

  app.action<BlockAction>(ids.call.browserLinkAction, async ({ ack }) => {
    // The link button opens the page in the browser; Slack still tells us about the click.
    await ack();
  });

  app.view(ids.call.settingsCallbackId, async ({ ack, body, view }) => {
    try {
      await deps.calls.setAgentPhone(body.user.id, inputValue(view.state, agentFields.phone) ?? "");
      await ack();
    } catch (error) {
      await ack({ response_action: "errors", errors: { [agentFields.phone]: userMessage(error) } });
    }
  });
}
