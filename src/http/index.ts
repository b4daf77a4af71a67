import type { Deps } from "../services/index.js";
import { registerHealth } from "./health.js";
import { registerLeadsApi } from "./leads-api.js";
import type { Router } from "./router.js";

export function registerRoutes(router: Router, deps: Deps): void {
  registerHealth(router, deps);
  registerLeadsApi(router, deps);
}
