import type { KnownBlock } from "@slack/types";
import { OUTCOMES, type Outcome } from "../services/calls/outcomes.js";
import type { QueueStatsRow } from "../services/stats/queue-stats-store.js";
import type { CallStats } from "../services/stats/stats-service.js";
import type { TextCounts } from "../services/stats/text-stats-store.js";
import { context, countOf, escapeTruncate, mrkdwnSection } from "./common.js";
import { skipsText } from "./skip-words.js";

/** "1h 02m", "3m 05s", "0s". */
export function talkTime(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(rest).padStart(2, "0")}s`;
  return `${rest}s`;
}

const percent = (part: number, whole: number) => (whole === 0 ? "—" : `${Math.round((part / whole) * 100)}%`);

/** "$12.34 (USD)"; Twilio reports money spent as negative prices. */
export function costText(cost: CallStats["cost"]): string {
  if (cost.length === 0) return "—";
  return cost
    .map(({ unit, amount }) => {
      const spent = Math.abs(amount);
      return unit === "USD" ? `$${spent.toFixed(2)}` : `${spent.toFixed(2)} ${unit}`;
    })
    .join(" + ");
}

/** "12 texts sent · 10 delivered (83%) · 1 failed · 4 replies · 1 opt-out". */
export function textsLine(c: TextCounts): string {
  return `${countOf(c.sent, "text")} sent · ${c.delivered} delivered (${percent(c.delivered, c.sent)}) · ${c.failed} failed · ${countOf(c.replies, "reply", "replies")} · ${countOf(c.optOuts, "opt-out")}`;
}

export const anyTexts = (c: TextCounts) => c.sent + c.failed + c.replies + c.optOuts > 0;

/** The /call-stats answer: the numbers for the range (and agent), per agent, outcomes. */
export function statsMessage(
  stats: CallStats,
  options: {
    scopeNote?: string;
    chartComing: boolean;
    exportComing?: boolean;
    /** Call summaries' suggested outcomes in the range, and how many a person applied. */
    suggestions?: { suggested: number; applied: number };
    /** The range's numbers per call queue. */
    queues?: QueueStatsRow[];
  },
): { text: string; blocks: KnownBlock[] } {
  const t = stats.totals;
  const who = stats.agentId ? ` for <@${stats.agentId}>` : "";
  const head = `*Call stats, ${stats.range.label}${who}*`;
  const summary = [
    `*Calls placed*\n${t.placed}`,
    `*Connected*\n${t.connected} (${percent(t.connected, t.placed)})`,
    `*Talk time*\n${talkTime(t.talkSec)}${t.connected > 0 ? ` · avg ${talkTime(t.talkSec / t.connected)}` : ""}`,
    `*Cost*\n${costText(stats.cost)}`,
  ];
  const blocks: KnownBlock[] = [
    mrkdwnSection(head),
    { type: "section", fields: summary.map((text) => ({ type: "mrkdwn" as const, text })) },
  ];
  if (stats.inbound.answered + stats.inbound.missed > 0) {
    blocks.push(context(`Inbound · ${stats.inbound.answered} answered · ${stats.inbound.missed} missed`));
  }
  if (anyTexts(stats.texts)) blocks.push(mrkdwnSection(`*Texts*\n${textsLine(stats.texts)}`));
  if (stats.outcomes.length > 0) {
    const order = Object.keys(OUTCOMES) as Outcome[];
    const outcomes = [...stats.outcomes]
      .sort((a, b) => order.indexOf(a.outcome as Outcome) - order.indexOf(b.outcome as Outcome))
      .map((row) => `${OUTCOMES[row.outcome as Outcome] ?? row.outcome}: ${row.count}`);
    blocks.push(context(`Outcomes · ${outcomes.join(" · ")}`));
  }
  const suggestions = options.suggestions;
  if (suggestions && suggestions.suggested > 0) {
    blocks.push(
      context(
        `Summaries · ${countOf(suggestions.suggested, "outcome")} suggested · ${suggestions.applied} applied (${percent(suggestions.applied, suggestions.suggested)})`,
      ),
    );
  }
  if (!stats.agentId && stats.perAgent.length > 0) {
    const lines = stats.perAgent
      .slice(0, 15)
      .map(
        (row) =>
          `<@${row.agentId}> · ${countOf(row.placed, "call")} · ${row.connected} connected (${percent(row.connected, row.placed)}) · ${talkTime(row.talkSec)}`,
      );
    blocks.push(mrkdwnSection(`*Per agent*\n${lines.join("\n")}`));
    if (stats.perAgent.length > 15) blocks.push(context(`…and ${stats.perAgent.length - 15} more agents.`));
  }
  if (!stats.agentId && stats.texts.perAgent.length > 0) {
    const lines = stats.texts.perAgent.slice(0, 15).map((row) => `<@${row.agentId}> · ${textsLine(row)}`);
    blocks.push(mrkdwnSection(`*Texts per agent*\n${lines.join("\n")}`));
  }
  if (options.queues && options.queues.length > 0) blocks.push(...queueLines(options.queues));
  const notes = [
    options.scopeNote,
    options.chartComing ? "The chart follows in your direct messages with Leadline (only you see it)." : undefined,
    options.exportComing
      ? "The CSV of the calls follows there too (it holds phone numbers, so it goes to you alone)."
      : undefined,
    "Connected: the call completed and a person answered. Cost: Twilio's prices as known so far.",
  ].filter(Boolean);
  blocks.push(context(notes.join(" ")));
  return {
    text: `Call stats, ${stats.range.label}: ${countOf(t.placed, "call")}, ${t.connected} connected (${percent(t.connected, t.placed)}), talk time ${talkTime(t.talkSec)}, cost ${costText(stats.cost)}.${anyTexts(stats.texts) ? ` Texts: ${textsLine(stats.texts)}.` : ""}`,
    blocks,
  };
}

/** The most queues listed by name; the rest are counted. */
const QUEUES_SHOWN = 10;

/** "*Zillow* · 12 calls · 5 connected (42%) · 3 skipped (2 outside hours, 1 wrong number) · 1 snoozed". */
export function queueStatsLine(row: QueueStatsRow): string {
  const name = `*${escapeTruncate(row.name, 60)}*${row.deleted ? " (deleted)" : ""}`;
  return `${name} · ${countOf(row.calls, "call")} · ${row.connected} connected (${percent(row.connected, row.calls)}) · ${skipsText(row.skipsByReason)}`;
}

function queueLines(rows: QueueStatsRow[]): KnownBlock[] {
  const blocks: KnownBlock[] = [
    mrkdwnSection(`*Per queue*\n${rows.slice(0, QUEUES_SHOWN).map(queueStatsLine).join("\n")}`),
  ];
  if (rows.length > QUEUES_SHOWN) blocks.push(context(`…and ${rows.length - QUEUES_SHOWN} more queues.`));
  return blocks;
}

/** An agent asked for the team's (or another agent's) numbers: they get their own. */
export function statsScopeNote(): string {
  return "Your own calls: the team's numbers are for Leadline admins.";
}

/** "@maria" typed as plain text: Slack did not turn it into a mention, so Leadline cannot tell who. */
export function unknownMentionHelp(raw: string): { text: string } {
  return {
    text: `Mention the agent so Slack fills in who they are: type @ and pick them (Leadline read "@${raw.replace(/[<>&]/g, "")}").`,
  };
}

/** The chart (or export) could not be sent to the asker's direct messages. */
export function chartNotDelivered(): { text: string } {
  return {
    text: "The chart could not be sent to your direct messages with Leadline. Open Leadline's Messages tab once (or ask an admin to check that the app has the `im:write` scope), then ask again.",
  };
}
