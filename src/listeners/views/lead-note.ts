import type { App } from "@slack/bolt";
import { isExpected } from "../../lib/errors.js";
import { ids, leadFields } from "../../lib/ids.js";
import type { LeadCards } from "../../presenters/lead-cards.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import { fieldError } from "../../views/errors.js";
import { leadSavedModal, noteSavedText } from "../../views/lead-modals.js";
import type { ListenerBase } from "../shared/base.js";
import { leadFormMeta, readMetadata } from "../shared/payloads.js";
import { inputValue } from "../shared/view-state.js";
import { workspaceOf } from "../shared/workspace.js";

export interface LeadNoteDeps extends ListenerBase {
  leads: Pick<LeadService, "addNote" | "get">;
  leadCards: Pick<LeadCards, "refresh">;
}

/** Add note submitted: the note on the lead; the form turns into the confirmation and the card is redrawn. */
export function registerLeadNoteSubmit(app: App, deps: LeadNoteDeps): void {
  app.view(ids.lead.noteCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    let leadId: number;
    let meta: ReturnType<typeof readMetadata<typeof leadFormMeta>>;
    try {
      meta = readMetadata(leadFormMeta, view.private_metadata);
      leadId = meta.leadId;
      await deps.leads.addNote(ws, leadId, body.user.id, inputValue(view.state, leadFields.note) ?? "");
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "saving a note failed");
      await ack({ response_action: "errors", errors: { [leadFields.note]: fieldError(error) } });
      return;
    }
    const lead = await deps.leads.get(ws, leadId);
    const confirmation = noteSavedText(lead?.name);
    await ack({ response_action: "update", view: leadSavedModal(confirmation) });
    // The modal already said it: the redrawn card does not say it again.
    deps.tasks.run(() => deps.leadCards.refresh(ws, body.user.id, meta, leadId, confirmation));
  });
}
