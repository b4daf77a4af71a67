import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { userMessage } from "../lib/errors.js";
import { ids, leadFields } from "../lib/ids.js";
import type { Deps } from "../services/index.js";
import { DuplicateLeadError, type LeadFieldErrors, LeadValidationError } from "../services/leads/lead-service.js";
import { leadCard, leadCardText } from "../views/lead-card.js";
import { addLeadModal, noteModal, phoneModal } from "../views/lead-modals.js";
import { cardOptions } from "./card-options.js";
import { inputValue, readMetadata } from "./view-state.js";

const toBlockErrors = (errors: LeadFieldErrors) =>
  Object.fromEntries(
    Object.entries(errors).map(([field, message]) => [leadFields[field as keyof typeof leadFields], message]),
  );

export function registerLeadInteractions(app: App, deps: Deps): void {
  const leadFromButton = async (body: BlockAction) => {
    const action = body.actions[0] as ButtonAction;
    return deps.leads.get(Number(action.value));
  };

  app.action<BlockAction>(ids.lead.addAction, async ({ ack, body, client }) => {
    await ack();
    const action = body.actions[0] as ButtonAction;
    const prefill = readMetadata(action.value ?? "{}") as { name?: string; phone?: string };
    await client.views.open({
      trigger_id: body.trigger_id,
      view: addLeadModal({ name: prefill.name, phone: prefill.phone }, JSON.stringify({ channel: body.channel?.id })),
    });
  });

  app.view(ids.lead.addCallbackId, async ({ ack, body, view }) => {
    const value = (field: keyof typeof leadFields) => inputValue(view.state, leadFields[field]);
    try {
      const lead = await deps.leads.create({
        name: value("name") ?? "",
        phone: value("phone"),
        email: value("email"),
        source: value("source"),
        note: value("note"),
        ownerSlackId: body.user.id,
        author: body.user.id,
      });
      await ack();
      const channel = readMetadata(view.private_metadata).channel;
      const full = await deps.leads.get(lead.id);
      if (!full) return;
      const message = {
        text: `New lead: ${leadCardText(full)}`,
        blocks: leadCard(full, await cardOptions(deps, { banner: `New lead added by ${body.user.name}` })),
      };
      if (typeof channel === "string") {
        try {
          await deps.messenger.postToChannel({ channel }, message);
          return;
        } catch (error) {
          deps.log.info({ err: error }, "could not post the new lead to the channel; telling the user");
        }
      }
      await deps.messenger.tell(body.user.id, { channel: typeof channel === "string" ? channel : undefined }, message);
    } catch (error) {
      if (error instanceof LeadValidationError) {
        await ack({ response_action: "errors", errors: toBlockErrors(error.errors) });
      } else if (error instanceof DuplicateLeadError) {
        await ack({
          response_action: "errors",
          errors: {
            [leadFields.phone]: `This number already belongs to ${error.existing.name} (lead #${error.existing.id}). Find it with /lead #${error.existing.id}.`,
          },
        });
      } else {
        deps.log.error({ err: error }, "adding a lead failed");
        await ack({ response_action: "errors", errors: { [leadFields.name]: userMessage(error) } });
      }
    }
  });

  // Add note and Add phone both open a small modal about the lead on the clicked card.
  for (const [actionId, modal] of [
    [ids.lead.noteAction, noteModal],
    [ids.lead.phoneAction, phoneModal],
  ] as const) {
    app.action<BlockAction>(actionId, async ({ ack, body, client, respond }) => {
      await ack();
      const lead = await leadFromButton(body);
      if (!lead) {
        await respond({ response_type: "ephemeral", replace_original: false, text: "That lead no longer exists." });
        return;
      }
      await client.views.open({ trigger_id: body.trigger_id, view: modal(lead) });
    });
  }

  app.view(ids.lead.noteCallbackId, async ({ ack, body, view }) => {
    const leadId = Number(readMetadata(view.private_metadata).leadId);
    try {
      await deps.leads.addNote(leadId, body.user.name || body.user.id, inputValue(view.state, leadFields.note) ?? "");
      await ack();
    } catch (error) {
      await ack({ response_action: "errors", errors: { [leadFields.note]: userMessage(error) } });
    }
  });

  app.view(ids.lead.phoneCallbackId, async ({ ack, body, view }) => {
    const leadId = Number(readMetadata(view.private_metadata).leadId);
    try {
      await deps.leads.setPhone(leadId, inputValue(view.state, leadFields.phone) ?? "", body.user.name || body.user.id);
      await ack();
    } catch (error) {
      const message =
        error instanceof DuplicateLeadError
          ? `This number already belongs to ${error.existing.name} (lead #${error.existing.id}).`
          : userMessage(error);
      await ack({ response_action: "errors", errors: { [leadFields.phone]: message } });
    }
  });
}
