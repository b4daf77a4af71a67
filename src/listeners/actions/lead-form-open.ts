import type { App, BlockAction } from "@slack/bolt";
import { UserError } from "../../lib/errors.js";
import { ids } from "../../lib/ids.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import { addressModal, editLeadModal, noteModal, phoneModal } from "../../views/lead-modals.js";
import type { ListenerBase } from "../shared/base.js";
import { leadIdOf } from "../shared/payloads.js";
import { tellFailure } from "../shared/reply.js";
import { originOf } from "../shared/targets.js";
import { workspaceOf } from "../shared/workspace.js";

export interface LeadFormOpenDeps extends ListenerBase {
  leads: Pick<LeadService, "get">;
}

const FORMS = [
  [ids.lead.noteAction, noteModal],
  [ids.lead.phoneAction, phoneModal],
  [ids.lead.addressAction, addressModal],
  [ids.lead.editAction, editLeadModal],
] as const;

/** Add note, Add phone, Add ZIP or state and Edit open a form about the lead as it is now, not as the card shows it. */
export function registerLeadFormOpen(app: App, deps: LeadFormOpenDeps): void {
  for (const [actionId, modal] of FORMS) {
    app.action<BlockAction>(actionId, async ({ ack, body, context }) => {
      await ack();
      const ws = workspaceOf(context);
      try {
        const leadId = leadIdOf(body);
        const lead = await deps.leads.get(ws, leadId);
        if (!lead) throw new UserError("That lead no longer exists.", { code: "lead_missing" });
        const meta = { ...originOf(body, leadId), leadId, shownPhone: lead.phone };
        await (await deps.slackFor(ws)).openView(body.trigger_id, modal(lead, JSON.stringify(meta)));
      } catch (error) {
        await tellFailure(deps, ws, body, error, "opening a lead form");
      }
    });
  }
}
