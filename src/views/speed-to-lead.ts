import type { KnownBlock } from "@slack/types";
import { ids } from "../lib/ids.js";
import { ago } from "../lib/time.js";
import type { SpeedState } from "../services/queues/speed-to-lead.js";
import { context, escapeTruncate, mrkdwnSection, plain } from "./common.js";

/** Speed to lead's message under a new lead: who it is, how long it has waited, Claim; then who claimed it. */
export function speedMessage(state: SpeedState, now: Date): { text: string; blocks: KnownBlock[] } {
  const view = {
    ...state.row,
    name: state.lead.name,
    source: state.lead.source,
    limitMin: state.limitMin,
    queues: state.queues,
  };
  const who = `*${escapeTruncate(view.name, 150)}* (lead #${view.leadId}${view.source ? `, ${escapeTruncate(view.source, 80)}` : ""})`;
  if (view.claimedBy && view.claimedAt) {
    const line = `:white_check_mark: Speed to lead: ${who} claimed by <@${view.claimedBy}> after ${ago(view.arrivedAt, view.claimedAt)}.`;
    return { text: "Speed to lead: claimed", blocks: [mrkdwnSection(line)] };
  }
  const blocks: KnownBlock[] = [];
  if (view.escalatedAt) {
    const where = view.queues?.length
      ? `it is now first in ${view.queues.map((name) => `*${escapeTruncate(name, 60)}*`).join(", ")}`
      : "no queue matches it";
    blocks.push(
      mrkdwnSection(
        `:rotating_light: Speed to lead: nobody claimed ${who} within ${view.limitMin} min; ${where}. Claim it to call now.`,
      ),
    );
  } else {
    blocks.push(
      mrkdwnSection(
        `:stopwatch: Speed to lead: ${who} has waited ${ago(view.arrivedAt, now)}. Claim it within ${view.limitMin} min of arrival.`,
      ),
    );
  }
  blocks.push({
    type: "actions",
    elements: [
      {
        type: "button",
        text: plain("Claim"),
        style: "primary",
        action_id: ids.queue.speedClaimAction,
        value: String(view.leadId),
      },
    ],
  });
  blocks.push(context("The first to claim gets the lead; everyone else is told who has it."));
  return { text: `Speed to lead: ${view.name} is waiting`, blocks };
}
