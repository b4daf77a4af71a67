import { threadId } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { createChartRenderer } from "../../src/presenters/charts.js";
import { CHART_SIZE } from "../../src/views/charts/render.js";

const renderer = createChartRenderer();
afterAll(() => renderer.stop());

describe("the chart thread", () => {
  it("draws a chart in a thread of its own, never on the event loop's thread", async () => {
    const image = await renderer.draw({
      kind: "daily",
      title: "Calls and connects per day, this week",
      days: [
        { day: "2026-11-23", calls: 4, connected: 2, inbound: 1 },
        { day: "2026-11-24", calls: 7, connected: 3, inbound: 0 },
      ],
    });
    expect(image.threadId).not.toBe(threadId);
    expect(image.png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect({ width: image.width, height: image.height }).toEqual(CHART_SIZE);
  });

  it("keeps answering while a chart is drawn, and draws several at once in order", async () => {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    const drawn = await Promise.all(
      ["today", "this week"].map((label) =>
        renderer.draw({
          kind: "agents",
          title: `Calls per agent, ${label}`,
          agents: [{ agent: "maria", calls: 3, connected: 1 }],
        }),
      ),
    );
    clearInterval(timer);
    expect(drawn).toHaveLength(2);
    // Timers ran while the charts were drawn: the main thread was never held.
    expect(ticks).toBeGreaterThan(0);
  });

  it("a chart that cannot be drawn fails its own request only", async () => {
    await expect(
      renderer.draw({ kind: "daily", title: "x", days: [{ day: "2024-02-30", calls: 1, connected: 0 }] }),
    ).rejects.toThrow();
    const ok = await renderer.draw({
      kind: "daily",
      title: "ok",
      days: [{ day: "2026-11-24", calls: 1, connected: 1 }],
    });
    expect(ok.png.length).toBeGreaterThan(1000);
  });
});
