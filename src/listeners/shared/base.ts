import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import type { TaskTracker } from "../../lib/tasks.js";
import type { SlackMessenger } from "../../services/slack/messenger.js";

/** What every listener may use: the log, the clock, work after the ack, and the workspace's Slack adapter. */
export interface ListenerBase {
  log: Logger;
  clock: Clock;
  tasks: Pick<TaskTracker, "run">;
  slackFor(ws: number): Promise<SlackMessenger>;
}
