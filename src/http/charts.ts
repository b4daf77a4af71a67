import type { Clock } from "../lib/clock.js";
import type { ChartRenderer } from "../presenters/charts.js";
import type { HomeService } from "../services/stats/home.js";
import { statsChartRequest } from "../views/charts/stats-chart.js";
import type { Router } from "./router.js";
import { sendJson } from "./router.js";

/** The Home tab's 14-day chart, behind a signed, expiring link (Slack fetches it to draw the tab). */
export function registerCharts(
  router: Router,
  deps: { home: Pick<HomeService, "chartStats">; charts: ChartRenderer; clock: Clock },
): void {
  router.add("GET", "/charts/home.png", async ({ res, url }) => {
    const q = (name: string) => (url.searchParams.get(name) ?? "").slice(0, 200);
    const stats = await deps.home.chartStats(
      { ws: q("ws"), user: q("user"), team: q("team"), zone: q("zone"), exp: q("exp"), sig: q("sig") },
      deps.clock.now(),
    );
    if (!stats) {
      sendJson(res, 403, { error: "forbidden", message: "This chart link is not valid or has expired." });
      return;
    }
    const chart = await deps.charts.draw(statsChartRequest(stats, (id) => id));
    res.writeHead(200, {
      "content-type": "image/png",
      "content-length": chart.png.length,
      "cache-control": "private, max-age=300",
    });
    res.end(chart.png);
  });
}
