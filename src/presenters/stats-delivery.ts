import type { RespondFn } from "@slack/bolt";
import type { Logger } from "../lib/log.js";
import type { SlackMessenger } from "../services/slack/messenger.js";
import type { CallStats, StatsRange, StatsService } from "../services/stats/stats-service.js";
import { statsChartRequest } from "../views/charts/stats-chart.js";
import { chartNotDelivered } from "../views/stats.js";
import type { ChartRenderer } from "./charts.js";

export interface StatsDelivery {
  /**
   * After /call-stats answered: one chart (and the CSV export when asked), sent to the asker alone in
   * their direct messages with Leadline: a channel never sees a stats file or a CSV of phone numbers.
   */
  deliver(
    ws: number,
    ask: {
      stats: CallStats;
      range: StatsRange;
      agentId?: string;
      userId: string;
      export: boolean;
      respond: RespondFn;
    },
  ): Promise<void>;
}

export function createStatsDelivery(deps: {
  stats: Pick<StatsService, "exportCsv">;
  slackFor(ws: number): Promise<SlackMessenger>;
  charts: ChartRenderer;
  log: Logger;
}): StatsDelivery {
  return {
    async deliver(ws, ask) {
      try {
        const slack = await deps.slackFor(ws);
        const dm = await slack.directChannel(ask.userId);
        const names = new Map<string, string>();
        const nameOf = async (id: string) => {
          if (!names.has(id)) names.set(id, (await slack.user(id))?.name ?? id);
          return names.get(id);
        };
        for (const row of ask.stats.perAgent.slice(0, 15)) await nameOf(row.agentId);
        const chart = await deps.charts.draw(statsChartRequest(ask.stats, (id) => names.get(id) ?? id));
        const days = `${ask.range.days[0]}-${ask.range.days.at(-1)}`;
        await slack.upload({
          channel: dm,
          bytes: chart.png,
          filename: `call-stats-${days}.png`,
          title: `Call stats, ${ask.range.label}`,
        });
        if (ask.export) {
          const { csv } = await deps.stats.exportCsv(ws, ask.range, ask.agentId, { nameOf });
          await slack.upload({
            channel: dm,
            bytes: Buffer.from(csv, "utf8"),
            filename: `calls-${days}.csv`,
            title: `Calls, ${ask.range.label}`,
          });
        }
      } catch (error) {
        deps.log.warn({ err: error }, "could not post the stats chart");
        await ask.respond({ response_type: "ephemeral", replace_original: false, ...chartNotDelivered() });
      }
    },
  };
}
