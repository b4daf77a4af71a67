import type { CallStats } from "../../services/stats/stats-service.js";
import { type ChartImage, MAX_AGENTS } from "./render.js";
import { renderAgentChart, renderDailyChart } from "./specs.js";

/** The chart for a /call-stats answer or the Home tab: per agent for one day of the team, else per day. */
export function statsChart(stats: CallStats, agentName: (id: string) => string): Promise<ChartImage> {
  if (stats.range.days.length === 1 && !stats.agentId) {
    return renderAgentChart({
      title: `Calls and connects per agent, ${stats.range.label}`,
      agents: stats.perAgent
        .slice(0, MAX_AGENTS)
        .map((row) => ({ agent: agentName(row.agentId), calls: row.placed, connected: row.connected })),
    });
  }
  const byDay = new Map(stats.perDay.map((row) => [row.day, row]));
  const inboundByDay = new Map(stats.inbound.perDay.map((row) => [row.day, row.answered + row.missed]));
  return renderDailyChart({
    title: `Calls and connects per day, ${stats.range.label}`,
    days: stats.range.days.map((day) => ({
      day,
      calls: byDay.get(day)?.placed ?? 0,
      connected: byDay.get(day)?.connected ?? 0,
      inbound: inboundByDay.get(day) ?? 0,
    })),
  });
}
