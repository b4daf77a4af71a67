import type { App } from "@slack/bolt";
import type { Deps } from "../deps.js";
import { cardOptions } from "../interactions/card-options.js";
import { isExpected } from "../lib/errors.js";
import type { CallMode } from "../services/calls/modes.js";
import { agentSettingsModal, callCard, callHelp, missingSettingsNotice } from "../views/call-card.js";
import { errorMessage } from "../views/errors.js";
import { noMatch, searchResults } from "../views/lead-modals.js";

const MODES: Record<string, CallMode> = { simple: "simple", outbound: "simple", bridge: "bridge", browser: "browser" };

/** "jane doe bridge" → { query: "jane doe", mode: "bridge" }; the mode is an optional last word. */
export function parseCallLeadText(text: string): { query: string; mode?: CallMode } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const last = words.at(-1)?.toLowerCase();
  if (words.length > 1 && last && MODES[last]) return { query: words.slice(0, -1).join(" "), mode: MODES[last] };
  return { query: words.join(" ") };
}

export function registerCallLeadCommand(app: App, deps: Deps): void {
  app.command("/call-lead", async ({ command, ack, respond }) => {
    const text = command.text.trim();
    try {
      if (text.toLowerCase() === "settings") {
        await ack();
        await deps.slack.openView(
          command.trigger_id,
          agentSettingsModal(
            await deps.calls.agentPhone(command.user_id),
            JSON.stringify({ channel: command.channel_id }),
          ),
        );
        return;
      }
      if (text === "" || text.toLowerCase() === "help") {
        await ack({ response_type: "ephemeral", ...callHelp(await deps.leads.recent(5), await cardOptions(deps)) });
        return;
      }
      const { query, mode } = parseCallLeadText(text);
      const found = await deps.leads.search(query);
      if (found.leads.length === 0) {
        const reply = noMatch(query, found.phone);
        if (found.phone) reply.text = `No lead has ${found.phone}. Add it as a lead to call it.`;
        await ack({ response_type: "ephemeral", ...reply });
        return;
      }
      const options = await cardOptions(deps, { firstMode: mode });
      const missing = await deps.calls.missingFor(mode ?? "simple", command.user_id);
      const notice = missing.length > 0 ? missingSettingsNotice(missing) : undefined;
      if (found.leads.length === 1) {
        await ack({ response_type: "ephemeral", ...callCard(found.leads[0]!, { ...options, notice }) });
        return;
      }
      const results = searchResults(query, found.leads, found.total, options);
      await ack({
        response_type: "ephemeral",
        text: results.text,
        blocks: notice
          ? [{ type: "section", text: { type: "mrkdwn", text: notice } }, ...results.blocks].slice(0, 50)
          : results.blocks,
      });
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "/call-lead failed");
      await ack().catch(() => {});
      await respond({ response_type: "ephemeral", ...errorMessage(error, { now: deps.clock() }) });
    }
  });
}
