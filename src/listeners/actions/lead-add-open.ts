import type { App, BlockAction } from "@slack/bolt";
import { z } from "zod";
import { ids } from "../../lib/ids.js";
import { addLeadModal } from "../../views/lead-modals.js";
import type { ListenerBase } from "../shared/base.js";
import { buttonOf } from "../shared/payloads.js";
import { tellFailure } from "../shared/reply.js";
import type { Origin } from "../shared/targets.js";
import { workspaceOf } from "../shared/workspace.js";

/** "Add as lead" carries what is known about the caller (their number, a name) to prefill the form. */
const prefillValue = z.object({
  name: z.string().max(200).optional(),
  phone: z.string().max(40).optional(),
  source: z.string().max(200).optional(),
});

function prefillOf(body: BlockAction): { name?: string; phone?: string; source?: string } {
  try {
    const parsed = prefillValue.safeParse(JSON.parse(buttonOf(body).value ?? "{}"));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Add lead (and Add as lead on an unknown caller): opens the form; a failure is told, never silent. */
export function registerLeadAddOpen(app: App, deps: ListenerBase): void {
  app.action<BlockAction>(ids.lead.addAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    try {
      await (await deps.slackFor(ws)).openView(
        body.trigger_id,
        addLeadModal(prefillOf(body), JSON.stringify({ channel: body.channel?.id } satisfies Origin)),
      );
    } catch (error) {
      await tellFailure(deps, ws, body, error, "opening the Add lead form");
    }
  });
}
