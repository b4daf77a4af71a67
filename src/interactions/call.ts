import type { App, BlockAction } from "@slack/bolt";
import type { Deps } from "../deps.js";
import { ComplianceBlock, isExpected, UserError } from "../lib/errors.js";
import { agentFields, ids } from "../lib/ids.js";
import type { CallTarget } from "../services/calls/call-service.js";
import { agentSettingsSaved, browserLinkMessage, callPlacedUnposted } from "../views/call-card.js";
import { errorMessage, fieldError } from "../views/errors.js";
import { clickKeyOf, leadIdOf } from "./payloads.js";
import { workspaceOf } from "./scope.js";
import { inputValue } from "./view-state.js";

/** Where the call line goes: the card's thread for a card in a channel, the channel for an ephemeral card. */
export function targetOf(body: BlockAction): CallTarget {
  const container = body.container as {
    channel_id?: string;
    is_ephemeral?: boolean;
    message_ts?: string;
    thread_ts?: string;
  };
  const channel = body.channel?.id ?? container.channel_id ?? body.user.id;
  const message = body.message as { ts?: string; thread_ts?: string } | undefined;
  const threadTs = container.is_ephemeral ? undefined : (message?.thread_ts ?? message?.ts ?? container.message_ts);
  return { channel, threadTs };
}

export function registerCallInteractions(app: App, deps: Deps): void {
  const tellClicker = async (
    ws: number,
    body: BlockAction,
    message: { text: string; blocks?: import("@slack/types").KnownBlock[] },
  ) =>
    (await deps.slackFor(ws)).tell(
      body.user.id,
      { channel: targetOf(body).channel, responseUrl: body.response_url },
      message,
    );

  const failed = async (ws: number, body: BlockAction, error: unknown, what: string) => {
    if (!isExpected(error)) deps.log.error({ err: error }, `${what} failed`);
    // A calling-law block says its next allowed time in the agent's own zone too (Slack knows it).
    const agentZone =
      error instanceof ComplianceBlock ? (await (await deps.slackFor(ws)).user(body.user.id))?.tz : undefined;
    await tellClicker(
      ws,
      body,
      errorMessage(error, {
        now: deps.clock.now(),
        lawNow: deps.clock.callingNow(),
        agentZone,
        canSchedule: true,
        what: "the call",
      }),
    );
  };

  for (const [actionId, mode] of [
    [ids.call.liveAction, "live"],
    [ids.call.messageAction, "message"],
    // A card posted before release 2: its "Call" was a message call, and still is (consent is checked).
    [ids.call.legacySimpleAction, "message"],
    [ids.call.bridgeAction, "bridge"],
  ] as const) {
    app.action<BlockAction>(actionId, async ({ ack, body, context }) => {
      await ack();
      const ws = workspaceOf(context);
      deps.tasks.run(async () => {
        try {
          const placed = await deps.calls.placeCall({
            workspaceId: ws,
            leadId: leadIdOf(body),
            mode,
            agent: { id: body.user.id, name: body.user.name },
            target: targetOf(body),
            responseUrl: body.response_url,
            originKey: clickKeyOf(body),
          });
          if (!placed.announced)
            await tellClicker(ws, body, callPlacedUnposted(placed.lead.name, placed.call.twilioSid));
        } catch (error) {
          await failed(ws, body, error, "placing a call");
        }
      });
    });
  }

  app.action<BlockAction>(ids.call.browserAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    deps.tasks.run(async () => {
      try {
        const leadId = leadIdOf(body);
        const missing = await deps.calls.missingFor(ws, "browser", body.user.id);
        if (missing.length > 0)
          throw new UserError(
            `Browser calls are not set up. Missing: ${missing.join(", ")}. An admin can run /twilio-setup.`,
          );
        const lead = await deps.leads.get(ws, leadId);
        if (!lead) throw new UserError(`Lead #${leadId} no longer exists.`);
        await deps.calls.checkLead(lead, body.user.id);
        const target = targetOf(body);
        const url = await deps.browserPhone.createLink({
          ws,
          userId: body.user.id,
          leadId,
          channel: target.channel,
          threadTs: target.threadTs,
        });
        await tellClicker(ws, body, browserLinkMessage(lead.name, url));
      } catch (error) {
        await failed(ws, body, error, "a browser call link");
      }
    });
  });

  app.action<BlockAction>(ids.call.browserLinkAction, async ({ ack }) => {
    // The link button opens the page in the browser; Slack still tells us about the click.
    await ack();
  });

  app.view(ids.call.settingsCallbackId, async ({ ack, body, view, context }) => {
    let phone: string;
    try {
      phone = await deps.calls.setAgentPhone(
        workspaceOf(context),
        body.user.id,
        inputValue(view.state, agentFields.phone) ?? "",
      );
    } catch (error) {
      await ack({ response_action: "errors", errors: { [agentFields.phone]: fieldError(error) } });
      return;
    }
    // The modal turns into the confirmation: the agent sees the number that was saved.
    await ack({ response_action: "update", view: agentSettingsSaved(phone) });
  });
}
