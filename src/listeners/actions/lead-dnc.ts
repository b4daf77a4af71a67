import type { App, BlockAction } from "@slack/bolt";
import { UserError } from "../../lib/errors.js";
import { ids } from "../../lib/ids.js";
import type { LeadCards } from "../../presenters/lead-cards.js";
import type { DncService } from "../../services/compliance/dnc-service.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import { dncAdded } from "../../views/dnc.js";
import type { ListenerBase } from "../shared/base.js";
import { leadIdOf } from "../shared/payloads.js";
import { afterAck } from "../shared/reply.js";
import { originOf } from "../shared/targets.js";
import { workspaceOf } from "../shared/workspace.js";

export interface LeadDncDeps extends ListenerBase {
  leads: Pick<LeadService, "get">;
  dnc: Pick<DncService, "add">;
  leadCards: Pick<LeadCards, "refresh">;
}

/** "Do not call" on a card: the lead's number goes on the list (after Slack's confirm), the card says so. */
export function registerLeadDnc(app: App, deps: LeadDncDeps): void {
  app.action<BlockAction>(ids.lead.dncAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    afterAck(deps, ws, body, "listing a number as do-not-call", async () => {
      const leadId = leadIdOf(body);
      const lead = await deps.leads.get(ws, leadId);
      if (!lead) throw new UserError("That lead no longer exists.", { code: "lead_missing" });
      if (!lead.phone) throw new UserError(`${lead.name} has no phone number to list.`);
      const { entry, added } = await deps.dnc.add(
        ws,
        lead.phone,
        "card",
        body.user.id,
        `Do not call on lead #${lead.id}`,
      );
      await deps.leadCards.refresh(
        ws,
        body.user.id,
        originOf(body, leadId),
        leadId,
        dncAdded(lead.phone, entry, added, deps.clock.now()).text,
      );
    });
  });
}
