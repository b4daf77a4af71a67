/** The two chart specs of /call-stats and App Home: calls and connects per day, and per agent. */
import type { TopLevelSpec } from "vega-lite";
import { loadFonts } from "./fonts.js";
import {
  type AgentPoint,
  baseConfig,
  type ChartImage,
  type DayPoint,
  EMPTY_MESSAGE,
  LAYOUT,
  MAX_AGENTS,
  MAX_DAYS,
  MAX_LABELLED_AGENTS,
  MUTED_TEXT,
  renderSpec,
  SERIES_COLORS,
  type Series,
  type Title,
} from "./render.js";

function sizing() {
  return {
    width: LAYOUT.width,
    height: LAYOUT.height,
    autosize: { type: "fit", contains: "padding", resize: false },
  } as const;
}

function emptySpec(title: Title, family: string): TopLevelSpec {
  return {
    ...sizing(),
    config: baseConfig(family),
    title,
    data: { values: [{ message: EMPTY_MESSAGE }] },
    mark: { type: "text", fontSize: 22, color: MUTED_TEXT, align: "center", baseline: "middle" },
    encoding: {
      text: { field: "message", type: "nominal" },
      x: { value: { expr: "width / 2" } },
      y: { value: { expr: "height / 2" } },
    },
  } as TopLevelSpec;
}

function count(value: number | undefined): number {
  return Number.isFinite(value) && (value as number) > 0 ? Math.round(value as number) : 0;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function dayNumber(day: string): number {
  const match = DAY.exec(day);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new Error(`not a YYYY-MM-DD day: ${JSON.stringify(day)}`);
  }
  return ms / 86_400_000;
}

/**
 * Calls, connected (and inbound, when any) per day as grouped bars. Days between the first and the last given
 * day that are missing from `days` are drawn as empty days; pass every day of the period (with zeros) so its
 * ends show too. All counts zero (or no days) gives the "No calls in this period" image.
 */
export async function renderDailyChart(input: { title: string; days: DayPoint[] }): Promise<ChartImage> {
  const { family } = loadFonts();
  const byDay = new Map<number, { calls: number; connected: number; inbound: number }>();
  for (const point of input.days) {
    const key = dayNumber(point.day);
    const total = byDay.get(key) ?? { calls: 0, connected: 0, inbound: 0 };
    total.calls += count(point.calls);
    total.connected += count(point.connected);
    total.inbound += count(point.inbound);
    byDay.set(key, total);
  }
  const totals = [...byDay.values()];
  if (!totals.some((t) => t.calls + t.connected + t.inbound > 0)) {
    return renderSpec(emptySpec({ text: input.title }, family), [input.title]);
  }

  const keys = [...byDay.keys()];
  const first = Math.min(...keys);
  const last = Math.max(...keys);
  if (last - first + 1 > MAX_DAYS) throw new RangeError(`the daily chart draws at most ${MAX_DAYS} days`);
  const showInbound = totals.some((t) => t.inbound > 0);
  const series: Series[] = showInbound ? ["Calls", "Connected", "Inbound"] : ["Calls", "Connected"];
  const dates = Array.from({ length: last - first + 1 }, (_, i) => new Date((first + i) * 86_400_000));
  const oneYear = dates[0]!.getUTCFullYear() === dates.at(-1)!.getUTCFullYear();

  const rows: { day: string; label: string; series: Series; count: number }[] = [];
  for (const date of dates) {
    const total = byDay.get(date.getTime() / 86_400_000) ?? { calls: 0, connected: 0, inbound: 0 };
    const day = date.toISOString().slice(0, 10);
    const year = oneYear ? "" : ` '${String(date.getUTCFullYear()).slice(2)}`;
    const label = `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}${year}`;
    rows.push({ day, label, series: "Calls", count: total.calls });
    rows.push({ day, label, series: "Connected", count: total.connected });
    if (showInbound) rows.push({ day, label, series: "Inbound", count: total.inbound });
  }

  const spec = {
    ...sizing(),
    config: baseConfig(family),
    title: { text: input.title },
    data: { values: rows },
    mark: { type: "bar", cornerRadiusEnd: 2 },
    encoding: {
      x: {
        field: "label",
        type: "ordinal",
        sort: null,
        scale: { paddingInner: 0.25, paddingOuter: 0.12 },
        axis: {
          labelAngle: dates.length > 12 ? -45 : 0,
          labelOverlap: "parity",
          labelPadding: 6,
          ticks: false,
        },
      },
      xOffset: { field: "series", type: "nominal", sort: series, scale: { paddingInner: 0.08 } },
      y: {
        field: "count",
        type: "quantitative",
        scale: { nice: 5 },
        axis: { tickMinStep: 1, format: ",d", domain: false, ticks: false, labelPadding: 8, tickCount: 5 },
      },
      color: {
        field: "series",
        type: "nominal",
        sort: series,
        scale: { domain: series, range: series.map((s) => SERIES_COLORS[s]) },
        legend: { orient: "top", direction: "horizontal", title: null, offset: 10 },
      },
    },
  };
  return renderSpec(spec as TopLevelSpec, [input.title]);
}

/**
 * Calls and connected per agent as grouped horizontal bars, busiest agent first (at most MAX_AGENTS;
 * the subtitle counts the rest). No agent with a call gives the "No calls in this period" image.
 */
export async function renderAgentChart(input: { title: string; agents: AgentPoint[] }): Promise<ChartImage> {
  const { family } = loadFonts();
  const agents = input.agents
    .map((a) => ({ agent: a.agent.trim() || "(no name)", calls: count(a.calls), connected: count(a.connected) }))
    .filter((a) => a.calls + a.connected > 0)
    .sort(
      (a, b) =>
        b.calls - a.calls || b.connected - a.connected || a.agent.localeCompare(b.agent, "en", { sensitivity: "base" }),
    );
  if (agents.length === 0) return renderSpec(emptySpec({ text: input.title }, family), [input.title]);

  const shown = agents.slice(0, MAX_AGENTS);
  const left = agents.length - shown.length;
  const title: Title = { text: input.title };
  if (left > 0) title.subtitle = `Top ${shown.length} of ${agents.length} agents`;

  const series: Series[] = ["Calls", "Connected"];
  // Agents are keyed by rank, since two may share a display name; the axis shows the name.
  const rows = shown.flatMap((a, rank) => [
    { rank, series: "Calls", count: a.calls },
    { rank, series: "Connected", count: a.connected },
  ]);
  const names = shown.map((a) => a.agent);
  // Counts at the bar ends while the bars are thick enough to carry them; room for them past the longest bar.
  const valueLabels = shown.length <= MAX_LABELLED_AGENTS;
  const longest = Math.max(...shown.map((a) => Math.max(a.calls, a.connected)));

  const spec = {
    ...sizing(),
    config: baseConfig(family),
    title,
    params: [{ name: "agentNames", value: names }],
    data: { values: rows },
    encoding: {
      y: {
        field: "rank",
        type: "ordinal",
        sort: null,
        scale: { paddingInner: 0.3, paddingOuter: 0.1 },
        axis: { labelExpr: "agentNames[datum.value]", labelLimit: 220, ticks: false, labelPadding: 8 },
      },
      yOffset: { field: "series", type: "nominal", sort: series, scale: { paddingInner: 0.1 } },
      x: {
        field: "count",
        type: "quantitative",
        scale: valueLabels ? { nice: 5, domainMax: Math.ceil(longest * 1.12) } : { nice: 5 },
        axis: { tickMinStep: 1, format: ",d", domain: false, ticks: false, tickCount: 5 },
      },
    },
    layer: [
      {
        mark: { type: "bar", cornerRadiusEnd: 2 },
        encoding: {
          color: {
            field: "series",
            type: "nominal",
            sort: series,
            scale: { domain: series, range: series.map((s) => SERIES_COLORS[s as Series]) },
            legend: { orient: "top", direction: "horizontal", title: null, offset: 10 },
          },
        },
      },
      ...(valueLabels
        ? [
            {
              mark: { type: "text", align: "left", baseline: "middle", dx: 5, fontSize: 13, color: MUTED_TEXT },
              encoding: { text: { field: "count", type: "quantitative", format: ",d" } },
            },
          ]
        : []),
    ],
  };
  return renderSpec(spec as TopLevelSpec, [input.title, ...names]);
}
