import { LiveMap } from "../../sandbox/lib/live-map.js";
import type { RateLimitOptions } from "../../sandbox/slack/rate-limits.js";
import {
  type SlackCall,
  type SlackRefusal,
  type SlackSimulator,
  startSlackSimulator,
} from "../../sandbox/slack/simulator.js";

// The tests' view of the simulated Slack (sandbox/slack/simulator.ts), the one Slack the sandbox runs
// too. Its workspace is an open world: the tests make up user, channel and trigger ids.

type Json = Record<string, unknown>;

export type { SlackCall, SlackRefusal };

export interface SlackUser {
  id: string;
  name: string;
  is_admin?: boolean;
  is_owner?: boolean;
  tz?: string;
  email?: string;
}

export interface FakeSlack {
  url: string;
  apiUrl: string;
  calls: SlackCall[];
  responses: { path: string; body: Json; at: number }[];
  /** Messages and views Slack refused for what they held (Block Kit limits): Leadline should never send one. */
  refusals: SlackRefusal[];
  users: Map<string, SlackUser>;
  /** Channels the bot is a member of; posting elsewhere gives `not_in_channel`. */
  botChannels: Set<string>;
  messages: Map<string, Json>;
  views: Map<string, Json>;
  delays: Map<string, number>;
  /** A one-off error for a method, e.g. `failNext.set("views.open", "expired_trigger_id")`. */
  failNext: Map<string, string>;
  callsTo(method: string): SlackCall[];
  responseUrl(): string;
  waitFor<T>(find: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  /** The simulator itself, for fault injection the fake's own fields do not cover (authError, unreachable…). */
  sim: SlackSimulator;
  close(): Promise<void>;
}

/** Who auth.test says the tests' workspace and bot are (payloads in test/helpers use the same ids). */
const TEST_IDENTITY = {
  team: { id: "T0LEADLINE", domain: "leadline-test", name: "Leadline Test" },
  botUserId: "U0BOT",
  botId: "B0BOT",
  appId: "A0LEADLINE",
};

/**
 * Block Kit is always checked as Slack checks it. Rate limits are off unless a test asks for them
 * (with a time scale, so minutes of Slack traffic pass in seconds): most tests are not about pace.
 */
export async function startFakeSlack(options: { rateLimits?: RateLimitOptions } = {}): Promise<FakeSlack> {
  const sim = await startSlackSimulator({
    workspace: { identity: TEST_IDENTITY, openWorld: true },
    recordRequests: true,
    rateLimits: options.rateLimits ?? false,
  });
  const { workspace } = sim;

  return {
    url: sim.url,
    apiUrl: sim.apiUrl,
    calls: sim.requests,
    responses: sim.responses,
    refusals: sim.refusals,
    users: workspace.users,
    botChannels: workspace.botChannels,
    messages: new LiveMap<string, Json>({
      entries: () =>
        workspace.messages.map((message) => [
          `${message.channel}:${message.ts}`,
          { ...workspace.messageJson(message), channel: message.channel },
        ]),
    }),
    views: new LiveMap<string, Json>({
      entries: () => [...workspace.views.values()].map((view) => [view.id, workspace.viewJson(view)]),
      get: (id) => {
        const view = workspace.views.get(id);
        return view && workspace.viewJson(view);
      },
    }),
    delays: sim.faults.delays,
    failNext: sim.faults.failNext,
    callsTo: (method) => sim.requests.filter((call) => call.method === method),
    responseUrl: () => workspace.issueResponseUrl(),
    async waitFor(find, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find();
        if (found) return found as never;
        if (Date.now() > deadline) throw new Error("fake Slack: timed out waiting for the expected request");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    sim,
    close: () => sim.close(),
  };
}
