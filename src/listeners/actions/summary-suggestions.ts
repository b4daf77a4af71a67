import type { App, BlockAction } from "@slack/bolt";
import { z } from "zod";
import { ids } from "../../lib/ids.js";
import { isOutcome } from "../../services/calls/outcomes.js";
import { nameOf, zoneOf } from "../../services/slack/people.js";
import type { SummaryActions } from "../../services/transcripts/summary-actions.js";
import { dncAdded } from "../../views/dnc.js";
import { scheduledConfirmation } from "../../views/schedule.js";
import type { ListenerBase } from "../shared/base.js";
import { isoTime, jsonValueOf } from "../shared/payloads.js";
import { tellClicker, tellFailure } from "../shared/reply.js";
import { targetOf } from "../shared/targets.js";
import { workspaceOf } from "../shared/workspace.js";

export interface SummarySuggestionDeps extends ListenerBase {
  summaryActions: SummaryActions;
}

const callId = z.number().int().positive();

/** A summary card's suggestion buttons: each applies what it names through the same checks as the click it stands for. */
export function registerSummarySuggestions(app: App, deps: SummarySuggestionDeps): void {
  const button = (actionId: string, what: string, work: (ws: number, body: BlockAction) => Promise<void>) =>
    app.action<BlockAction>(actionId, async ({ ack, body, context }) => {
      await ack();
      const ws = workspaceOf(context);
      deps.tasks.run(async () => {
        try {
          await work(ws, body);
        } catch (error) {
          // A call back at a forbidden hour is refused with the next allowed time and a button to book it.
          await tellFailure(deps, ws, body, error, what, { canSchedule: true });
        }
      });
    });

  button(ids.summary.outcomeAction, "applying a suggested outcome", async (ws, body) => {
    const value = jsonValueOf(body, z.object({ callId, outcome: z.string().refine(isOutcome) }));
    const byName = (await nameOf(await deps.slackFor(ws), body.user.id)) ?? body.user.name;
    await deps.summaryActions.setOutcome({
      ws,
      callId: value.callId,
      outcome: value.outcome,
      by: body.user.id,
      byName,
    });
  });

  button(ids.summary.callbackAction, "booking a suggested call back", async (ws, body) => {
    const value = jsonValueOf(body, z.object({ callId, at: isoTime }));
    const target = targetOf(body);
    const booked = await deps.summaryActions.callback({
      ws,
      callId: value.callId,
      at: value.at,
      by: body.user.id,
      channel: target.channel,
      threadTs: target.threadTs,
    });
    const agentZone = await zoneOf(await deps.slackFor(ws), body.user.id);
    await tellClicker(deps, ws, body, scheduledConfirmation(booked, { agentZone, now: deps.clock.callingNow() }));
  });

  button(ids.summary.dncAction, "adding a number to do-not-call", async (ws, body) => {
    const value = jsonValueOf(body, z.object({ callId }));
    const listed = await deps.summaryActions.doNotCall({ ws, callId: value.callId, by: body.user.id });
    await tellClicker(deps, ws, body, dncAdded(listed.phone, listed.entry, listed.added, deps.clock.now()));
  });
}
