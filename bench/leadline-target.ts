// Leadline as the benchmarks run it: the real app in its own process, configured by environment
// variables like `npm start`, reporting its port over IPC. LEADLINE_BENCH_OPTIONS (JSON) carries
// `callingTime` (ISO: the instant calling hours are judged at, so a run at any hour places calls) and
// `scheduleEvery` (the scheduler's cron expression). A `{ tick: <ISO> }` message runs one scheduler
// tick at that instant and answers `{ ticked: { ms, counts } }`.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createLeadline } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { answerMemory } from "./memory.js";

const { callingTime, scheduleEvery } = JSON.parse(process.env.LEADLINE_BENCH_OPTIONS ?? "{}") as {
  callingTime?: string;
  scheduleEvery?: string;
};
// Round trips to PostgreSQL: every statement (the ORM's, raw ones, BEGIN/COMMIT) goes through Client#query.
// While listing is on (`{ statements: true }`, or BENCH_SHOW_QUERIES=1 throughout), a count per statement
// (its start) is kept and sent with the costs: what a request sends.
let queries = 0;
let listing = Boolean(process.env.BENCH_SHOW_QUERIES);
const byText = new Map<string, number>();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
  queries += 1;
  if (listing) {
    const first = args[0] as string | { text?: string };
    const text = (typeof first === "string" ? first : (first?.text ?? "")).replace(/\s+/g, " ").slice(0, 100);
    byText.set(text, (byText.get(text) ?? 0) + 1);
  }
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;
process.on("message", (message: { statements?: boolean }) => {
  if (message.statements === undefined) return;
  listing = message.statements || Boolean(process.env.BENCH_SHOW_QUERIES);
  byText.clear();
  process.send?.({ listing });
});

const leadline = await createLeadline(loadConfig(), {
  ...(callingTime ? { callingClock: () => new Date(callingTime) } : {}),
  ...(scheduleEvery ? { scheduleEvery } : {}),
  host: "127.0.0.1",
});
const port = await leadline.start();
process.send?.({ ready: true, port });
answerMemory();

// A CPU profile of one load only: `{ profile: "start" }`, then `{ profile: "<file>" }` writes it there.
let inspector: Session | undefined;
async function profile(command: string): Promise<void> {
  if (command === "start") {
    inspector = new Session();
    inspector.connect();
    await inspector.post("Profiler.enable");
    await inspector.post("Profiler.setSamplingInterval", { interval: 100 });
    await inspector.post("Profiler.start");
    return;
  }
  if (!inspector) return;
  await leadline.deps.tasks.drain(5_000);
  const { profile: taken } = await inspector.post("Profiler.stop");
  writeFileSync(command, JSON.stringify(taken));
  inspector.disconnect();
  inspector = undefined;
}

process.on("message", (message: { tick?: string; cost?: boolean; profile?: string }) => {
  if (message.profile) {
    void profile(message.profile).then(() => process.send?.({ profiled: message.profile }));
    return;
  }
  if (message.cost) {
    // What the requests so far cost: CPU time and statements, once the work after their acks is done.
    void leadline.deps.tasks.drain(5_000).then(() => {
      const cpu = process.cpuUsage();
      const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
      const statements = byText.size > 0 ? { statements: Object.fromEntries(byText) } : {};
      process.send?.({ cost: { cpuUs: cpu.user + cpu.system, queries, heapMb, ...statements } });
      byText.clear();
    });
    return;
  }
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
