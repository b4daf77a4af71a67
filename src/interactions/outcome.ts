import type { App, BlockAction, OverflowAction } from "@slack/bolt";
import type { Deps } from "../deps.js";
import { isExpected, UserError } from "../lib/errors.js";
import { ids } from "../lib/ids.js";
import { isOutcome, OUTCOMES } from "../services/calls/outcomes.js";
import { errorMessage } from "../views/errors.js";
import { scheduleModal } from "../views/schedule.js";
import { targetOf } from "./call.js";
import { buttonOf } from "./payloads.js";
import { workspaceOf } from "./scope.js";

const OUTCOME_ACTION = new RegExp(`^${ids.outcome.actionPrefix}(${Object.keys(OUTCOMES).join("|")})$`);

export function registerOutcomeInteractions(app: App, deps: Deps): void {
  const record = async (ws: number, body: BlockAction, callId: number, outcome: string) => {
    try {
      // The note names the person as Slack shows them (their display name), not by id.
      const byName = (await (await deps.slackFor(ws)).user(body.user.id))?.name ?? body.user.name;
      await deps.outcomes.record({ ws, callId, outcome, by: body.user.id, byName });
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "recording an outcome failed");
      await (await deps.slackFor(ws)).tell(
        body.user.id,
        { channel: targetOf(body).channel, responseUrl: body.response_url },
        errorMessage(error, { now: deps.clock.now() }),
      );
    }
  };

  app.action<BlockAction>(OUTCOME_ACTION, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const action = buttonOf(body);
    const outcome = action.action_id.slice(ids.outcome.actionPrefix.length);
    const callId = Number(action.value);
    if (!Number.isInteger(callId) || callId <= 0 || !isOutcome(outcome)) return;
    if (outcome === "callback") {
      // Call back… also opens scheduling at once (Slack's trigger lasts 3 s), on the call's lead.
      try {
        const call = await deps.callStore.byId(callId);
        const lead = call && call.workspaceId === ws ? await deps.leads.get(ws, call.leadId) : undefined;
        if (!lead) throw new UserError("That call's lead no longer exists.");
        const target = targetOf(body);
        await (await deps.slackFor(ws)).openView(
          body.trigger_id,
          scheduleModal(lead, JSON.stringify({ leadId: lead.id, channel: target.channel, threadTs: target.threadTs }), {
            agentZone: await deps.agentZone(ws, body.user.id),
            initial: new Date(deps.clock.callingNow().getTime() + 24 * 3600_000),
          }),
        );
      } catch (error) {
        deps.log.info({ err: error }, "could not open scheduling for a Call back outcome");
      }
    }
    deps.tasks.run(() => record(ws, body, callId, outcome));
  });

  app.action<BlockAction>(ids.outcome.changeAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const value = (body.actions[0] as OverflowAction | undefined)?.selected_option?.value ?? "";
    const [id, outcome] = value.split(":");
    const callId = Number(id);
    if (!Number.isInteger(callId) || callId <= 0 || !outcome || !isOutcome(outcome)) return;
    deps.tasks.run(() => record(ws, body, callId, outcome));
  });
}
