import type { App } from "@slack/bolt";
import { isExpected } from "../../lib/errors.js";
import { ids, leadFields } from "../../lib/ids.js";
import type { LeadCards } from "../../presenters/lead-cards.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import { leadFormErrors } from "../../views/lead-form-errors.js";
import { leadSavedModal, phoneSavedText } from "../../views/lead-modals.js";
import type { ListenerBase } from "../shared/base.js";
import { leadFormMeta, readMetadata } from "../shared/payloads.js";
import { inputValue } from "../shared/view-state.js";
import { workspaceOf } from "../shared/workspace.js";

export interface LeadPhoneDeps extends ListenerBase {
  leads: Pick<LeadService, "setPhone">;
  leadCards: Pick<LeadCards, "refresh">;
}

/** Add phone submitted: only over the number the form showed; a number another lead has is refused, naming it. */
export function registerLeadPhoneSubmit(app: App, deps: LeadPhoneDeps): void {
  app.view(ids.lead.phoneCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    let meta: ReturnType<typeof readMetadata<typeof leadFormMeta>>;
    let saved: Awaited<ReturnType<LeadService["setPhone"]>>;
    try {
      meta = readMetadata(leadFormMeta, view.private_metadata);
      saved = await deps.leads.setPhone(
        ws,
        meta.leadId,
        inputValue(view.state, leadFields.phone) ?? "",
        body.user.id,
        meta.shownPhone ?? null,
      );
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "saving a phone failed");
      await ack({
        response_action: "errors",
        errors: { [leadFields.phone]: Object.values(leadFormErrors(error))[0]! },
      });
      return;
    }
    const confirmation = phoneSavedText(saved.lead, saved.previous);
    await ack({ response_action: "update", view: leadSavedModal(confirmation) });
    deps.tasks.run(() => deps.leadCards.refresh(ws, body.user.id, meta, meta.leadId, confirmation));
  });
}
