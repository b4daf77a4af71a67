import type { App, BlockAction } from "@slack/bolt";
import { ids } from "../../lib/ids.js";
import type { CrmSetup } from "../../services/crm/crm-setup.js";
import { crmRetriedStatus } from "../../views/crm-setup.js";
import { errorMessage } from "../../views/errors.js";
import type { ListenerBase } from "../shared/base.js";
import { workspaceOf } from "../shared/workspace.js";

export interface CrmRetryDeps extends ListenerBase {
  crmSetup: Pick<CrmSetup, "retry" | "status">;
}

/** "Retry" on /crm-setup status (admins): failed rows are sent again; the status is redrawn. */
export function registerCrmRetry(app: App, deps: CrmRetryDeps): void {
  app.action<BlockAction>(ids.crm.retryAction, async ({ ack, body, respond, context }) => {
    await ack();
    const ws = workspaceOf(context);
    try {
      const count = await deps.crmSetup.retry(ws, body.user.id);
      const status = await deps.crmSetup.status(ws, body.user.id);
      await respond({
        response_type: "ephemeral",
        replace_original: true,
        ...crmRetriedStatus(count, status, deps.clock.now()),
      });
    } catch (error) {
      await respond({
        response_type: "ephemeral",
        replace_original: false,
        ...errorMessage(error, { now: deps.clock.now() }),
      });
    }
  });
}
