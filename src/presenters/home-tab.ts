import type { Clock } from "../lib/clock.js";
import type { AdminGate } from "../services/setup/admin-gate.js";
import type { SlackMessenger } from "../services/slack/messenger.js";
import { zoneOf } from "../services/slack/people.js";
import type { HomeService } from "../services/stats/home.js";
import { homeView } from "../views/home.js";

export interface HomeTab {
  /** Draws a person's Home tab as things are now. */
  publish(ws: number, userId: string): Promise<void>;
}

export function createHomeTab(deps: {
  home: Pick<HomeService, "data">;
  admins: Pick<AdminGate, "isAdmin">;
  slackFor(ws: number): Promise<SlackMessenger>;
  clock: Clock;
}): HomeTab {
  return {
    async publish(ws, userId) {
      const slack = await deps.slackFor(ws);
      const [admin, zone] = await Promise.all([deps.admins.isAdmin(ws, userId), zoneOf(slack, userId)]);
      const data = await deps.home.data(ws, userId, { admin, zone, now: deps.clock.callingNow() });
      await slack.publishHome(userId, homeView(data));
    },
  };
}
