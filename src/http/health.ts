import type { Deps } from "../services/index.js";
import type { Router } from "./router.js";
import { sendJson } from "./router.js";

export function registerHealth(router: Router, { db, log }: Pick<Deps, "db" | "log">): void {
  router.add("GET", "/healthz", async ({ res }) => {
    try {
      await db.$queryRawUnsafe("SELECT 1");
      sendJson(res, 200, { ok: true, database: "reachable" });
    } catch (error) {
      log.error({ err: error }, "health check: database unreachable");
      sendJson(res, 503, { ok: false, database: "unreachable" });
    }
  });
}
