import type { App } from "@slack/bolt";
import type { CardFactsService } from "../../services/leads/card-facts.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import type { AdminGate } from "../../services/setup/admin-gate.js";
import { mrkdwnSection } from "../../views/common.js";
import { errorMessage } from "../../views/errors.js";
import { cardOptions, leadCard } from "../../views/lead-card.js";
import { leadImportModal } from "../../views/lead-import.js";
import { addLeadModal, LEAD_HELP, noMatch, searchResults } from "../../views/lead-modals.js";
import { answerCommand } from "../shared/answer.js";
import type { ListenerBase } from "../shared/base.js";
import { workspaceOf } from "../shared/workspace.js";

export interface LeadCommandDeps extends ListenerBase {
  leads: Pick<LeadService, "search" | "recent">;
  cardFacts: CardFactsService;
  admins: Pick<AdminGate, "require">;
}

export function registerLeadCommand(app: App, deps: LeadCommandDeps): void {
  app.command("/lead", async ({ command, ack, respond, context }) => {
    const text = command.text.trim();
    const ws = workspaceOf(context);
    if (/^add\b/i.test(text)) {
      await ack();
      await (await deps.slackFor(ws)).openView(
        command.trigger_id,
        addLeadModal({ name: text.slice(3).trim() || undefined }, JSON.stringify({ channel: command.channel_id })),
      );
      return;
    }
    if (/^import$/i.test(text)) {
      try {
        await deps.admins.require(ws, command.user_id, "lead_import", { at: "open" });
      } catch (error) {
        await ack({ response_type: "ephemeral", ...errorMessage(error, { now: deps.clock.now() }) });
        return;
      }
      await ack();
      await (await deps.slackFor(ws)).openView(
        command.trigger_id,
        leadImportModal(JSON.stringify({ channel: command.channel_id })),
      );
      return;
    }
    await answerCommand(deps, { ack, respond, command }, async () => {
      if (text === "" || text.toLowerCase() === "help") {
        const recent = await deps.leads.recent(ws, 3);
        const options = cardOptions(await deps.cardFacts.forLeads(ws, recent));
        return {
          text: "How to use /lead",
          blocks: [mrkdwnSection(LEAD_HELP), ...recent.flatMap((lead) => leadCard(lead, options))],
        };
      }
      const found = await deps.leads.search(ws, text);
      if (found.leads.length === 0) return noMatch(text, found.phone);
      return searchResults(text, found.leads, found.total, cardOptions(await deps.cardFacts.forLeads(ws, found.leads)));
    });
  });
}
