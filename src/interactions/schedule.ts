import type { App, BlockAction } from "@slack/bolt";
import { DateTime } from "luxon";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { isExpected, UserError } from "../lib/errors.js";
import { ids, scheduleFields } from "../lib/ids.js";
import { errorMessage, fieldError } from "../views/errors.js";
import { scheduledConfirmation, scheduledModal, scheduleModal } from "../views/schedule.js";
import { targetOf } from "./call.js";
import { isoTime, jsonValueOf, leadIdOf, readMetadata, scheduledIdOf, scheduleMeta } from "./payloads.js";
import { workspaceOf } from "./scope.js";

const RETRY_AFTER_MS = 15 * 60_000;

/** A time picked in the modal (a day and a wall time), read in the agent's Slack zone. */
export function pickedTime(date: string | undefined, time: string | undefined, zone: string): Date {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new UserError("Pick a day.", { field: scheduleFields.date });
  if (!time || !/^\d{2}:\d{2}$/.test(time)) throw new UserError("Pick a time.", { field: scheduleFields.time });
  const local = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!local.isValid) throw new UserError("That day and time do not exist.", { field: scheduleFields.date });
  return local.toJSDate();
}

/** Opens the date and time modal: a new booking for a lead, or moving one of the clicker's booked calls. */
export async function openScheduleForm(
  deps: Deps,
  ws: number,
  body: BlockAction,
  what: { leadId: number } | { scheduledId: number },
): Promise<void> {
  const scheduled =
    "scheduledId" in what
      ? (await deps.scheduler.upcoming(ws, body.user.id, 100)).find((row) => row.id === what.scheduledId)
      : undefined;
  if ("scheduledId" in what && !scheduled) throw new UserError("That scheduled call was already placed or cancelled.");
  const leadId = scheduled ? scheduled.leadId : (what as { leadId: number }).leadId;
  const lead = await deps.leads.get(ws, leadId);
  if (!lead) throw new UserError("That lead no longer exists.");
  const target = targetOf(body);
  const zone = await deps.agentZone(ws, body.user.id);
  const initial = scheduled?.dueAt ?? new Date(deps.clock.callingNow().getTime() + 60 * 60_000);
  const meta = {
    leadId,
    scheduledId: scheduled?.id,
    // From the Home tab or a DM there is no channel: the call is announced in the agent's DM.
    channel: /^[CG]/.test(target.channel) ? target.channel : undefined,
    threadTs: target.threadTs,
  };
  await (await deps.slackFor(ws)).openView(
    body.trigger_id,
    scheduleModal(lead, JSON.stringify(meta), { agentZone: zone, initial, moving: Boolean(scheduled) }),
  );
}

export function registerScheduleInteractions(app: App, deps: Deps): void {
  const tell = async (
    ws: number,
    body: BlockAction,
    message: { text: string; blocks?: import("@slack/types").KnownBlock[] },
  ) =>
    (await deps.slackFor(ws)).tell(
      body.user.id,
      { channel: targetOf(body).channel, responseUrl: body.response_url },
      message,
    );

  /** Runs a button's work after the ack; any error reaches the clicker in words. */
  const button = (actionId: string, work: (ws: number, body: BlockAction) => Promise<void>) =>
    app.action<BlockAction>(actionId, async ({ ack, body, context }) => {
      await ack();
      const ws = workspaceOf(context);
      deps.tasks.run(async () => {
        try {
          await work(ws, body);
        } catch (error) {
          if (!isExpected(error)) deps.log.error({ err: error, actionId }, "a schedule button failed");
          await tell(ws, body, errorMessage(error, { now: deps.clock.now() }));
        }
      });
    });

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
    await tell(
      ws,
      body,
      scheduledConfirmation(result, {
        agentZone: await deps.agentZone(ws, body.user.id),
        now: deps.clock.callingNow(),
      }),
    );
  };

  // The compliance card's "Schedule for <next allowed time>".
  button(ids.schedule.fromBlockAction, async (ws, body) => {
    const value = jsonValueOf(body, z.object({ leadId: z.number().int().positive(), at: isoTime }));
    await book(ws, body, value.leadId, value.at);
  });

  // The line of a live call the agent did not answer.
  button(ids.schedule.retryAction, async (ws, body) => {
    await book(ws, body, leadIdOf(body), new Date(deps.clock.callingNow().getTime() + RETRY_AFTER_MS));
  });

  button(ids.schedule.cancelAction, async (ws, body) => {
    const row = await deps.scheduler.cancel(ws, scheduledIdOf(body), body.user.id);
    const lead = await deps.leads.get(ws, row.leadId);
    await tell(ws, body, {
      text: `:white_check_mark: Cancelled the scheduled call to ${lead?.name ?? `lead #${row.leadId}`}. Nothing will be dialed.`,
    });
  });

  button(ids.schedule.moveToAction, async (ws, body) => {
    const value = jsonValueOf(body, z.object({ id: z.number().int().positive(), at: isoTime }));
    const result = await deps.scheduler.move(ws, value.id, value.at, body.user.id);
    await tell(
      ws,
      body,
      scheduledConfirmation(result, {
        agentZone: await deps.agentZone(ws, body.user.id),
        now: deps.clock.callingNow(),
      }),
    );
  });

  // Schedule (a lead card) and Move (a booked call) open the date and time modal.
  for (const actionId of [ids.schedule.openAction, ids.schedule.moveAction]) {
    app.action<BlockAction>(actionId, async ({ ack, body, context }) => {
      await ack();
      const ws = workspaceOf(context);
      try {
        const moving = actionId === ids.schedule.moveAction;
        await openScheduleForm(
          deps,
          ws,
          body,
          moving ? { scheduledId: scheduledIdOf(body) } : { leadId: leadIdOf(body) },
        );
      } catch (error) {
        if (!isExpected(error)) deps.log.error({ err: error }, "opening the schedule form failed");
        await tell(ws, body, errorMessage(error, { now: deps.clock.now() }));
      }
    });
  }

  app.view(ids.schedule.callbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    const values = view.state.values;
    try {
      const meta = readMetadata(scheduleMeta, view.private_metadata);
      const zone = await deps.agentZone(ws, body.user.id);
      const date = (
        values[scheduleFields.date]?.[Object.keys(values[scheduleFields.date] ?? {})[0] ?? ""] as
          | { selected_date?: string }
          | undefined
      )?.selected_date;
      const time = (
        values[scheduleFields.time]?.[Object.keys(values[scheduleFields.time] ?? {})[0] ?? ""] as
          | { selected_time?: string }
          | undefined
      )?.selected_time;
      const at = pickedTime(date ?? undefined, time ?? undefined, zone);
      const result = meta.scheduledId
        ? await deps.scheduler.move(ws, meta.scheduledId, at, body.user.id)
        : await deps.scheduler.book({
            ws,
            leadId: meta.leadId,
            agentId: body.user.id,
            channel: meta.channel ?? body.user.id,
            threadTs: meta.threadTs,
            at,
            bookedBy: body.user.id,
          });
      const message = scheduledConfirmation(result, { agentZone: zone, now: deps.clock.callingNow() });
      await ack({ response_action: "update", view: scheduledModal(message) });
      // The confirmation (with Move and Cancel) also lands where the call will be announced.
      deps.tasks.run(async () => (await deps.slackFor(ws)).tell(body.user.id, { channel: meta.channel }, message));
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "scheduling a call failed");
      const field = error instanceof UserError ? error.field : undefined;
      await ack({
        response_action: "errors",
        errors: { [field === scheduleFields.time ? scheduleFields.time : scheduleFields.date]: fieldError(error) },
      });
    }
  });
}
