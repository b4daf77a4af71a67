/** The chart's font: explicit font files (DejaVu Sans, then Liberation Sans) and their glyph widths for Vega's layout. */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

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

export interface LoadedFonts extends ChartFonts {
  regularWidths?: GlyphWidths;
  boldWidths?: GlyphWidths;
}

const SYSTEM_FAMILIES = "DejaVu Sans, Liberation Sans, Arial, Helvetica, Noto Sans, Roboto, sans-serif";

let fonts: LoadedFonts | undefined;

export function loadFonts(): LoadedFonts {
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
export function installTextMetrics(loaded: LoadedFonts, vega: typeof import("vega")): void {
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
