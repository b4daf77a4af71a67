import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ChartImage } from "../views/charts/render.js";
import type { ChartRequest } from "../views/charts/stats-chart.js";

/** The chart thread stops after this long without a chart: its engines (tens of MB) are freed. */
const IDLE_MS = 60_000;

export interface ChartRenderer {
  /** Draws a chart in the chart thread; `threadId` says which thread drew it. */
  draw(request: ChartRequest): Promise<ChartImage & { threadId: number }>;
  stop(): Promise<void>;
}

/**
 * Charts are drawn in a worker thread, started at the first chart and stopped when idle: a slow or
 * first chart (loading Vega takes a while) never blocks the event loop that answers Slack and Twilio.
 * From the sources (tests, `npm run dev`) the thread runs the TypeScript through tsx; from `dist/` it
 * runs the built JavaScript.
 */
export function createChartRenderer(): ChartRenderer {
  let worker: Worker | undefined;
  let idle: NodeJS.Timeout | undefined;
  let next = 0;
  const waiting = new Map<
    number,
    { resolve: (image: ChartImage & { threadId: number }) => void; reject: (error: Error) => void }
  >();

  const start = () => {
    const source = fileURLToPath(import.meta.url).endsWith(".ts");
    const file = new URL(`./chart-worker.${source ? "ts" : "js"}`, import.meta.url).href;
    // From the sources the thread first registers tsx's loader (a dev dependency) for the TypeScript.
    const boot = source
      ? `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(file)}); })`
      : `import(${JSON.stringify(file)})`;
    const started = new Worker(boot, { eval: true });
    started.on("message", (message: { id: number; image?: ChartImage; threadId?: number; error?: string }) => {
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.image) {
        const png = Buffer.from(message.image.png);
        pending?.resolve({ ...message.image, png, threadId: message.threadId ?? -1 });
      } else pending?.reject(new Error(message.error ?? "the chart could not be drawn"));
    });
    started.on("error", (error) => {
      for (const pending of waiting.values()) pending.reject(error);
      waiting.clear();
      worker = undefined;
    });
    started.on("exit", () => {
      if (worker === started) worker = undefined;
    });
    return started;
  };

  return {
    draw(request) {
      worker ??= start();
      clearTimeout(idle);
      const id = next++;
      const drawing = new Promise<ChartImage & { threadId: number }>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
      });
      worker.postMessage({ id, request });
      return drawing.finally(() => {
        if (waiting.size > 0) return;
        clearTimeout(idle);
        idle = setTimeout(() => void worker?.terminate(), IDLE_MS);
        idle.unref();
      });
    },
    async stop() {
      clearTimeout(idle);
      await worker?.terminate();
      worker = undefined;
    },
  };
}
