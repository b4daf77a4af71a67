import type { App, BlockAction } from "@slack/bolt";
import { z } from "zod";
import { ids } from "../../lib/ids.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import type { Scheduler } from "../../services/scheduling/scheduler.js";
import { zoneOf } from "../../services/slack/people.js";
import { scheduleCancelledMessage, scheduledConfirmation } from "../../views/schedule.js";
import type { ListenerBase } from "../shared/base.js";
import { isoTime, jsonValueOf, leadIdOf, scheduledIdOf } from "../shared/payloads.js";
import { afterAck, tellClicker } from "../shared/reply.js";
import { targetOf } from "../shared/targets.js";
import { workspaceOf } from "../shared/workspace.js";

/** "Retry" on a call the agent did not take: the same live call, booked this far ahead. */
const RETRY_AFTER_MS = 15 * 60_000;

export interface ScheduleButtonDeps extends ListenerBase {
  leads: Pick<LeadService, "get">;
  scheduler: Pick<Scheduler, "book" | "cancel" | "move">;
}

/** Buttons that book, move or cancel a scheduled call without a form. */
export function registerScheduleButtons(app: App, deps: ScheduleButtonDeps): void {
  const button = (actionId: string, work: (ws: number, body: BlockAction) => Promise<void>) =>
    app.action<BlockAction>(actionId, async ({ ack, body, context }) => {
      await ack();
      const ws = workspaceOf(context);
      afterAck(deps, ws, body, `schedule button ${actionId}`, () => work(ws, body));
    });

  const confirm = async (ws: number, body: BlockAction, result: Awaited<ReturnType<Scheduler["book"]>>) => {
    const agentZone = await zoneOf(await deps.slackFor(ws), body.user.id);
    await tellClicker(deps, ws, body, scheduledConfirmation(result, { agentZone, now: deps.clock.callingNow() }));
  };

  const book = async (ws: number, body: BlockAction, leadId: number, at: Date) => {
    const target = targetOf(body);
    const result = await deps.scheduler.book({
      ws,
      leadId,
      agentId: body.user.id,
      channel: target.channel,
      threadTs: target.threadTs,
      at,
      bookedBy: body.user.id,
    });
    await confirm(ws, body, result);
  };

  // The compliance card's "Schedule for <next allowed time>".
  button(ids.schedule.fromBlockAction, async (ws, body) => {
    const value = jsonValueOf(body, z.object({ leadId: z.number().int().positive(), at: isoTime }));
    await book(ws, body, value.leadId, value.at);
  });

  // The post of a live call the agent did not take.
  button(ids.schedule.retryAction, async (ws, body) => {
    await book(ws, body, leadIdOf(body), new Date(deps.clock.callingNow().getTime() + RETRY_AFTER_MS));
  });

  button(ids.schedule.cancelAction, async (ws, body) => {
    const row = await deps.scheduler.cancel(ws, scheduledIdOf(body), body.user.id);
    const lead = await deps.leads.get(ws, row.leadId);
    await tellClicker(deps, ws, body, scheduleCancelledMessage(lead?.name, row.leadId));
  });

  button(ids.schedule.moveToAction, async (ws, body) => {
    const value = jsonValueOf(body, z.object({ id: z.number().int().positive(), at: isoTime }));
    await confirm(ws, body, await deps.scheduler.move(ws, value.id, value.at, body.user.id));
  });
}
