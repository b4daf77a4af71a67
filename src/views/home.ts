import type { HomeView, KnownBlock } from "@slack/types";
import { ids } from "../lib/ids.js";
import { ago } from "../lib/time.js";
import type { HomeData } from "../services/stats/home.js";
import type { CallStats } from "../services/stats/stats-service.js";
import type { BlockedCall } from "../services/stats/stats-store.js";
import { context, countOf, escapeMrkdwn, escapeTruncate, mrkdwnSection, phoneText, plain } from "./common.js";
import { homeQueues } from "./queues.js";
import { whenText } from "./schedule.js";
import { anyTexts, costText, talkTime, textsLine } from "./stats.js";
import { textStatusWords } from "./texts.js";

const rate = (stats: CallStats) =>
  stats.totals.placed === 0 ? "—" : `${Math.round((stats.totals.connected / stats.totals.placed) * 100)}%`;

function numbers(label: string, today: CallStats, week: CallStats, withCost: boolean): KnownBlock {
  const line = (name: string, s: CallStats) =>
    `*${name}*\n${countOf(s.totals.placed, "call")} · ${s.totals.connected} connected (${rate(s)}) · ${talkTime(s.totals.talkSec)} talk${withCost ? ` · ${costText(s.cost)}` : ""}`;
  return {
    type: "section",
    text: { type: "mrkdwn", text: `*${label}*` },
    fields: [
      { type: "mrkdwn", text: line("Today", today) },
      { type: "mrkdwn", text: line("This week", week) },
    ],
  };
}

const WHY: Record<HomeData["waiting"][number]["why"], string> = {
  no_answer: "no answer",
  busy: "busy",
  callback: "asked to be called back",
  missed_inbound: "called you, nobody answered",
};

/** What each blocking reason (as the audit row names it) means, in a few words. */
const BLOCK_REASONS: Record<string, string> = {
  hours: "outside the lead's calling hours",
  day: "a day calls are not allowed",
  team_window: "outside the team's calling window",
  cap: "the state's daily attempt limit",
  unknown_zone: "the lead's time zone is unknown",
  dnc: "on the do-not-call list",
  consent: "no consent for this kind of call",
};

/** "@maria · *Jane Doe* (lead #12) · 23 min ago · outside the lead's calling hours". */
export function blockedLine(row: BlockedCall, now: Date): string {
  let reasons: string[] = [];
  let leadId: unknown;
  try {
    const detail = JSON.parse(row.detail) as { reasons?: string[]; leadId?: unknown };
    reasons = detail.reasons ?? [];
    leadId = detail.leadId;
  } catch {}
  const lead = row.lead
    ? `*${escapeTruncate(row.lead.name, 100)}* (lead #${row.lead.id})`
    : typeof leadId === "number"
      ? `lead #${leadId} (deleted)`
      : "a lead";
  const why = reasons.map((kind) => BLOCK_REASONS[kind] ?? escapeMrkdwn(kind.replaceAll("_", " "))).join(", ");
  return `<@${row.actor}> · ${lead} · ${ago(row.at, now)} ago${why ? ` · ${why}` : ""}`;
}

/** The viewer's text numbers (once they text), the replies waiting on them (Reply by text), their latest texts. */
function yourTexts(data: HomeData): KnownBlock[] {
  const { today, week } = data.mine;
  const blocks: KnownBlock[] = [];
  if (anyTexts(week.texts) || anyTexts(today.texts))
    blocks.push(context(`*Your texts* · today ${textsLine(today.texts)} · this week ${textsLine(week.texts)}`));
  const texts = data.texts;
  if (!texts) return blocks;
  const now = data.now;
  blocks.push({ type: "divider" }, mrkdwnSection(`*Texts waiting for your reply* (${texts.waiting.length})`));
  if (texts.waiting.length === 0) blocks.push(context("No lead's text is waiting on you."));
  for (const reply of texts.waiting.slice(0, 10)) {
    const who = reply.leadName ? `*${escapeTruncate(reply.leadName, 100)}*` : phoneText(reply.phone);
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: `:speech_balloon: ${who} · ${ago(reply.at, now)} ago\n${escapeTruncate(reply.body.replace(/\s+/g, " "), 200)}`,
      },
      ...(reply.leadId !== null
        ? {
            accessory: {
              type: "button" as const,
              action_id: ids.texts.replyAction,
              text: plain("Reply by text"),
              value: String(reply.leadId),
            },
          }
        : {}),
    });
  }
  if (texts.recent.length > 0) {
    const lines = texts.recent.map((text) => {
      const who = text.leadName ? escapeTruncate(text.leadName, 60) : phoneText(text.phone);
      return `${who} · ${escapeTruncate(text.body.replace(/\s+/g, " "), 60)} · ${textStatusWords(text.status, text.errorCode)} · ${ago(text.at, now)} ago`;
    });
    blocks.push(context(`*Your latest texts*\n${lines.join("\n")}`));
  }
  return blocks;
}

/** The Home tab: the viewer's numbers, scheduled calls, leads waiting; for admins, the team's. */
export function homeView(data: HomeData): HomeView {
  const blocks: KnownBlock[] = [
    { type: "header", text: plain("Leadline") },
    numbers("Your calls", data.mine.today, data.mine.week, false),
  ];
  if (data.queues) blocks.push(...homeQueues(data.queues, data.admin));
  if (data.chartUrl) {
    blocks.push({
      type: "image",
      image_url: data.chartUrl,
      alt_text: `Calls and connects per day, last 14 days${data.admin ? " (team)" : ""}`,
    });
  }
  blocks.push(...yourTexts(data));
  blocks.push({ type: "divider" }, mrkdwnSection(`*Your scheduled calls* (${data.scheduled.length})`));
  if (data.scheduled.length === 0)
    blocks.push(context("None. Book one with `/call-lead Jane tomorrow 10am` or *Schedule* on a card."));
  for (const row of data.scheduled.slice(0, 10)) {
    const name = row.lead ? escapeTruncate(row.lead.name, 100) : `lead #${row.leadId}`;
    const when = whenText(row.dueAt, data.zone, row.lead ?? { phone: null, state: null, zip: null }, data.now);
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: `:alarm_clock: *${name}* · ${escapeMrkdwn(when)}` },
      ...(row.status === "scheduled"
        ? {
            accessory: {
              type: "overflow" as const,
              action_id: ids.home.scheduledMenuAction,
              options: [
                { text: plain("Move"), value: `move:${row.id}` },
                { text: plain("Cancel"), value: `cancel:${row.id}` },
              ],
            },
          }
        : {}),
    });
  }
  blocks.push({ type: "divider" }, mrkdwnSection(`*Leads waiting for a callback* (${data.waiting.length})`));
  if (data.waiting.length === 0) blocks.push(context("Nobody is waiting on you."));
  for (const item of data.waiting.slice(0, 10)) {
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*${escapeTruncate(item.lead.name, 100)}*${item.lead.phone ? ` · ${phoneText(item.lead.phone)}` : ""} · ${WHY[item.why]} ${ago(item.lastCallAt, data.now)} ago`,
      },
      accessory: {
        type: "button",
        action_id: ids.schedule.openAction,
        text: plain("Schedule"),
        value: String(item.lead.id),
      },
    });
  }
  if (data.team) {
    blocks.push({ type: "divider" }, numbers("The team (admins)", data.team.today, data.team.week, true));
    const perAgent = data.team.week.perAgent
      .slice(0, 10)
      .map((row) => `<@${row.agentId}> ${row.placed} · ${row.connected} connected · ${talkTime(row.talkSec)}`);
    if (perAgent.length > 0) blocks.push(context(`This week · ${perAgent.join(" · ")}`));
    const blocked = data.team.blocked.map((row) => blockedLine(row, data.now));
    blocks.push(
      mrkdwnSection(
        `*Calls blocked by calling law today* (${blocked.length})${blocked.length > 0 ? `\n${blocked.slice(0, 10).join("\n")}` : ""}`,
      ),
    );
    const registry = data.registry;
    blocks.push(
      context(
        !registry?.latestAt
          ? ":information_source: No national do-not-call registry import yet (`npm run dnc:import`)."
          : registry.stale
            ? `:warning: The do-not-call registry copy is ${registry.days} days old: import a fresh one (older than 31 days is not allowed).`
            : `:white_check_mark: Do-not-call registry copy is ${registry.days} days old.`,
      ),
    );
  }
  return { type: "home", blocks: blocks.slice(0, 100) };
}
