/**
 * Call-stats charts as PNG, drawn in-process and offline:
 * Vega-Lite spec → Vega → SVG string (Vega's headless "none" renderer) → PNG (resvg, Rust, no browser).
 *
 * Every chart is laid out at 800×400 CSS px and rasterised at 2x, so the PNG is always
 * CHART_SIZE = 1600×800 px: crisp on HiDPI screens when Slack scales it down into a message or App Home.
 *
 * Fonts: resvg draws no text at all when it has no font (no error, the labels just vanish), and the
 * machine may have no fonts. So we hand resvg explicit font files (DejaVu Sans, then Liberation Sans),
 * looked up once, with `loadSystemFonts: false`: the same face on every machine that has it, and no
 * scan of the system's font folders on each render. Vega gets that face's real glyph widths
 * (read from the TTF) for its layout. Only when none of those files exists do we fall back to
 * resvg's scan of the system fonts with a family list (see chartFonts()).
 *
 * Data goes into the spec as data values (never spliced into strings or expressions).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { TopLevelSpec } from "vega-lite";

export interface DayPoint {
  /** YYYY-MM-DD (a calendar day; no time zone is applied to it) */
  day: string;
  calls: number;
  connected: number;
  inbound?: number;
}

export interface AgentPoint {
  /** display name; several agents may share one */
  agent: string;
  calls: number;
  connected: number;
}

export interface ChartImage {
  png: Buffer;
  width: number;
  height: number;
}

/** Layout size in CSS px; the PNG is this times RENDER_SCALE. */
const LAYOUT = { width: 800, height: 400 } as const;
const RENDER_SCALE = 2;

/** Pixel size of every PNG these functions return: 1600×800 (800×400 layout at 2x). */
export const CHART_SIZE: { readonly width: number; readonly height: number } = Object.freeze({
  width: LAYOUT.width * RENDER_SCALE,
  height: LAYOUT.height * RENDER_SCALE,
});

/** The agent chart shows at most this many agents (the busiest); the subtitle says how many were left out. */
export const MAX_AGENTS = 15;
/** The daily chart spans at most this many days (first to last given day). */
export const MAX_DAYS = 366;
/** Up to this many agents, each bar also shows its count. */
const MAX_LABELLED_AGENTS = 8;

export const EMPTY_MESSAGE = "No calls in this period";

/** Series colours (tested by pixel): distinct in hue and lightness, readable on white. */
export const SERIES_COLORS = {
  Calls: "#2F6FDB",
  Connected: "#1E9E5A",
  Inbound: "#E0861A",
} as const;
type Series = keyof typeof SERIES_COLORS;

const TEXT_COLOR = "#1D1C1D"; // Slack's text colour
const MUTED_TEXT = "#5E5D60";
const GRID_COLOR = "#E6E6E6";
const AXIS_COLOR = "#B8B8B8";

// ---------------------------------------------------------------------------------------------
// Fonts

interface FontCandidate {
  family: string;
  dirs: string[];
  regular: string;
  bold: string;
}

/** Where a package's folder is, if it is installed (it is not a dependency: see chartFonts()). */
function packageDir(name: string, sub: string): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${name}/package.json`)), sub);
  } catch {
    return undefined;
  }
}

function fontCandidates(): FontCandidate[] {
  return [
    {
      // Debian/Ubuntu (fonts-dejavu-core, which fontconfig and so Chromium pull in), Alpine, Arch, Fedora;
      // or the npm package dejavu-fonts-ttf when installed.
      family: "DejaVu Sans",
      dirs: [
        packageDir("dejavu-fonts-ttf", "ttf"),
        "/usr/share/fonts/truetype/dejavu",
        "/usr/share/fonts/dejavu",
        "/usr/share/fonts/TTF",
        "/usr/share/fonts/dejavu-sans-fonts",
      ].filter((dir): dir is string => dir !== undefined),
      regular: "DejaVuSans.ttf",
      bold: "DejaVuSans-Bold.ttf",
    },
    {
      family: "Liberation Sans",
      dirs: ["/usr/share/fonts/truetype/liberation", "/usr/share/fonts/liberation", "/usr/share/fonts/liberation-sans"],
      regular: "LiberationSans-Regular.ttf",
      bold: "LiberationSans-Bold.ttf",
    },
  ];
}

/** Advance width, in em, of a code point's glyph; undefined when the font has no glyph for it. */
type GlyphWidths = (codePoint: number) => number | undefined;

export interface ChartFonts {
  /**
   * "files": the charts draw with `files` only (loadSystemFonts off), identically wherever those files are.
   * "system": none of the known files exists; resvg scans the system fonts and uses the first `family` it finds
   * (if the machine has no fonts at all, the charts come out without text).
   */
  source: "files" | "system";
  /** CSS font-family written into the SVG */
  family: string;
  files: string[];
}

interface LoadedFonts extends ChartFonts {
  regularWidths?: GlyphWidths;
  boldWidths?: GlyphWidths;
}

const SYSTEM_FAMILIES = "DejaVu Sans, Liberation Sans, Arial, Helvetica, Noto Sans, Roboto, sans-serif";

let fonts: LoadedFonts | undefined;

function loadFonts(): LoadedFonts {
  if (fonts) return fonts;
  for (const candidate of fontCandidates()) {
    for (const dir of candidate.dirs) {
      const regular = join(dir, candidate.regular);
      if (!existsSync(regular)) continue;
      const bold = join(dir, candidate.bold);
      const hasBold = existsSync(bold);
      try {
        const regularWidths = readGlyphWidths(readFileSync(regular));
        const boldWidths = hasBold ? readGlyphWidths(readFileSync(bold)) : regularWidths;
        fonts = {
          source: "files",
          family: candidate.family,
          files: hasBold ? [regular, bold] : [regular],
          regularWidths,
          boldWidths,
        };
        return fonts;
      } catch {
        // not a font we can read: try the next one
      }
    }
  }
  fonts = { source: "system", family: SYSTEM_FAMILIES, files: [] };
  return fonts;
}

/** Which fonts the charts draw with on this machine (for a startup log line or a health check). */
export function chartFonts(): ChartFonts {
  const { source, family, files } = loadFonts();
  return { source, family, files: [...files] };
}

/**
 * Reads the horizontal advance of each glyph from a TrueType/OpenType font (tables head, hhea, hmtx and
 * the Unicode BMP cmap, format 4), so Vega lays text out with the widths resvg will draw.
 */
function readGlyphWidths(font: Buffer): GlyphWidths {
  const tables = new Map<string, number>();
  const numTables = font.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const record = 12 + i * 16;
    tables.set(font.toString("latin1", record, record + 4), font.readUInt32BE(record + 8));
  }
  const head = tables.get("head");
  const hhea = tables.get("hhea");
  const hmtx = tables.get("hmtx");
  const cmap = tables.get("cmap");
  if (head === undefined || hhea === undefined || hmtx === undefined || cmap === undefined) {
    throw new Error("font lacks head/hhea/hmtx/cmap");
  }
  const unitsPerEm = font.readUInt16BE(head + 18);
  const longMetrics = font.readUInt16BE(hhea + 34);

  let subtable: number | undefined;
  const encodings = font.readUInt16BE(cmap + 2);
  for (let i = 0; i < encodings; i++) {
    const record = cmap + 4 + i * 8;
    const platform = font.readUInt16BE(record);
    const encoding = font.readUInt16BE(record + 2);
    const offset = cmap + font.readUInt32BE(record + 4);
    if (font.readUInt16BE(offset) === 4 && (platform === 0 || (platform === 3 && encoding === 1))) {
      subtable = offset;
      break;
    }
  }
  if (subtable === undefined || unitsPerEm === 0 || longMetrics === 0) throw new Error("unsupported font");

  const segments = font.readUInt16BE(subtable + 6) / 2;
  const ends = subtable + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;

  const glyphOf = (codePoint: number): number => {
    if (codePoint > 0xffff) return 0;
    // segments are sorted by end code: find the first that ends at or after the code point
    let lo = 0;
    let hi = segments - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (font.readUInt16BE(ends + mid * 2) < codePoint) lo = mid + 1;
      else hi = mid;
    }
    const start = font.readUInt16BE(starts + lo * 2);
    if (font.readUInt16BE(ends + lo * 2) < codePoint || start > codePoint) return 0;
    const delta = font.readInt16BE(deltas + lo * 2);
    const rangeOffset = font.readUInt16BE(rangeOffsets + lo * 2);
    if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
    const glyph = font.readUInt16BE(rangeOffsets + lo * 2 + rangeOffset + (codePoint - start) * 2);
    return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
  };

  const cache = new Map<number, number | undefined>();
  return (codePoint) => {
    if (cache.has(codePoint)) return cache.get(codePoint);
    const glyph = glyphOf(codePoint);
    const width = glyph === 0 ? undefined : font.readUInt16BE(hmtx + 4 * Math.min(glyph, longMetrics - 1)) / unitsPerEm;
    cache.set(codePoint, width);
    return width;
  };
}

/** Em width for a glyph we cannot measure: generous, so labels get room rather than overlap. */
const FALLBACK_EM = 0.62;

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}

/**
 * Vega's documented hook for text measurement (`textMetrics.width`, the one vl-convert uses). Without a
 * canvas Vega guesses 0.8 em per character, which leaves wide gaps and truncates labels early. Its
 * typings leave the member out, hence the cast.
 */
function installTextMetrics(loaded: LoadedFonts, vega: Engines["vega"]): void {
  const metrics = (vega as unknown as { textMetrics?: { width: (item: TextItem, text: unknown) => number } })
    .textMetrics;
  if (!metrics) return;
  metrics.width = (item, text) => {
    const size = item.fontSize ?? 11;
    const weight = item.fontWeight;
    const bold = weight === "bold" || weight === "bolder" || Number(weight) >= 600;
    const widths = bold ? loaded.boldWidths : loaded.regularWidths;
    let em = 0;
    for (const char of String(text ?? "")) em += widths?.(char.codePointAt(0) ?? 0) ?? FALLBACK_EM;
    // Vega truncates a text longer than its `limit` with "…" but sizes the layout with this same function:
    // capping at the limit keeps its truncation search unchanged and stops an over-long label or title
    // from squeezing the plot.
    const limit = item.limit ?? 0;
    return limit > 0 ? Math.min(em * size, limit) : em * size;
  };
}

let textMetricsInstalled = false;

/** Vega, Vega-Lite and resvg, loaded at the first chart: most processes never draw one (tens of MB). */
interface Engines {
  vega: typeof import("vega");
  compile: typeof import("vega-lite").compile;
  renderAsync: typeof import("@resvg/resvg-js").renderAsync;
}
let engines: Promise<Engines> | undefined;
const loadEngines = () =>
  (engines ??= Promise.all([import("vega"), import("vega-lite"), import("@resvg/resvg-js")]).then(
    ([vega, vegaLite, resvg]) => ({ vega, compile: vegaLite.compile, renderAsync: resvg.renderAsync }),
    (error: unknown) => {
      // Not remembered: the next chart tries to load them again.
      engines = undefined;
      throw error;
    },
  ));

async function setup(): Promise<{ loaded: LoadedFonts; engines: Engines }> {
  const loaded = loadFonts();
  const found = await loadEngines();
  if (!textMetricsInstalled) {
    installTextMetrics(loaded, found.vega);
    textMetricsInstalled = true;
  }
  return { loaded, engines: found };
}

// ---------------------------------------------------------------------------------------------
// Rendering

function baseConfig(family: string) {
  return {
    font: family,
    background: "white",
    view: { stroke: null },
    padding: { left: 16, right: 20, top: 14, bottom: 12 },
    title: {
      anchor: "start",
      fontSize: 19,
      fontWeight: "bold",
      color: TEXT_COLOR,
      subtitleFontSize: 14,
      subtitleColor: MUTED_TEXT,
      subtitlePadding: 4,
      offset: 12,
      // an over-long title ends in "…" instead of running off the image
      limit: LAYOUT.width - 40,
    },
    axis: {
      labelFontSize: 14,
      labelColor: TEXT_COLOR,
      domainColor: AXIS_COLOR,
      tickColor: AXIS_COLOR,
      gridColor: GRID_COLOR,
      title: null,
    },
    legend: {
      labelFontSize: 14,
      labelColor: TEXT_COLOR,
      symbolType: "square",
      symbolSize: 180,
      symbolStrokeWidth: 0,
      columnPadding: 20,
    },
    bar: { discreteBandSize: { band: 1 } },
  } as const;
}

type Title = { text: string; subtitle?: string };

/** Whether a text has a character (other than spaces) that the chosen font cannot draw, e.g. CJK in a name. */
function beyondFont(loaded: LoadedFonts, texts: string[]): boolean {
  const widths = loaded.regularWidths;
  if (!widths) return false;
  return texts.some((text) =>
    [...text].some((char) => !/\s/u.test(char) && widths(char.codePointAt(0)!) === undefined),
  );
}

/** `texts`: the caller's strings drawn in the chart (title, names), checked against the font's glyphs. */
async function renderSpec(spec: TopLevelSpec, texts: string[]): Promise<ChartImage> {
  const {
    loaded,
    engines: { vega, compile, renderAsync },
  } = await setup();
  const { spec: vgSpec } = compile(spec);
  const view = new vega.View(vega.parse(vgSpec), { renderer: "none", logLevel: vega.Error });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  // Text the font cannot draw would come out as empty boxes: only then do we also let resvg look through the
  // system's fonts (a slower render) for glyphs to fall back on; if the machine has none either, boxes it is.
  const font =
    loaded.source === "files"
      ? { loadSystemFonts: beyondFont(loaded, texts), fontFiles: loaded.files, defaultFontFamily: loaded.family }
      : { loadSystemFonts: true };
  // Parsing and rasterising run on libuv's thread pool; only the PNG encoding (asPng) is on this thread.
  const image = await renderAsync(svg, {
    font,
    fitTo: { mode: "width", value: CHART_SIZE.width },
    background: "white",
    shapeRendering: 2,
    textRendering: 1,
  });
  const { width, height } = image;
  if (width !== CHART_SIZE.width || height !== CHART_SIZE.height) {
    throw new Error(`chart came out ${width}×${height}, expected ${CHART_SIZE.width}×${CHART_SIZE.height}`);
  }
  return { png: image.asPng(), width, height };
}

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
