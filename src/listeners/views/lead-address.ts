import type { App } from "@slack/bolt";
import { isExpected } from "../../lib/errors.js";
import { ids, leadFields } from "../../lib/ids.js";
import type { LeadCards } from "../../presenters/lead-cards.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import { leadFormErrors } from "../../views/lead-form-errors.js";
import { addressSavedText, leadSavedModal } from "../../views/lead-modals.js";
import type { ListenerBase } from "../shared/base.js";
import { leadFormMeta, readMetadata } from "../shared/payloads.js";
import { inputValue } from "../shared/view-state.js";
import { workspaceOf } from "../shared/workspace.js";

export interface LeadAddressDeps extends ListenerBase {
  leads: Pick<LeadService, "setAddress">;
  leadCards: Pick<LeadCards, "refresh">;
}

/** Add ZIP or state submitted (from a compliance card): the lead's address decides its time zone. */
export function registerLeadAddressSubmit(app: App, deps: LeadAddressDeps): void {
  app.view(ids.lead.addressCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    let meta: ReturnType<typeof readMetadata<typeof leadFormMeta>>;
    let saved: Awaited<ReturnType<LeadService["setAddress"]>>;
    try {
      meta = readMetadata(leadFormMeta, view.private_metadata);
      saved = await deps.leads.setAddress(
        ws,
        meta.leadId,
        { state: inputValue(view.state, leadFields.state), zip: inputValue(view.state, leadFields.zip) },
        body.user.id,
      );
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "saving an address failed");
      const errors = leadFormErrors(error);
      // An error not about a field of this form goes under the state, the form's first input.
      const own = errors[leadFields.state] ?? errors[leadFields.zip];
      await ack({
        response_action: "errors",
        errors: own ? errors : { [leadFields.state]: Object.values(errors)[0]! },
      });
      return;
    }
    const confirmation = addressSavedText(saved);
    await ack({ response_action: "update", view: leadSavedModal(confirmation) });
    deps.tasks.run(() => deps.leadCards.refresh(ws, body.user.id, meta, meta.leadId, confirmation));
  });
}
