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
import type { TopLevelSpec } from "vega-lite";
import { chartFonts, installTextMetrics, type LoadedFonts, loadFonts } from "./fonts.js";

export { chartFonts };

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
export const LAYOUT = { width: 800, height: 400 } as const;
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
export const MAX_LABELLED_AGENTS = 8;

export const EMPTY_MESSAGE = "No calls in this period";

/** Series colours (tested by pixel): distinct in hue and lightness, readable on white. */
export const SERIES_COLORS = {
  Calls: "#2F6FDB",
  Connected: "#1E9E5A",
  Inbound: "#E0861A",
} as const;
export type Series = keyof typeof SERIES_COLORS;

const TEXT_COLOR = "#1D1C1D"; // Slack's text colour
export const MUTED_TEXT = "#5E5D60";
const GRID_COLOR = "#E6E6E6";
const AXIS_COLOR = "#B8B8B8";
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

export function baseConfig(family: string) {
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

export type Title = { text: string; subtitle?: string };

/** Whether a text has a character (other than spaces) that the chosen font cannot draw, e.g. CJK in a name. */
function beyondFont(loaded: LoadedFonts, texts: string[]): boolean {
  const widths = loaded.regularWidths;
  if (!widths) return false;
  return texts.some((text) =>
    [...text].some((char) => !/\s/u.test(char) && widths(char.codePointAt(0)!) === undefined),
  );
}

/** `texts`: the caller's strings drawn in the chart (title, names), checked against the font's glyphs. */
export async function renderSpec(spec: TopLevelSpec, texts: string[]): Promise<ChartImage> {
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
