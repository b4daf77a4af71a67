import type { BlockAction } from "@slack/bolt";
import { UserError } from "../../lib/errors.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import type { Scheduler } from "../../services/scheduling/scheduler.js";
import { zoneOf } from "../../services/slack/people.js";
import { scheduleModal } from "../../views/schedule.js";
import type { ListenerBase } from "./base.js";
import { targetOf } from "./targets.js";

export interface ScheduleFormDeps extends Pick<ListenerBase, "slackFor" | "clock"> {
  leads: Pick<LeadService, "get">;
  scheduler: Pick<Scheduler, "upcoming">;
}

/** Opens the date and time modal: a new booking for a lead, or moving one of the clicker's booked calls. */
export async function openScheduleForm(
  deps: ScheduleFormDeps,
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
  if (!lead) throw new UserError("That lead no longer exists.", { code: "lead_missing" });
  const target = targetOf(body);
  const slack = await deps.slackFor(ws);
  const initial = scheduled?.dueAt ?? new Date(deps.clock.callingNow().getTime() + 60 * 60_000);
  const meta = {
    leadId,
    scheduledId: scheduled?.id,
    // From the Home tab or a DM there is no channel: the call is announced in the agent's DM.
    channel: /^[CG]/.test(target.channel) ? target.channel : undefined,
    threadTs: target.threadTs,
  };
  await slack.openView(
    body.trigger_id,
    scheduleModal(lead, JSON.stringify(meta), {
      agentZone: await zoneOf(slack, body.user.id),
      initial,
      moving: Boolean(scheduled),
    }),
  );
}
