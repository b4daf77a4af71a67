import type { App } from "@slack/bolt";
import { UserError } from "../../lib/errors.js";
import { parseScheduleText, SCHEDULE_HELP } from "../../lib/when.js";
import type { AgentPhones } from "../../services/calls/agent-phones.js";
import type { CallContexts } from "../../services/calls/call-context.js";
import type { CallMode } from "../../services/calls/modes.js";
import type { CallReadiness } from "../../services/calls/readiness.js";
import type { CardFactsService } from "../../services/leads/card-facts.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import type { Scheduler } from "../../services/scheduling/scheduler.js";
import { zoneOf } from "../../services/slack/people.js";
import { agentSettingsModal, callCard, callHelp, missingSettingsNotice } from "../../views/call-card.js";
import { context as contextBlock, escapeMrkdwn } from "../../views/common.js";
import { cardOptions } from "../../views/lead-card.js";
import { noLeadToCall, searchResults } from "../../views/lead-modals.js";
import { SEVERAL_TO_SCHEDULE, scheduledConfirmation, scheduledList } from "../../views/schedule.js";
import { answerCommand } from "../shared/answer.js";
import type { ListenerBase } from "../shared/base.js";
import { workspaceOf } from "../shared/workspace.js";

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

export interface CallLeadDeps extends ListenerBase {
  leads: Pick<LeadService, "search" | "recent">;
  cardFacts: CardFactsService;
  contexts: CallContexts;
  readiness: Pick<CallReadiness, "missingFor">;
  agentPhones: Pick<AgentPhones, "own">;
  scheduler: Pick<Scheduler, "upcoming" | "book">;
}

export function registerCallLeadCommand(app: App, deps: CallLeadDeps): void {
  /** "jane at 3pm", "#12 tomorrow 10am", "(212) 555-0182 in 2h": a live call booked for later. */
  const schedule = async (ws: number, text: string, userId: string, channel: string) => {
    const zone = await zoneOf(await deps.slackFor(ws), userId);
    const parsed = parseScheduleText(text, deps.clock.callingNow(), zone);
    if (parsed.kind === "error") throw new UserError(`${parsed.message}\n${SCHEDULE_HELP}`);
    if (parsed.kind !== "schedule") return undefined;
    const found = await deps.leads.search(ws, parsed.value.query);
    if (found.leads.length === 0) return noLeadToCall(parsed.value.query, found.phone);
    if (found.leads.length > 1) {
      const options = cardOptions(await deps.cardFacts.forLeads(ws, found.leads));
      return searchResults(parsed.value.query, found.leads, found.total, options, SEVERAL_TO_SCHEDULE);
    }
    const result = await deps.scheduler.book({
      ws,
      leadId: found.leads[0]!.id,
      agentId: userId,
      channel,
      at: parsed.value.at,
      bookedBy: userId,
    });
    const message = scheduledConfirmation(result, { agentZone: zone, now: deps.clock.callingNow() });
    const reading = `Read "${parsed.value.reading}"${parsed.value.adjusted ? `; ${parsed.value.adjusted}` : ""}.`;
    return { text: message.text, blocks: [...message.blocks, contextBlock(escapeMrkdwn(reading))] };
  };

  /** The cards for a search, each with the calling-law verdict for the mode asked for (a live call by default). */
  const cards = async (ws: number, text: string, userId: string) => {
    const { query, mode } = parseCallLeadText(text);
    const found = await deps.leads.search(ws, query);
    if (found.leads.length === 0) return noLeadToCall(query, found.phone);
    // The settings and the agent's phone, read once for the cards' verdicts and what the mode still lacks.
    const context = await deps.contexts.read(ws, userId);
    const facts = await deps.cardFacts.forLeads(ws, found.leads, mode ?? "live", context.settings);
    const options = cardOptions(facts, { firstMode: mode });
    const missing = await deps.readiness.missingFor(ws, mode ?? "live", userId, context);
    const notice = missing.length > 0 ? missingSettingsNotice(missing) : undefined;
    if (found.leads.length === 1) return callCard(found.leads[0]!, { ...options, notice });
    return searchResults(query, found.leads, found.total, options, notice);
  };

  app.command("/call-lead", async ({ command, ack, respond, context }) => {
    const text = command.text.trim();
    const ws = workspaceOf(context);
    if (text.toLowerCase() === "settings") {
      await ack();
      await (await deps.slackFor(ws)).openView(
        command.trigger_id,
        agentSettingsModal(
          await deps.agentPhones.own(ws, command.user_id),
          JSON.stringify({ channel: command.channel_id }),
        ),
      );
      return;
    }
    await answerCommand(deps, { ack, respond, command }, async () => {
      if (text.toLowerCase() === "scheduled") {
        const zone = await zoneOf(await deps.slackFor(ws), command.user_id);
        return scheduledList(await deps.scheduler.upcoming(ws, command.user_id, 20), {
          agentZone: zone,
          now: deps.clock.now(),
        });
      }
      if (text !== "" && parseScheduleText(text, deps.clock.callingNow(), "UTC").kind !== "none") {
        const booked = await schedule(ws, text, command.user_id, command.channel_id);
        if (booked) return booked;
      }
      if (text === "" || text.toLowerCase() === "help") {
        const recent = await deps.leads.recent(ws, 5);
        return callHelp(recent, cardOptions(await deps.cardFacts.forLeads(ws, recent)));
      }
      return cards(ws, text, command.user_id);
    });
  });
}
