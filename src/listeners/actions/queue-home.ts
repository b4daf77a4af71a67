import type { App, BlockAction } from "@slack/bolt";
import { ids } from "../../lib/ids.js";
import type { HomeTab } from "../../presenters/home-tab.js";
import type { QueueAdmin } from "../../services/queues/queue-admin.js";
import type { QueueRuns } from "../../services/queues/queue-runs.js";
import { queueModal } from "../../views/queue-modal.js";
import { runStarting } from "../../views/queues.js";
import type { ListenerBase } from "../shared/base.js";
import { buttonOf } from "../shared/payloads.js";
import { afterAck, tellClicker, tellFailure } from "../shared/reply.js";
import { workspaceOf } from "../shared/workspace.js";

const q = ids.queue;

export interface QueueHomeDeps extends ListenerBase {
  queueRuns: Pick<QueueRuns, "start">;
  queueAdmin: Pick<QueueAdmin, "editable" | "remove">;
  homeTab: HomeTab;
}

/** The queue a Home button names (its id); a tampered value names none. */
const queueIdOf = (body: BlockAction) => {
  const value = buttonOf(body).value ?? "";
  return /^\d{1,10}$/.test(value) ? Number(value) : undefined;
};

/**
 * App Home's queues: Start calling (the run `/call-queue <name>` starts), and for admins New queue, Edit
 * and Delete. The admin's buttons are checked again by the queue admin service, whoever sent them.
 */
export function registerQueueHome(app: App, deps: QueueHomeDeps): void {
  app.action<BlockAction>(q.homeStartAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const queueId = queueIdOf(body);
    if (queueId === undefined) return;
    afterAck(deps, ws, body, "Start calling", async () => {
      const run = await deps.queueRuns.start({ ws, queue: queueId, agentId: body.user.id });
      await tellClicker(deps, ws, body, runStarting(run.id));
      await deps.homeTab.publish(ws, body.user.id);
    });
  });

  // The modal opens at once (Slack's trigger lasts 3 seconds), after the admin check.
  const openForm = async (body: BlockAction, ws: number, queueId: number | undefined) => {
    try {
      const queue = await deps.queueAdmin.editable(ws, body.user.id, queueId);
      await (await deps.slackFor(ws)).openView(body.trigger_id, queueModal(queue));
    } catch (error) {
      await tellFailure(deps, ws, body, error, "opening the queue form");
    }
  };
  app.action<BlockAction>(q.homeNewAction, async ({ ack, body, context }) => {
    await ack();
    await openForm(body, workspaceOf(context), undefined);
  });
  app.action<BlockAction>(q.homeEditAction, async ({ ack, body, context }) => {
    await ack();
    const queueId = queueIdOf(body);
    if (queueId !== undefined) await openForm(body, workspaceOf(context), queueId);
  });

  app.action<BlockAction>(q.homeDeleteAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const queueId = queueIdOf(body);
    if (queueId === undefined) return;
    afterAck(deps, ws, body, "deleting a queue", async () => {
      await deps.queueAdmin.remove(ws, body.user.id, queueId);
      await deps.homeTab.publish(ws, body.user.id);
    });
  });
}
