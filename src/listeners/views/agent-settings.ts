import type { App } from "@slack/bolt";
import { agentFields, ids } from "../../lib/ids.js";
import type { AgentPhones } from "../../services/calls/agent-phones.js";
import { agentSettingsSaved } from "../../views/call-card.js";
import { fieldError } from "../../views/errors.js";
import { inputValue } from "../shared/view-state.js";
import { workspaceOf } from "../shared/workspace.js";

export interface AgentSettingsDeps {
  agentPhones: Pick<AgentPhones, "set">;
}

/** /call-lead settings submitted: the agent's own phone (the one a live call rings first). */
export function registerAgentSettingsSubmit(app: App, deps: AgentSettingsDeps): void {
  app.view(ids.call.settingsCallbackId, async ({ ack, body, view, context }) => {
    let phone: string | undefined;
    try {
      phone = await deps.agentPhones.set(
        workspaceOf(context),
        body.user.id,
        inputValue(view.state, agentFields.phone) ?? "",
      );
    } catch (error) {
      await ack({ response_action: "errors", errors: { [agentFields.phone]: fieldError(error) } });
      return;
    }
    // The modal turns into the confirmation: the agent sees the number that was saved.
    await ack({ response_action: "update", view: agentSettingsSaved(phone) });
  });
}
