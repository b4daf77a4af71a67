import type { App } from "@slack/bolt";
import { z } from "zod";
import { isExpected, UserError } from "../../lib/errors.js";
import { ids, scheduleFields } from "../../lib/ids.js";
import type { QueueRuns } from "../../services/queues/queue-runs.js";
import { zoneOf } from "../../services/slack/people.js";
import { fieldError } from "../../views/errors.js";
import type { ListenerBase } from "../shared/base.js";
import { readMetadata } from "../shared/payloads.js";
import { picked, pickedTime } from "../shared/picked-time.js";
import { workspaceOf } from "../shared/workspace.js";

const id = z.number().int().positive().max(2_147_483_647);
const snoozeMeta = z.object({ runId: id, claimId: id });

export interface QueueSnoozeDeps extends ListenerBase {
  queueRuns: Pick<QueueRuns, "snooze">;
}

/** Snooze's day-and-time form submitted: the lead snoozed until then, or the refusal beside the day. */
export function registerQueueSnoozeSubmit(app: App, deps: QueueSnoozeDeps): void {
  app.view(ids.queue.snoozeCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    try {
      const meta = readMetadata(snoozeMeta, view.private_metadata);
      const zone = await zoneOf(await deps.slackFor(ws), body.user.id);
      const until = pickedTime(
        picked(view.state, scheduleFields.date, "selected_date"),
        picked(view.state, scheduleFields.time, "selected_time"),
        zone,
      );
      await deps.queueRuns.snooze({ ws, runId: meta.runId, claimId: meta.claimId, agentId: body.user.id, until });
      await ack();
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "snoozing a queue lead failed");
      const field =
        error instanceof UserError && error.field === scheduleFields.time ? error.field : scheduleFields.date;
      await ack({ response_action: "errors", errors: { [field]: fieldError(error) } });
    }
  });
}
