import type { App, BlockAction, OverflowAction } from "@slack/bolt";
import { UserError } from "../../lib/errors.js";
import { ids } from "../../lib/ids.js";
import { isOutcome, OUTCOMES, type OutcomeService } from "../../services/calls/outcomes.js";
import { nameOf, zoneOf } from "../../services/slack/people.js";
import { scheduleModal } from "../../views/schedule.js";
import type { ListenerBase } from "../shared/base.js";
import { buttonOf } from "../shared/payloads.js";
import { tellFailure } from "../shared/reply.js";
import { targetOf } from "../shared/targets.js";
import { workspaceOf } from "../shared/workspace.js";

const OUTCOME_ACTION = new RegExp(`^${ids.outcome.actionPrefix}(${Object.keys(OUTCOMES).join("|")})$`);

export interface OutcomeDeps extends ListenerBase {
  outcomes: Pick<OutcomeService, "record" | "leadOf">;
}

/** The outcome buttons of a finished call (first tap wins) and its "Change to…" menu (a deliberate change). */
export function registerOutcomeActions(app: App, deps: OutcomeDeps): void {
  const record = async (ws: number, body: BlockAction, callId: number, outcome: string, deliberate: boolean) => {
    try {
      // The note names the person as Slack shows them (their display name), not by id.
      const byName = (await nameOf(await deps.slackFor(ws), body.user.id)) ?? body.user.name;
      await deps.outcomes.record({ ws, callId, outcome, by: body.user.id, byName, deliberate });
    } catch (error) {
      await tellFailure(deps, ws, body, error, "recording an outcome");
    }
  };

  /** Call back… also opens scheduling at once (Slack's trigger lasts 3 s), on the call's lead. */
  const openCallback = async (ws: number, body: BlockAction, callId: number) => {
    try {
      const lead = await deps.outcomes.leadOf(ws, callId);
      if (!lead) throw new UserError("That call's lead no longer exists.");
      const target = targetOf(body);
      const slack = await deps.slackFor(ws);
      await slack.openView(
        body.trigger_id,
        scheduleModal(lead, JSON.stringify({ leadId: lead.id, channel: target.channel, threadTs: target.threadTs }), {
          agentZone: await zoneOf(slack, body.user.id),
          initial: new Date(deps.clock.callingNow().getTime() + 24 * 3600_000),
        }),
      );
    } catch (error) {
      deps.log.info({ err: error }, "could not open scheduling for a Call back outcome");
    }
  };

  app.action<BlockAction>(OUTCOME_ACTION, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const action = buttonOf(body);
    const outcome = action.action_id.slice(ids.outcome.actionPrefix.length);
    const callId = Number(action.value);
    if (!Number.isInteger(callId) || callId <= 0 || !isOutcome(outcome)) return;
    if (outcome === "callback") await openCallback(ws, body, callId);
    deps.tasks.run(() => record(ws, body, callId, outcome, false));
  });

  app.action<BlockAction>(ids.outcome.changeAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const value = (body.actions[0] as OverflowAction | undefined)?.selected_option?.value ?? "";
    const [id, outcome] = value.split(":");
    const callId = Number(id);
    if (!Number.isInteger(callId) || callId <= 0 || !outcome || !isOutcome(outcome)) return;
    deps.tasks.run(() => record(ws, body, callId, outcome, true));
  });
}
