import type { App } from "@slack/bolt";
import { isExpected } from "../../lib/errors.js";
import { ids } from "../../lib/ids.js";
import type { LeadIntake } from "../../services/leads/lead-intake.js";
import { leadFormErrors } from "../../views/lead-form-errors.js";
import type { ListenerBase } from "../shared/base.js";
import { leadFormConsent, leadFormValues } from "../shared/lead-form.js";
import { addLeadMeta, readMetadata } from "../shared/payloads.js";
import { workspaceOf } from "../shared/workspace.js";

export interface LeadAddDeps extends Pick<ListenerBase, "log"> {
  leadIntake: LeadIntake;
}

/** Add lead submitted: the shared intake checks everything first; the card is posted by the lead.created presenter. */
export function registerLeadAddSubmit(app: App, deps: LeadAddDeps): void {
  app.view(ids.lead.addCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    try {
      const from = readMetadata(addLeadMeta, view.private_metadata);
      await deps.leadIntake.intake(
        ws,
        { ...leadFormValues(view.state), ownerSlackId: body.user.id, consent: leadFormConsent(view.state) },
        {
          origin: { kind: "slack", userId: body.user.id, channel: from.channel },
          author: body.user.id,
          ifExists: "refuse",
        },
      );
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "adding a lead failed");
      await ack({ response_action: "errors", errors: leadFormErrors(error) });
      return;
    }
    await ack();
  });
}
