import type { EventBus } from "../lib/events.js";
import type { Logger } from "../lib/log.js";
import type { QueueCardState } from "../services/queues/queue-card-data.js";
import type { SlackMessenger } from "../services/slack/messenger.js";
import { queueCard } from "../views/queue-card.js";

/**
 * The queue card: one message per run in the agent's direct messages with Leadline, re-drawn from the
 * database whenever the run changes (queue.changed) or its lead's call moves (call.moved), and edited in
 * place. Draws of one run are chained in this process, so the card is posted once and edits land in order.
 */
export function createQueueCards(deps: {
  cardData(runId: number): Promise<QueueCardState | undefined>;
  runOfCall(callId: number): Promise<number | undefined>;
  saveCard(runId: number, channel: string, ts: string): Promise<void>;
  slackFor(ws: number): Promise<SlackMessenger>;
  log: Logger;
}) {
  const chains = new Map<number, Promise<void>>();

  const draw = async (ws: number, runId: number) => {
    const state = await deps.cardData(runId);
    if (!state) return;
    const message = queueCard(state);
    const slack = await deps.slackFor(ws);
    if (state.run.channel && state.run.cardTs) return slack.update(state.run.channel, state.run.cardTs, message);
    const channel = await slack.directChannel(state.run.agentId);
    const posted = await slack.postToChannel({ channel }, message);
    if (posted.channel && posted.ts) await deps.saveCard(runId, posted.channel, posted.ts);
  };

  const redraw = (ws: number, runId: number) => {
    const next = (chains.get(runId) ?? Promise.resolve())
      .then(() => draw(ws, runId))
      .catch((error: unknown) => deps.log.warn({ err: error, runId }, "could not draw the queue card"));
    chains.set(runId, next);
    void next.then(() => {
      if (chains.get(runId) === next) chains.delete(runId);
    });
    return next;
  };

  return {
    redraw,
    subscribe(events: EventBus) {
      events.on("queue.changed", ({ ws, runId }) => redraw(ws, runId));
      events.on("call.moved", async ({ ws, callId }) => {
        const runId = await deps.runOfCall(callId);
        if (runId !== undefined) await redraw(ws, runId);
      });
    },
  };
}
