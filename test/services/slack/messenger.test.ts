import type { Logger as SlackLogger } from "@slack/logger";
import { LogLevel } from "@slack/logger";
import { afterEach, describe, expect, it } from "vitest";
import { type SlackSimulator, startSlackSimulator } from "../../../sandbox/slack/simulator.js";
import { createLogger } from "../../../src/lib/log.js";
import { createSlackMessenger } from "../../../src/services/slack/messenger.js";
import { slackClient } from "../../../src/services/slack/messengers.js";
import { eventually } from "../../helpers/app.js";

// The Slack adapter against the simulated Slack with its rate limits on: a 429's Retry-After is
// waited out per limit, a message's edits are folded into one (the newest wins), nothing is sent early.

const quiet: SlackLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

describe("the Slack adapter under Slack's rate limits", () => {
  let slack: SlackSimulator;
  afterEach(async () => {
    await slack.close();
  });

  /** By default a Slack minute lasts a real second. */
  async function start(perMinute: Record<string, number>, timeScale = 60) {
    slack = await startSlackSimulator({
      workspace: { openWorld: true },
      recordRequests: true,
      rateLimits: { perMinute, timeScale },
    });
    slack.workspace.botChannels.add("C0LEADS001");
    return createSlackMessenger({ slack: slackClient("xoxb-test", slack.apiUrl, quiet), log: createLogger("silent") });
  }

  it("waits out chat.update's 429, folds the edits asked meanwhile into one, and ends showing the newest", async () => {
    const messenger = await start({ "chat.update": 1 });
    const posted = await messenger.postToChannel({ channel: "C0LEADS001" }, { text: "dialing" });
    await messenger.update("C0LEADS001", posted.ts!, { text: "ringing" });
    const states = ["in progress", "answered", "completed", "completed · Interested"];
    await Promise.all(states.map((text) => messenger.update("C0LEADS001", posted.ts!, { text })));
    expect(slack.workspace.find("C0LEADS001", posted.ts!)?.text).toBe("completed · Interested");
    const updates = slack.requests.filter((r) => r.method === "chat.update");
    expect(updates.some((r) => r.retryAfter !== undefined)).toBe(true);
    expect(updates.filter((r) => r.early)).toEqual([]);
    // Five edits, one a Slack minute: the first went out, the four asked after it as one, after the wait.
    expect(updates.filter((r) => r.retryAfter === undefined).map((r) => r.args.text)).toEqual([
      "ringing",
      "completed · Interested",
    ]);
  });

  it("a chat.update limit does not hold back a modal (views.open has its own)", async () => {
    const messenger = await start({ "chat.update": 1 });
    const posted = await messenger.postToChannel({ channel: "C0LEADS001" }, { text: "one" });
    await messenger.update("C0LEADS001", posted.ts!, { text: "two" });
    const waiting = messenger.update("C0LEADS001", posted.ts!, { text: "three" });
    await eventually(
      () => slack.requests.some((r) => r.method === "chat.update" && r.retryAfter !== undefined),
      "chat.update's 429",
    );
    const started = Date.now();
    await messenger.openView("1.2.trigger", {
      type: "modal",
      title: { type: "plain_text", text: "Add a lead" },
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "hi" } }],
    });
    expect(Date.now() - started).toBeLessThan(500);
    await waiting;
    expect(slack.workspace.find("C0LEADS001", posted.ts!)?.text).toBe("three");
    expect(slack.requests.filter((r) => r.early)).toEqual([]);
  });

  it("posts in one channel past its burst by waiting, not by failing", async () => {
    // Slack at twice its pace: a channel's burst of 5 is over before a real second has passed.
    const messenger = await start({}, 2);
    const posted = await Promise.all(
      Array.from({ length: 8 }, (_, i) => messenger.postToChannel({ channel: "C0LEADS001" }, { text: `line ${i}` })),
    );
    expect(posted.every((p) => p.ts)).toBe(true);
    const posts = slack.requests.filter((r) => r.method === "chat.postMessage");
    expect(posts.some((r) => r.retryAfter !== undefined)).toBe(true);
    expect(posts.filter((r) => r.early)).toEqual([]);
  });
});
