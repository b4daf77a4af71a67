import type { Clock } from "../lib/clock.js";
import type { EventBus } from "../lib/events.js";
import type { Logger } from "../lib/log.js";
import type { SpeedState, SpeedToLead } from "../services/queues/speed-to-lead.js";
import type { SettingsService } from "../services/setup/settings.js";
import type { SlackMessenger } from "../services/slack/messenger.js";
import { speedMessage } from "../views/speed-to-lead.js";

/**
 * Speed to lead in Slack: a new lead from the lead API, a CSV or the CRM gets a Claim message in the
 * leads channel (beside its card); the message's timer is redrawn every tick until someone claims it;
 * past the limit the message says so and the channel is told in its thread, once (whichever instance).
 */
export function createSpeedPosts(deps: {
  speed: SpeedToLead;
  settings: Pick<SettingsService, "get">;
  leadsChannel?: string;
  slackFor(ws: number): Promise<SlackMessenger>;
  clock: Clock;
  log: Logger;
}) {
  const log = deps.log.child({ component: "speed-posts" });
  let timer: NodeJS.Timeout | undefined;

  const draw = async (state: SpeedState) => {
    if (!state.row.messageTs) return;
    const slack = await deps.slackFor(state.row.workspaceId);
    await slack.update(state.row.channel, state.row.messageTs, speedMessage(state, deps.clock.now()));
  };

  const tick = async () => {
    const escalated = await deps.speed.escalateDue();
    for (const state of escalated) {
      await draw(state);
      const message = speedMessage(state, deps.clock.now());
      const slack = await deps.slackFor(state.row.workspaceId);
      await slack.postToChannel(
        { channel: state.row.channel, threadTs: state.row.messageTs ?? undefined },
        { text: message.text, blocks: message.blocks.slice(0, 1) },
      );
    }
    for (const state of await deps.speed.waiting())
      await draw(state).catch((error: unknown) => log.warn({ err: error }, "could not redraw a waiting lead"));
    return escalated.length;
  };

  return {
    draw,
    tick,
    subscribe(events: EventBus) {
      events.on("lead.created", async ({ ws, leadId, origin }) => {
        if (origin.kind === "slack") return;
        const channel = (await deps.settings.get(ws)).leadsChannel ?? deps.leadsChannel;
        if (!channel) return;
        const arrived = origin.submittedAt ?? deps.clock.now();
        const state = await deps.speed.register(ws, leadId, channel, arrived);
        if (!state) return;
        const posted = await (await deps.slackFor(ws)).postToChannel(
          { channel },
          speedMessage(state, deps.clock.now()),
        );
        if (posted.ts) await deps.speed.posted(state.row, posted.ts);
      });
    },
    start(everyMs = 30_000) {
      timer ??= setInterval(() => {
        tick().catch((error: unknown) => log.error({ err: error }, "speed-to-lead tick failed"));
      }, everyMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
export type SpeedPosts = ReturnType<typeof createSpeedPosts>;
