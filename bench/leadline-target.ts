// Leadline as the benchmarks run it: the real app in its own process, configured by environment
// variables like `npm start`, reporting its port over IPC. LEADLINE_BENCH_OPTIONS (JSON) carries
// `callingTime` (ISO: the instant calling hours are judged at, so a run at any hour places calls) and
// `scheduleEvery` (the scheduler's cron expression). A `{ tick: <ISO> }` message runs one scheduler
// tick at that instant and answers `{ ticked: { ms, counts } }`.
import { performance } from "node:perf_hooks";
import { createLeadline } from "../src/app.js";
import { loadConfig } from "../src/config.js";

const { callingTime, scheduleEvery } = JSON.parse(process.env.LEADLINE_BENCH_OPTIONS ?? "{}") as {
  callingTime?: string;
  scheduleEvery?: string;
};
const leadline = await createLeadline(loadConfig(), {
  ...(callingTime ? { callingClock: () => new Date(callingTime) } : {}),
  ...(scheduleEvery ? { scheduleEvery } : {}),
  host: "127.0.0.1",
});
const port = await leadline.start();
process.send?.({ ready: true, port });

process.on("message", (message: { tick?: string }) => {
  if (!message.tick) return;
  const start = performance.now();
  leadline.deps.scheduler.tick(new Date(message.tick)).then(
    (counts) => process.send?.({ ticked: { ms: performance.now() - start, counts } }),
    (error: unknown) => process.send?.({ ticked: { error: String(error) } }),
  );
});
process.on("SIGTERM", () => {
  void leadline.stop().then(() => process.exit(0));
});
