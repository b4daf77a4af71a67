import type { App } from "@slack/bolt";
import type { Deps } from "../deps.js";
import { cardOptions } from "../interactions/card-options.js";
import { workspaceOf } from "../interactions/scope.js";
import { mrkdwnSection } from "../views/common.js";
import { leadCard } from "../views/lead-card.js";
import { addLeadModal, noMatch, searchResults } from "../views/lead-modals.js";
import { answerCommand } from "./answer.js";

// Angle brackets are escaped: Slack reads a raw <…> as a link, even inside `code`.
const HELP =
  "*/lead* — `/lead add` adds a lead in a form. `/lead &lt;name, phone, last 4 digits, email, source or #id&gt;` finds leads, e.g. `/lead jane`, `/lead (212) 555-0100`, `/lead 0100`, `/lead zillow`, `/lead #12`.";

export function registerLeadCommand(app: App, deps: Deps): void {
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
    await answerCommand(deps, { ack, respond, command }, async () => {
      if (text === "" || text.toLowerCase() === "help") {
        const recent = await deps.leads.recent(ws, 3);
        const options = await cardOptions(deps, ws, recent);
        return {
          text: "How to use /lead",
          blocks: [mrkdwnSection(HELP), ...recent.flatMap((lead) => leadCard(lead, options))],
        };
      }
      const found = await deps.leads.search(ws, text);
      if (found.leads.length === 0) return noMatch(text, found.phone);
      return searchResults(text, found.leads, found.total, await cardOptions(deps, ws, found.leads));
    });
  });
}
