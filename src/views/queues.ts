import type { CallQueue } from "@prisma/client";
import type { KnownBlock } from "@slack/types";
import { ids } from "../lib/ids.js";
import { formatDuration } from "../lib/time.js";
import { OUTCOMES, type Outcome } from "../services/calls/outcomes.js";
import { parseStoredFilter } from "../services/queues/queue-filter.js";
import type { QueueSummary } from "../services/queues/queue-overview.js";
import type { RunStatus } from "../services/queues/queue-supervise.js";
import { context, escapeTruncate, mrkdwnSection, plain, truncate } from "./common.js";

export const QUEUE_HELP = [
  "*/call-queue* — work a list of leads on one phone line.",
  "• `/call-queue <name>` — start calling a queue: your phone rings once, press a key, then press *Call* on each lead.",
  "• `/call-queue list` — the queues.",
  "• `/call-queue status` — who is working which queue, with Listen, Whisper and Join on a live call (admins).",
  "• `/call-queue new <name> [source=…] [state=FL] [owner=@someone] [outcome=callback] [never-called] [callback-due] [order=callbacks|new|fewest|oldest] [gap=60] [max=6] [removes=do_not_call,wrong_number] [auto=10|off]` — admins.",
  "• `/call-queue edit <name> key=value…` and `/call-queue delete <name>` — admins.",
  "• `/call-queue speed [minutes]` — the speed-to-lead limit: a new lead unclaimed this long goes to the front of every queue that takes it (admins set it; default 5).",
].join("\n");

const ORDER_WORDS: Record<string, string> = {
  callbacks: "callbacks due first",
  new: "new leads first",
  fewest: "fewest attempts first",
  oldest: "oldest last call first",
};

/** A filter's parts as an agent reads them ("source Zillow, never called, owner @maria"). */
function filterWords(filter: ReturnType<typeof parseStoredFilter>): string[] {
  const words: string[] = [];
  if (filter.owner) words.push(`owner <@${filter.owner}>`);
  if (filter.source) words.push(`source ${escapeTruncate(filter.source, 80)}`);
  if (filter.state) words.push(`state ${filter.state}`);
  if (filter.lastOutcome) words.push(`last outcome ${OUTCOMES[filter.lastOutcome as Outcome] ?? filter.lastOutcome}`);
  if (filter.neverCalled) words.push("never called");
  if (filter.callbackDue) words.push("callback due");
  return words;
}

function describe(queue: CallQueue): string {
  const parts = filterWords(parseStoredFilter(queue.filter));
  const removes = queue.removeOutcomes
    .split(",")
    .filter(Boolean)
    .map((kind) => OUTCOMES[kind as Outcome] ?? kind);
  return [
    parts.length > 0 ? `leads with ${parts.join(", ")}` : "every lead with a phone",
    ORDER_WORDS[queue.orderBy] ?? queue.orderBy,
    `re-call gap ${queue.recallGapMin} min`,
    `max ${queue.maxAttempts} attempts`,
    removes.length > 0 ? `out of the queue after: ${removes.join(", ")}` : "no outcome takes a lead out",
    queue.autoAdvanceSec
      ? `auto-advance ${queue.autoAdvanceSec} s (autodial consent only, never FL/OK)`
      : "agent-paced",
  ].join(" · ");
}

export function queueSaved(queue: CallQueue, how: "created" | "saved") {
  return { text: `:white_check_mark: Queue *${escapeTruncate(queue.name, 60)}* ${how}: ${describe(queue)}` };
}

export function queueRemoved(queue: CallQueue) {
  return {
    text: `:wastebasket: Queue *${escapeTruncate(queue.name, 60)}* deleted; runs working it end at their next step.`,
  };
}

export function queueList(queues: CallQueue[]) {
  if (queues.length === 0) return { text: "No queues yet. An admin creates one with `/call-queue new <name> …`." };
  return { text: queues.map((queue) => `• *${escapeTruncate(queue.name, 60)}* — ${describe(queue)}`).join("\n") };
}

export function runStarting(runId: number) {
  return {
    text: `:telephone_receiver: Ringing your phone for queue run #${runId}: answer and press any key. Your queue card is in your direct messages with Leadline.`,
  };
}

export function speedLimitText(minutes: number, saved: boolean) {
  return {
    text: saved
      ? `:stopwatch: Speed to lead: new leads unclaimed after ${minutes} min now go to the front of every queue that takes them.`
      : `:stopwatch: Speed to lead: new leads unclaimed after ${minutes} min go to the front of every queue that takes them. An admin changes it with \`/call-queue speed <minutes>\`.`,
  };
}

const STATE_WORDS: Record<RunStatus["state"], string> = {
  ringing: "their phone is ringing",
  waiting: "between leads",
  on_call: ":telephone_receiver: on a call",
  outcome: "recording an outcome",
};
const MODE_WORDS: Record<string, string> = { listen: "listening", whisper: "coaching", join: "on the call" };

/** /call-queue status: one line per agent working a queue; Listen, Whisper and Join on a live call. */
export function queueStatus(rows: RunStatus[]): { text: string; blocks?: KnownBlock[] } {
  if (rows.length === 0) return { text: "Nobody is working a queue right now." };
  const blocks: KnownBlock[] = [];
  for (const row of rows) {
    const listener = row.listenerId
      ? ` · :ear: <@${row.listenerId}> ${MODE_WORDS[row.listenMode ?? ""] ?? "listening"}`
      : "";
    blocks.push(
      mrkdwnSection(
        `<@${row.agentId}> · *${escapeTruncate(row.queueName, 60)}* · ${row.calls} calls · talk ${formatDuration(row.talkSec)} · ${STATE_WORDS[row.state]}${listener}`,
      ),
    );
    if (row.state === "on_call" && !row.listenerId)
      blocks.push({
        type: "actions",
        elements: [
          { type: "button", text: plain("Listen"), action_id: ids.queue.listenAction, value: String(row.runId) },
          { type: "button", text: plain("Whisper"), action_id: ids.queue.whisperAction, value: String(row.runId) },
          { type: "button", text: plain("Join"), action_id: ids.queue.joinAction, value: String(row.runId) },
        ],
      });
  }
  return { text: `${rows.length} agent(s) working queues`, blocks: blocks.slice(0, 50) };
}

/**
 * App Home's call queues: each with what is left and Start calling (not while the viewer works one); for
 * admins New queue, Edit and Delete (the handlers check again: a button is no permission).
 */
export function homeQueues(data: { queues: QueueSummary[]; total: number }, admin: boolean): KnownBlock[] {
  const header: KnownBlock = {
    type: "section",
    text: { type: "mrkdwn", text: `*Call queues* (${data.total})` },
    ...(admin
      ? { accessory: { type: "button", text: plain("New queue"), action_id: ids.queue.homeNewAction, value: "new" } }
      : {}),
  };
  const blocks: KnownBlock[] = [{ type: "divider" }, header];
  if (data.total === 0)
    blocks.push(
      context(admin ? "No queues yet: *New queue* makes one." : "No queues yet: a Leadline admin makes them."),
    );
  const working = data.queues.some((queue) => queue.running);
  for (const queue of data.queues) {
    const name = escapeTruncate(queue.name, 60);
    const state = queue.running
      ? " · :telephone_receiver: *you are working it*: the queue card is in your messages with Leadline"
      : "";
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: `*${name}* · ${queue.left} ${queue.left === 1 ? "lead" : "leads"} left${state}` },
      ...(working
        ? {}
        : {
            accessory: {
              type: "button" as const,
              style: "primary" as const,
              text: plain("Start calling"),
              action_id: ids.queue.homeStartAction,
              value: String(queue.id),
            },
          }),
    });
    if (admin)
      blocks.push({
        type: "actions",
        elements: [
          { type: "button", text: plain("Edit"), action_id: ids.queue.homeEditAction, value: String(queue.id) },
          {
            type: "button",
            text: plain("Delete"),
            style: "danger",
            action_id: ids.queue.homeDeleteAction,
            value: String(queue.id),
            confirm: {
              title: plain("Delete this queue?"),
              text: plain(
                `${truncate(queue.name, 60)} goes; runs working it end at their next step. Its numbers stay in /call-stats.`,
              ),
              confirm: plain("Delete"),
              deny: plain("Keep it"),
              style: "danger",
            },
          },
        ],
      });
  }
  if (data.total > data.queues.length)
    blocks.push(context(`…and ${data.total - data.queues.length} more: \`/call-queue list\` lists them all.`));
  return blocks;
}
