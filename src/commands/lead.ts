import type { App } from "@slack/bolt";
import type { Deps } from "../deps.js";
import { cardOptions } from "../interactions/card-options.js";
import { isExpected } from "../lib/errors.js";
import { mrkdwnSection } from "../views/common.js";
import { errorMessage } from "../views/errors.js";
import { leadCard } from "../views/lead-card.js";
import { addLeadModal, noMatch, searchResults } from "../views/lead-modals.js";

// Angle brackets are escaped: Slack reads a raw <…> as a link, even inside `code`.
const HELP =
  "*/lead* — `/lead add` adds a lead in a form. `/lead &lt;name, phone, last 4 digits, email, source or #id&gt;` finds leads, e.g. `/lead jane`, `/lead (212) 555-0100`, `/lead 0100`, `/lead zillow`, `/lead #12`.";

export function registerLeadCommand(app: App, deps: Deps): void {
  app.command("/lead", async ({ command, ack, respond }) => {
    const text = command.text.trim();
    try {
      if (/^add\b/i.test(text)) {
        await ack();
        await deps.slack.openView(
          command.trigger_id,
          addLeadModal({ name: text.slice(3).trim() || undefined }, JSON.stringify({ channel: command.channel_id })),
        );
        return;
      }
      if (text === "" || text.toLowerCase() === "help") {
        const recent = await deps.leads.recent(3);
        const options = await cardOptions(deps);
        await ack({
          response_type: "ephemeral",
          text: "How to use /lead",
          blocks: [mrkdwnSection(HELP), ...recent.flatMap((lead) => leadCard(lead, options))],
        });
        return;
      }
      const found = await deps.leads.search(text);
      if (found.leads.length === 0) {
        await ack({ response_type: "ephemeral", ...noMatch(text, found.phone) });
        return;
      }
      await ack({
        response_type: "ephemeral",
        ...searchResults(text, found.leads, found.total, await cardOptions(deps)),
      });
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "/lead failed");
      await ack().catch(() => {});
      await respond({ response_type: "ephemeral", ...errorMessage(error, { now: deps.clock() }) });
    }
  });
}
