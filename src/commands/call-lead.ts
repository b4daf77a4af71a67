import type { App } from "@slack/bolt";
import type { Deps } from "../deps.js";
import { cardOptions } from "../interactions/card-options.js";
import { workspaceOf } from "../interactions/scope.js";
import { UserError } from "../lib/errors.js";
import { parseScheduleText, SCHEDULE_HELP } from "../lib/when.js";
import type { CallMode } from "../services/calls/modes.js";
import { agentSettingsModal, callCard, callHelp, missingSettingsNotice } from "../views/call-card.js";
import { context as contextBlock, escapeMrkdwn } from "../views/common.js";
import { noLeadToCall, searchResults } from "../views/lead-modals.js";
import { scheduledConfirmation, scheduledList } from "../views/schedule.js";
import { answerCommand } from "./answer.js";

const SEVERAL_TO_SCHEDULE =
  "Several leads match: to schedule, name one exactly, e.g. `/call-lead #12 at 3pm`. Or use **Schedule** on a card below.";

const MODES: Record<string, CallMode> = {
  live: "live",
  message: "message",
  // Release 1's words for a message call still work.
  simple: "message",
  outbound: "message",
  bridge: "bridge",
  browser: "browser",
};

/** "jane doe bridge" → { query: "jane doe", mode: "bridge" }; the mode is an optional last word. */
export function parseCallLeadText(text: string): { query: string; mode?: CallMode } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const last = words.at(-1)?.toLowerCase();
  if (words.length > 1 && last && MODES[last]) return { query: words.slice(0, -1).join(" "), mode: MODES[last] };
  return { query: words.join(" ") };
}

export function registerCallLeadCommand(app: App, deps: Deps): void {
  app.command("/call-lead", async ({ command, ack, respond, context }) => {
    const text = command.text.trim();
    const ws = workspaceOf(context);
    if (text.toLowerCase() === "settings") {
      await ack();
      await (await deps.slackFor(ws)).openView(
        command.trigger_id,
        agentSettingsModal(
          await deps.calls.agentPhone(ws, command.user_id),
          JSON.stringify({ channel: command.channel_id }),
        ),
      );
      return;
    }
    await answerCommand(deps, { ack, respond, command }, async () => {
      if (text.toLowerCase() === "scheduled") {
        const zone = await deps.agentZone(ws, command.user_id);
        return scheduledList(await deps.scheduler.upcoming(ws, command.user_id, 20), {
          agentZone: zone,
          now: deps.clock.now(),
        });
      }
      // "jane at 3pm", "#12 tomorrow 10am", "(212) 555-0182 in 2h": a live call booked for later.
      if (text !== "" && parseScheduleText(text, deps.clock.callingNow(), "UTC").kind !== "none") {
        const zone = await deps.agentZone(ws, command.user_id);
        const parsed = parseScheduleText(text, deps.clock.callingNow(), zone);
        if (parsed.kind === "error") throw new UserError(`${parsed.message}\n${SCHEDULE_HELP}`);
        if (parsed.kind === "schedule") {
          const found = await deps.leads.search(ws, parsed.value.query);
          if (found.leads.length === 0) return noLeadToCall(parsed.value.query, found.phone);
          if (found.leads.length > 1) {
            const options = await cardOptions(deps, ws, found.leads);
            return searchResults(parsed.value.query, found.leads, found.total, options, SEVERAL_TO_SCHEDULE);
          }
          const result = await deps.scheduler.book({
            ws,
            leadId: found.leads[0]!.id,
            agentId: command.user_id,
            channel: command.channel_id,
            at: parsed.value.at,
            bookedBy: command.user_id,
          });
          const message = scheduledConfirmation(result, { agentZone: zone, now: deps.clock.callingNow() });
          const reading = `Read "${parsed.value.reading}"${parsed.value.adjusted ? `; ${parsed.value.adjusted}` : ""}.`;
          return { text: message.text, blocks: [...message.blocks, contextBlock(escapeMrkdwn(reading))] };
        }
      }
      if (text === "" || text.toLowerCase() === "help") {
        const recent = await deps.leads.recent(ws, 5);
        return callHelp(recent, await cardOptions(deps, ws, recent));
      }
      const { query, mode } = parseCallLeadText(text);
      const found = await deps.leads.search(ws, query);
      if (found.leads.length === 0) return noLeadToCall(query, found.phone);
      // The card shows the calling-law verdict for the mode asked for (a live call by default) before anyone clicks.
      const options = await cardOptions(deps, ws, found.leads, { firstMode: mode, verdictFor: mode ?? "live" });
      const missing = await deps.calls.missingFor(ws, mode ?? "live", command.user_id);
      const notice = missing.length > 0 ? missingSettingsNotice(missing) : undefined;
      if (found.leads.length === 1) return callCard(found.leads[0]!, { ...options, notice });
      return searchResults(query, found.leads, found.total, options, notice);
    });
  });
}
