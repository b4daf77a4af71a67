import type { KnownBlock } from "@slack/types";
import type { Logger } from "../../lib/log.js";
import type { Deps } from "../index.js";

export interface SlackMessage {
  text: string;
  blocks?: KnownBlock[];
}

export interface PostTarget {
  channel: string;
  threadTs?: string;
  /** The command's or action's response_url: the way to answer when the bot is not in the channel. */
  responseUrl?: string;
}

export interface Posted {
  channel?: string;
  ts?: string;
  via: "chat.postMessage" | "response_url";
}

/** The Slack adapter the services use: post, update and answer, with Slack's fallbacks in one place. */
export interface SlackMessenger {
  /** Posts for the channel to see; when the bot is not a member, answers in_channel via response_url. */
  postToChannel(target: PostTarget, message: SlackMessage): Promise<Posted>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  /** Tells one person, ephemerally: response_url when there is one, else chat.postEphemeral, else a DM. */
  tell(user: string, target: Partial<PostTarget>, message: SlackMessage): Promise<void>;
}

export function createSlackMessenger({ slack, log }: { slack: Deps["slack"]; log: Logger }): SlackMessenger {
  const viaResponseUrl = async (url: string, body: Record<string, unknown>) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`response_url answered ${res.status}`);
  };
  const slackError = (error: unknown) => (error as { data?: { error?: string } })?.data?.error;

  return {
    async postToChannel(target, message) {
      try {
        const result = await slack.chat.postMessage({
          channel: target.channel,
          text: message.text,
          blocks: message.blocks,
          thread_ts: target.threadTs,
          unfurl_links: false,
        });
        return { channel: result.channel, ts: result.ts, via: "chat.postMessage" };
      } catch (error) {
        const code = slackError(error);
        if (target.responseUrl && (code === "not_in_channel" || code === "channel_not_found")) {
          await viaResponseUrl(target.responseUrl, {
            response_type: "in_channel",
            replace_original: false,
            text: message.text,
            blocks: message.blocks,
          });
          return { via: "response_url" };
        }
        throw error;
      }
    },
    async update(channel, ts, message) {
      await slack.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
    },
    async tell(user, target, message) {
      if (target.responseUrl) {
        try {
          await viaResponseUrl(target.responseUrl, {
            response_type: "ephemeral",
            replace_original: false,
            text: message.text,
            blocks: message.blocks,
          });
          return;
        } catch (error) {
          log.warn({ err: error }, "response_url failed; trying an ephemeral message");
        }
      }
      if (target.channel) {
        try {
          await slack.chat.postEphemeral({ channel: target.channel, user, text: message.text, blocks: message.blocks });
          return;
        } catch (error) {
          log.warn({ err: error, code: slackError(error) }, "postEphemeral failed; sending a DM");
        }
      }
      await slack.chat.postMessage({ channel: user, text: message.text, blocks: message.blocks });
    },
  };
}
