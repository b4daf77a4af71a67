import type { App, ViewSubmitAction } from "@slack/bolt";
import { z } from "zod";
import { isExpected, UserError } from "../../lib/errors.js";
import { INPUT_ACTION, ids, queueFields } from "../../lib/ids.js";
import type { HomeTab } from "../../presenters/home-tab.js";
import type { QueueAdmin } from "../../services/queues/queue-admin.js";
import type { QueueSettingsInput } from "../../services/queues/queue-filter.js";
import { fieldError } from "../../views/errors.js";
import { queueFormErrors } from "../../views/queue-modal.js";
import type { ListenerBase } from "../shared/base.js";
import { readMetadata } from "../shared/payloads.js";
import { inputValue, selectedUser, selectedValue } from "../shared/view-state.js";
import { workspaceOf } from "../shared/workspace.js";

type ViewState = ViewSubmitAction["view"]["state"];

const queueMeta = z.object({ queueId: z.number().int().positive().max(2_147_483_647).optional() });

/** The options ticked in a checkboxes input block. */
function ticked(state: ViewState, block: string): string[] {
  const element = state.values[block]?.[INPUT_ACTION] as { selected_options?: { value?: string }[] | null } | undefined;
  return (element?.selected_options ?? []).map((option) => String(option.value ?? ""));
}

/** A number input's value: undefined when empty; text that is no number goes on as NaN (the service refuses it). */
function numberIn(state: ViewState, block: string): number | undefined {
  const text = inputValue(state, block)?.trim();
  return text ? Number(text) : undefined;
}

/** The form's fields as the queue's settings, all of them (an edit saves what the form shows). */
export function settingsOf(state: ViewState): QueueSettingsInput {
  const text = (block: string) => inputValue(state, block)?.trim() || undefined;
  const flags = ticked(state, queueFields.flags);
  const filter = {
    source: text(queueFields.source),
    state: text(queueFields.state),
    owner: selectedUser(state, queueFields.owner),
    lastOutcome: selectedValue(state, queueFields.lastOutcome),
    neverCalled: flags.includes("neverCalled") || undefined,
    callbackDue: flags.includes("callbackDue") || undefined,
  };
  return {
    name: inputValue(state, queueFields.name) ?? "",
    filter: Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined)) as never,
    orderBy: selectedValue(state, queueFields.orderBy) as QueueSettingsInput["orderBy"],
    recallGapMin: numberIn(state, queueFields.recallGapMin),
    maxAttempts: numberIn(state, queueFields.maxAttempts),
    removeOutcomes: ticked(state, queueFields.removeOutcomes) as QueueSettingsInput["removeOutcomes"],
    autoAdvanceSec: numberIn(state, queueFields.autoAdvanceSec) ?? null,
  };
}

export interface QueueModalDeps extends ListenerBase {
  queueAdmin: Pick<QueueAdmin, "create" | "edit">;
  homeTab: HomeTab;
}

/** The admin's queue form saved: a new queue or an edit; a refusal is shown beside the field it is about. */
export function registerQueueModalSubmit(app: App, deps: QueueModalDeps): void {
  app.view(ids.queue.modalCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    try {
      const { queueId } = readMetadata(queueMeta, view.private_metadata);
      const settings = settingsOf(view.state);
      if (queueId) await deps.queueAdmin.edit(ws, body.user.id, queueId, settings);
      else await deps.queueAdmin.create(ws, body.user.id, settings);
      await ack();
      deps.tasks.run(() => deps.homeTab.publish(ws, body.user.id));
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "saving a queue failed");
      await ack({
        response_action: "errors",
        errors: queueFormErrors(error instanceof UserError ? error : undefined, fieldError(error)),
      });
    }
  });
}
