import type { QueueRun } from "@prisma/client";
import type { EventBus } from "../lib/events.js";
import type { Logger } from "../lib/log.js";
import type { HomeTab } from "./home-tab.js";

/** How many ended runs this process remembers having redrawn Home for (a day's runs, many times over). */
const REMEMBERED = 1_000;

/**
 * App Home shows the agent's run ("you are working it", no Start calling): when the run ends (Stop, the
 * agent hanging up, a queue deleted, the sweep), the agent's Home is drawn again, once per run, so it
 * offers Start calling again without the tab being reopened.
 */
export function redrawHomeWhenRunsEnd(deps: {
  events: EventBus;
  runById(runId: number): Promise<Pick<QueueRun, "status" | "agentId"> | undefined>;
  homeTab: Pick<HomeTab, "publish">;
  log: Logger;
}): void {
  const drawn = new Set<number>();
  deps.events.on("queue.changed", async ({ ws, runId }) => {
    if (drawn.has(runId)) return;
    const run = await deps.runById(runId);
    if (run?.status !== "ended") return;
    if (drawn.size >= REMEMBERED) drawn.clear();
    drawn.add(runId);
    await deps.homeTab
      .publish(ws, run.agentId)
      .catch((error: unknown) => deps.log.warn({ err: error, runId }, "could not redraw Home after a run ended"));
  });
}
