import type { App } from "@slack/bolt";
import type { StatsDelivery } from "../../presenters/stats-delivery.js";
import type { AdminGate } from "../../services/setup/admin-gate.js";
import { zoneOf } from "../../services/slack/people.js";
import { parseStatsRange, type StatsService } from "../../services/stats/stats-service.js";
import type { SummaryInsights } from "../../services/transcripts/summary-insights.js";
import { statsMessage, statsScopeNote, unknownMentionHelp } from "../../views/stats.js";
import { answerCommand } from "../shared/answer.js";
import type { ListenerBase } from "../shared/base.js";
import { workspaceOf } from "../shared/workspace.js";

/** "week <@U123|maria> export" → { range: "week", agentId: "U123", export: true }. */
export function parseStatsText(text: string): {
  range: string;
  agentId?: string;
  export: boolean;
  unknownMention?: string;
} {
  let rest = ` ${text.trim()} `;
  const mention = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/.exec(rest);
  const agentId = mention?.[1];
  if (mention) rest = rest.replace(mention[0], " ");
  const raw = /(^|\s)@(\S+)/.exec(rest)?.[2];
  if (raw) rest = rest.replace(`@${raw}`, " ");
  const exporting = /\sexport\s/i.test(rest);
  rest = rest.replace(/\sexport\s/i, " ");
  return { range: rest.trim(), agentId, export: exporting, ...(raw && !agentId ? { unknownMention: raw } : {}) };
}

export interface CallStatsDeps extends ListenerBase {
  stats: Pick<StatsService, "stats" | "queues">;
  admins: Pick<AdminGate, "isAdmin">;
  statsDelivery: StatsDelivery;
  summaryInsights: Pick<SummaryInsights, "counts">;
}

export function registerCallStatsCommand(app: App, deps: CallStatsDeps): void {
  app.command("/call-stats", async ({ command, ack, respond, context }) => {
    const ws = workspaceOf(context);
    let after: (() => Promise<void>) | undefined;
    await answerCommand(deps, { ack, respond, command }, async () => {
      const parsed = parseStatsText(command.text ?? "");
      if (parsed.unknownMention) return unknownMentionHelp(parsed.unknownMention);
      const zone = await zoneOf(await deps.slackFor(ws), command.user_id);
      const range = parseStatsRange(parsed.range, deps.clock.now(), zone);
      // Agents see their own numbers; the team's, and other agents', are for admins.
      const admin = await deps.admins.isAdmin(ws, command.user_id);
      const agentId = admin ? parsed.agentId : command.user_id;
      const scopeNote = !admin && parsed.agentId !== command.user_id ? statsScopeNote() : undefined;
      const [stats, queues] = await Promise.all([
        deps.stats.stats(ws, range, agentId),
        deps.stats.queues(ws, range, agentId),
      ]);
      const suggestions = await deps.summaryInsights.counts(ws, range.from, range.to, agentId);
      after = () =>
        deps.statsDelivery.deliver(ws, {
          stats,
          range,
          agentId,
          userId: command.user_id,
          export: parsed.export,
          respond,
        });
      return statsMessage(stats, {
        scopeNote,
        chartComing: true,
        exportComing: parsed.export,
        suggestions,
        queues,
      });
    });
    if (after) deps.tasks.run(after);
  });
}
