import { mkdirSync, writeFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AgentPoint,
  CHART_SIZE,
  type ChartImage,
  chartFonts,
  type DayPoint,
  MAX_AGENTS,
  SERIES_COLORS,
} from "../../src/views/charts/render.js";
import { renderAgentChart, renderDailyChart } from "../../src/views/charts/specs.js";

const ARTIFACTS = new URL("../artifacts/", import.meta.url);

// ---- a small PNG reader: enough for resvg's output (8-bit RGBA or RGB, not interlaced) ----

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Decoded {
  width: number;
  height: number;
  /** RGBA, row by row */
  rgba: Buffer;
}

function readHeader(png: Buffer): { width: number; height: number; bitDepth: number; colorType: number } {
  expect(png.subarray(0, 8).equals(SIGNATURE)).toBe(true);
  // the first chunk is IHDR: length (13), type, then width, height, bit depth, colour type …
  expect(png.readUInt32BE(8)).toBe(13);
  expect(png.toString("latin1", 12, 16)).toBe("IHDR");
  return {
    width: png.readUInt32BE(16),
    height: png.readUInt32BE(20),
    bitDepth: png.readUInt8(24),
    colorType: png.readUInt8(25),
  };
}

function decodePng(png: Buffer): Decoded {
  const { width, height, bitDepth, colorType } = readHeader(png);
  expect(bitDepth).toBe(8);
  expect(png.readUInt8(28)).toBe(0); // not interlaced
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  expect(channels).toBeGreaterThan(0);

  const idat: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("latin1", offset + 4, offset + 8);
    if (type === "IDAT") idat.push(png.subarray(offset + 8, offset + 8 + length));
    if (type === "IEND") break;
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  expect(raw.length).toBe(height * (stride + 1));

  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[out + i - channels]! : 0;
      const b = y > 0 ? pixels[out - stride + i]! : 0;
      const c = y > 0 && i >= channels ? pixels[out - stride + i - channels]! : 0;
      let predictor: number;
      if (filter === 0) predictor = 0;
      else if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else throw new Error(`bad PNG filter ${filter}`);
      pixels[out + i] = (line[i]! + predictor) & 0xff;
    }
  }
  if (channels === 4) return { width, height, rgba: pixels };
  const rgba = Buffer.alloc(width * height * 4, 0xff);
  for (let p = 0; p < width * height; p++) pixels.copy(rgba, p * 4, p * 3, p * 3 + 3);
  return { width, height, rgba };
}

function hex(color: string): [number, number, number] {
  return [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16)) as [number, number, number];
}

/** Pixels (optionally inside a box) matching a test. */
function countPixels(
  image: Decoded,
  test: (r: number, g: number, b: number) => boolean,
  box = { x0: 0, y0: 0, x1: image.width, y1: image.height },
): number {
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const i = (y * image.width + x) * 4;
      if (test(image.rgba[i]!, image.rgba[i + 1]!, image.rgba[i + 2]!)) n++;
    }
  }
  return n;
}

const exactly = (color: string) => {
  const [R, G, B] = hex(color);
  return (r: number, g: number, b: number) => r === R && g === G && b === B;
};
/** Near-black: only text is drawn this dark (axes and grid lines are light grey). */
const dark = (r: number, g: number, b: number) => Math.max(r, g, b) < 80;
const white = (r: number, g: number, b: number) => r === 255 && g === 255 && b === 255;

function checkImage(image: ChartImage): Decoded {
  expect({ width: image.width, height: image.height }).toEqual(CHART_SIZE);
  const header = readHeader(image.png);
  expect({ width: header.width, height: header.height }).toEqual(CHART_SIZE);
  const decoded = decodePng(image.png);
  // mostly white background, but far from blank
  const whites = countPixels(decoded, white);
  expect(whites).toBeGreaterThan(decoded.width * decoded.height * 0.3);
  expect(whites).toBeLessThan(decoded.width * decoded.height);
  return decoded;
}

function save(name: string, image: ChartImage): void {
  writeFileSync(new URL(name, ARTIFACTS), image.png);
}

// Two weeks ending on a quiet weekend, with a zero day in the middle and some inbound calls.
const DAYS: DayPoint[] = Array.from({ length: 14 }, (_, i) => {
  const day = new Date(Date.UTC(2024, 10, 6 + i)).toISOString().slice(0, 10);
  const calls = i === 5 || i === 11 ? 0 : 4 + ((i * 7) % 11);
  return { day, calls, connected: Math.floor(calls * 0.6), inbound: i % 4 === 0 ? 2 : 0 };
});

const AGENTS: AgentPoint[] = [
  { agent: "Li Wei", calls: 26, connected: 15 },
  { agent: "Maria Gonzalez", calls: 31, connected: 18 },
  { agent: "Alexandra Johnson-Smith", calls: 22, connected: 13 },
  { agent: "Sam", calls: 18, connected: 11 },
  { agent: "Jordan O'Neil", calls: 6, connected: 5 },
  { agent: "Sam", calls: 10, connected: 7 },
  { agent: "Nobody Yet", calls: 0, connected: 0 },
];

describe("call-stats charts", () => {
  beforeAll(() => {
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  it("draws calls, connected and inbound per day, with text", async () => {
    const image = await renderDailyChart({ title: "Calls · last 14 days · 132 calls, 55% connected", days: DAYS });
    save("chart-daily.png", image);
    const decoded = checkImage(image);
    // at 2x a bar of one call is ~24×40 px: thousands of pixels in each series' exact colour
    expect(countPixels(decoded, exactly(SERIES_COLORS.Calls))).toBeGreaterThan(40_000);
    expect(countPixels(decoded, exactly(SERIES_COLORS.Connected))).toBeGreaterThan(20_000);
    expect(countPixels(decoded, exactly(SERIES_COLORS.Inbound))).toBeGreaterThan(3_000);
    // text: the title alone is ~5,000 near-black pixels; with the axis and legend labels, far more
    expect(countPixels(decoded, dark)).toBeGreaterThan(8_000);
  });

  it("draws with font files it found, or says it falls back to the system's fonts", () => {
    const fonts = chartFonts();
    if (fonts.source === "files") {
      expect(["DejaVu Sans", "Liberation Sans"]).toContain(fonts.family);
      expect(fonts.files.length).toBeGreaterThan(0);
    } else {
      expect(fonts.files).toEqual([]);
    }
  });

  it("leaves the inbound series out when there were no inbound calls", async () => {
    const image = await renderDailyChart({
      title: "Calls this week",
      days: DAYS.slice(0, 7).map(({ inbound: _inbound, ...day }) => day),
    });
    const decoded = checkImage(image);
    expect(countPixels(decoded, exactly(SERIES_COLORS.Calls))).toBeGreaterThan(40_000);
    expect(countPixels(decoded, exactly(SERIES_COLORS.Inbound))).toBe(0);
  });

  it("draws a day missing between two others as an empty day", async () => {
    const withZero = [
      { day: "2024-11-11", calls: 5, connected: 2 },
      { day: "2024-11-12", calls: 0, connected: 0 },
      { day: "2024-11-13", calls: 3, connected: 3 },
    ];
    const withGap = [withZero[2]!, withZero[0]!]; // any order, the middle day left out
    const a = await renderDailyChart({ title: "Gap", days: withZero });
    const b = await renderDailyChart({ title: "Gap", days: withGap });
    expect(b.png.equals(a.png)).toBe(true);
  });

  it("draws calls and connected per agent, busiest first, with names", async () => {
    const image = await renderAgentChart({ title: "Calls by agent · this month · 113 calls", agents: AGENTS });
    save("chart-agents.png", image);
    const decoded = checkImage(image);
    const calls = countPixels(decoded, exactly(SERIES_COLORS.Calls));
    const connected = countPixels(decoded, exactly(SERIES_COLORS.Connected));
    expect(calls).toBeGreaterThan(50_000);
    expect(connected).toBeGreaterThan(30_000);
    expect(calls).toBeGreaterThan(connected);
    expect(countPixels(decoded, exactly(SERIES_COLORS.Inbound))).toBe(0);
    expect(countPixels(decoded, dark)).toBeGreaterThan(8_000);
  });

  it("keeps the busiest agents when there are many, at the same size", async () => {
    const agents = Array.from({ length: MAX_AGENTS + 7 }, (_, i) => ({
      agent: `Agent ${i} ${"with a rather long display name ".repeat(i % 3)}`,
      calls: 300 - i * 11,
      connected: 150 - i * 5,
    }));
    const decoded = checkImage(await renderAgentChart({ title: "Calls by agent", agents }));
    expect(countPixels(decoded, exactly(SERIES_COLORS.Calls))).toBeGreaterThan(40_000);
  });

  it("says there were no calls when every count is zero", async () => {
    const image = await renderDailyChart({
      title: "Calls this week · 0 calls",
      days: DAYS.map(({ day }) => ({ day, calls: 0, connected: 0, inbound: 0 })),
    });
    save("chart-empty.png", image);
    const decoded = checkImage(image);
    for (const color of Object.values(SERIES_COLORS)) expect(countPixels(decoded, exactly(color))).toBe(0);
    // the title, dark, at the top; the message, grey, across the middle
    const { width, height } = decoded;
    expect(countPixels(decoded, dark, { x0: 0, y0: 0, x1: width, y1: height / 8 })).toBeGreaterThan(2_000);
    const middle = { x0: width / 4, y0: (height * 3) / 8, x1: (width * 3) / 4, y1: (height * 5) / 8 };
    expect(countPixels(decoded, (r, g, b) => Math.max(r, g, b) < 140, middle)).toBeGreaterThan(1_500);
  });

  it("gives the same empty image for no days or no agents with calls", async () => {
    const title = "Calls today";
    const noDays = await renderDailyChart({ title, days: [] });
    const noAgents = await renderAgentChart({ title, agents: [{ agent: "Idle", calls: 0, connected: 0 }] });
    checkImage(noDays);
    expect(noAgents.png.equals(noDays.png)).toBe(true);
  });

  it("takes titles and names as data, markup characters and all", async () => {
    const title = `<b>"Q&A" team</b> · 'quotes' & \\ {braces} \${x}`;
    const image = await renderAgentChart({
      title,
      agents: [{ agent: `O'Brien "<script>" & co ${"\\"}`, calls: 3, connected: 1 }],
    });
    const decoded = checkImage(image);
    expect(countPixels(decoded, dark)).toBeGreaterThan(5_000);
  });

  it("rejects a day that is not YYYY-MM-DD", async () => {
    await expect(
      renderDailyChart({ title: "x", days: [{ day: "2024-02-30", calls: 1, connected: 0 }] }),
    ).rejects.toThrow(/YYYY-MM-DD/);
    await expect(
      renderDailyChart({ title: "x", days: [{ day: "11/12/2024", calls: 1, connected: 0 }] }),
    ).rejects.toThrow(/YYYY-MM-DD/);
  });
});
