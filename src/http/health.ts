import type { Logger } from "../lib/log.js";
import type { DatabaseHealth } from "../services/store/db.js";
import type { Router } from "./router.js";
import { sendJson } from "./router.js";

/** 200 only when the database answers and Slack takes the bot token; 503 (with what is wrong) otherwise. */
export function registerHealth(
  router: Router,
  { databaseHealth, log }: { databaseHealth(): Promise<DatabaseHealth>; log: Logger },
  slackReachable: () => Promise<boolean>,
): void {
  router.add("GET", "/healthz", async ({ res }) => {
    const state = await databaseHealth();
    const db = state === "ok" ? "reachable" : state;
    if (state !== "ok") log.error({ database: state }, "health check: the database is not healthy");
    const slack = (await slackReachable().catch(() => false)) ? "reachable" : "unreachable";
    const ok = db === "reachable" && slack === "reachable";
    sendJson(res, ok ? 200 : 503, { ok, database: db, slack });
  });
}
