import type { KnownBlock, View } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../lib/log.js";
import { createMessageEditor } from "./message-edits.js";
import { createRateGate, type RateGate } from "./rate-gate.js";
import { readSlackFile, type SlackFile } from "./slack-files.js";

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

export interface SlackUserInfo {
  id: string;
  name?: string;
  isAdmin: boolean;
  tz?: string;
}

/**
 * The one module that sends anything to Slack: post, update, ephemeral, DM, respond, upload, views.
 * Slack's fallbacks live here (not in the bot's channel → the response_url; no response_url → an
 * ephemeral message; no channel → a DM).
 */
export interface SlackMessenger {
  /** Posts for the channel to see; when the bot is not a member, answers in_channel via response_url. */
  postToChannel(target: PostTarget, message: SlackMessage): Promise<Posted>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  /** Tells one person, ephemerally: response_url when there is one, else chat.postEphemeral, else a DM. */
  tell(user: string, target: Partial<PostTarget>, message: SlackMessage): Promise<void>;
  /** Replaces the message a response_url belongs to (an ephemeral card, say). */
  replace(responseUrl: string, message: SlackMessage): Promise<void>;
  upload(file: {
    channel: string;
    threadTs?: string;
    bytes: Buffer;
    filename: string;
    title: string;
    comment?: string;
  }): Promise<string | undefined>;
  /** Deletes a file the bot uploaded (files.delete); false when Slack no longer has it. */
  deleteFile(fileId: string): Promise<boolean>;
  /** The bot's direct-message channel with one person (conversations.open): where private deliveries go. */
  directChannel(userId: string): Promise<string>;
  openView(triggerId: string, view: View): Promise<void>;
  updateView(viewId: string, view: View): Promise<void>;
  publishHome(userId: string, view: View): Promise<void>;
  user(userId: string): Promise<SlackUserInfo | undefined>;
  /** The Slack user with this email (users.lookupByEmail, scope users:read.email); undefined when none. */
  userIdByEmail(email: string): Promise<string | undefined>;
  /** A file a person uploaded (a file_input): files.info, then its private URL with the bot token (files:read). */
  readFile(fileId: string, maxBytes: number): Promise<SlackFile>;
}

/** A factory longer than most: its methods share one client, one rate gate and one editor, each method a few lines. */
export function createSlackMessenger({
  slack,
  log,
  gate = createRateGate({ log }),
}: {
  slack: WebClient;
  log: Logger;
  gate?: RateGate;
}): SlackMessenger {
  const viaResponseUrl = async (url: string, body: Record<string, unknown>) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`response_url answered ${res.status}`);
  };
  const slackError = (error: unknown) => (error as { data?: { error?: string } })?.data?.error;
  const edit = createMessageEditor<SlackMessage>(gate, async (channel, ts, { text, blocks }) => {
    await slack.chat.update({ channel, ts, text, blocks });
  });

  return {
    async postToChannel(target, message) {
      try {
        const result = await gate.run(`chat.postMessage ${target.channel}`, () =>
          slack.chat.postMessage({
            channel: target.channel,
            text: message.text,
            blocks: message.blocks,
            thread_ts: target.threadTs,
            unfurl_links: false,
          }),
        );
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
    update: edit,
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
          await gate.run("chat.postEphemeral", () =>
            slack.chat.postEphemeral({ channel: target.channel!, user, text: message.text, blocks: message.blocks }),
          );
          return;
        } catch (error) {
          log.warn({ err: error, code: slackError(error) }, "postEphemeral failed; sending a DM");
        }
      }
      await gate.run(`chat.postMessage ${user}`, () =>
        slack.chat.postMessage({ channel: user, text: message.text, blocks: message.blocks }),
      );
    },
    async replace(responseUrl, message) {
      await viaResponseUrl(responseUrl, {
        response_type: "ephemeral",
        replace_original: true,
        text: message.text,
        blocks: message.blocks,
      });
    },
    async upload({ channel, threadTs, bytes, filename, title, comment }) {
      const result = await gate.run("files.upload", () =>
        slack.files.uploadV2({
          channel_id: channel,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          file: bytes,
          filename,
          title,
          ...(comment ? { initial_comment: comment } : {}),
        } as Parameters<WebClient["files"]["uploadV2"]>[0]),
      );
      // uploadV2 answers with each completeUploadExternal's result: { files: [{ files: [{ id }] }] }.
      const completed = (result as { files?: { files?: { id?: string }[] }[] }).files ?? [];
      return completed[0]?.files?.[0]?.id;
    },
    async deleteFile(fileId) {
      try {
        await gate.run("files.delete", () => slack.files.delete({ file: fileId }));
        return true;
      } catch (error) {
        if (["file_not_found", "file_deleted"].includes(slackError(error) ?? "")) return false;
        throw error;
      }
    },
    async directChannel(userId) {
      const result = await gate.run("conversations.open", () => slack.conversations.open({ users: userId }));
      const id = result.channel?.id;
      if (!id) throw new Error("conversations.open answered without a channel");
      return id;
    },
    async openView(triggerId, view) {
      await gate.run("views.open", () => slack.views.open({ trigger_id: triggerId, view }));
    },
    async updateView(viewId, view) {
      await gate.run("views.update", () => slack.views.update({ view_id: viewId, view }));
    },
    async publishHome(userId, view) {
      await gate.run("views.publish", () => slack.views.publish({ user_id: userId, view }));
    },
    readFile: (fileId, maxBytes) => gate.run("files.info", () => readSlackFile(slack, fileId, maxBytes)),
    async userIdByEmail(email) {
      try {
        const { user } = await gate.run("users.lookupByEmail", () => slack.users.lookupByEmail({ email }));
        return user?.id;
      } catch (error) {
        if (slackError(error) !== "users_not_found")
          log.warn({ err: error, code: slackError(error) }, "users.lookupByEmail failed");
        return undefined;
      }
    },
    async user(userId) {
      try {
        const { user } = await gate.run("users.info", () => slack.users.info({ user: userId }));
        if (!user?.id) return undefined;
        return {
          id: user.id,
          name: user.profile?.display_name || user.real_name || user.name,
          isAdmin: Boolean(user.is_admin || user.is_owner || user.is_primary_owner),
          tz: user.tz,
        };
      } catch (error) {
        log.warn({ err: error, code: slackError(error) }, "users.info failed");
        return undefined;
      }
    },
  };
}
