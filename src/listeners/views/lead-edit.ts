import type { App } from "@slack/bolt";
import type { z } from "zod";
import { isExpected } from "../../lib/errors.js";
import { ids, leadFields } from "../../lib/ids.js";
import type { LeadCards } from "../../presenters/lead-cards.js";
import type { LeadIntake } from "../../services/leads/lead-intake.js";
import { leadFormErrors } from "../../views/lead-form-errors.js";
import { leadEditedText, leadSavedModal } from "../../views/lead-modals.js";
import type { ListenerBase } from "../shared/base.js";
import { leadFormConsent, leadFormValues } from "../shared/lead-form.js";
import { leadFormMeta, readMetadata } from "../shared/payloads.js";
import { selectedUser } from "../shared/view-state.js";
import { workspaceOf } from "../shared/workspace.js";

export interface LeadEditDeps extends ListenerBase {
  leadIntake: Pick<LeadIntake, "edit">;
  leadCards: Pick<LeadCards, "refresh">;
}

/** Edit submitted: the lead as the form shows it now (never a field it did not show), then the card redrawn. */
export function registerLeadEditSubmit(app: App, deps: LeadEditDeps): void {
  app.view(ids.lead.editCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    let meta: z.infer<typeof leadFormMeta>;
    let saved: Awaited<ReturnType<LeadIntake["edit"]>>;
    try {
      meta = readMetadata(leadFormMeta, view.private_metadata);
      const { note: _note, ...values } = leadFormValues(view.state);
      saved = await deps.leadIntake.edit(
        ws,
        meta.leadId,
        { ...values, ownerSlackId: selectedUser(view.state, leadFields.owner), consent: leadFormConsent(view.state) },
        { author: body.user.id, shownPhone: meta.shownPhone ?? null },
      );
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "editing a lead failed");
      await ack({ response_action: "errors", errors: leadFormErrors(error) });
      return;
    }
    const confirmation = leadEditedText(saved.lead.name, saved.changed);
    await ack({ response_action: "update", view: leadSavedModal(confirmation) });
    deps.tasks.run(() => deps.leadCards.refresh(ws, body.user.id, meta, meta.leadId, confirmation));
  });
}
