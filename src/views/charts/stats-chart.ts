import type { CallStats } from "../../services/stats/stats-service.js";
import { type AgentPoint, type ChartImage, type DayPoint, MAX_AGENTS } from "./render.js";
import { renderAgentChart, renderDailyChart } from "./specs.js";

/** What a chart is drawn from: plain data, so it can be drawn in another thread. */
export type ChartRequest =
  | { kind: "agents"; title: string; agents: AgentPoint[] }
  | { kind: "daily"; title: string; days: DayPoint[] };

/** The chart for a /call-stats answer or the Home tab: per agent for one day of the team, else per day. */
export function statsChartRequest(stats: CallStats, agentName: (id: string) => string): ChartRequest {
  if (stats.range.days.length === 1 && !stats.agentId) {
    return {
      kind: "agents",
      title: `Calls and connects per agent, ${stats.range.label}`,
      agents: stats.perAgent
        .slice(0, MAX_AGENTS)
        .map((row) => ({ agent: agentName(row.agentId), calls: row.placed, connected: row.connected })),
    };
  }
  const byDay = new Map(stats.perDay.map((row) => [row.day, row]));
  const inboundByDay = new Map(stats.inbound.perDay.map((row) => [row.day, row.answered + row.missed]));
  return {
    kind: "daily",
    title: `Calls and connects per day, ${stats.range.label}`,
    days: stats.range.days.map((day) => ({
      day,
      calls: byDay.get(day)?.placed ?? 0,
      connected: byDay.get(day)?.connected ?? 0,
      inbound: inboundByDay.get(day) ?? 0,
    })),
  };
}

/** Draws a chart request (in whichever thread calls it). */
export function drawChart(request: ChartRequest): Promise<ChartImage> {
  return request.kind === "agents"
    ? renderAgentChart({ title: request.title, agents: request.agents })
    : renderDailyChart({ title: request.title, days: request.days });
}
