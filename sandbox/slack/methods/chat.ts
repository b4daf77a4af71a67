import { messageRefusal } from "../block-kit/index.js";
import type { Json, Method } from "./method.js";

// chat.*: https://docs.slack.dev/reference/methods/chat.postMessage (and .postEphemeral, .update,
// .delete, .getPermalink). Every message is checked as Slack checks it (block-kit/).

const postMessage: Method = (workspace, args) => {
  let channel = String(args.channel ?? "");
  if (workspace.isUser(channel)) {
    // A user id as the channel posts into the app's DM with that user.
    channel = `D${channel.slice(1)}`;
  } else if (!channel.startsWith("D")) {
    if (!workspace.channelExists(channel)) return { ok: false, error: "channel_not_found" };
    if (!workspace.botChannels.has(channel)) return { ok: false, error: "not_in_channel" };
  }
  if (!args.text && !args.blocks) return { ok: false, error: "no_text" };
  const refused = messageRefusal(args);
  if (refused) return refused;
  const threadTs = args.thread_ts ? String(args.thread_ts) : undefined;
  if (threadTs && !workspace.openWorld && !workspace.find(channel, threadTs))
    return { ok: false, error: "thread_not_found" };
  const message = workspace.post({
    channel,
    text: String(args.text ?? ""),
    blocks: args.blocks as Json[] | undefined,
    threadTs,
  });
  return { ok: true, channel, ts: message.ts, message: workspace.messageJson(message) };
};

const postEphemeral: Method = (workspace, args) => {
  const channel = String(args.channel ?? "");
  const user = String(args.user ?? "");
  if (!workspace.isUser(user)) return { ok: false, error: "user_not_found" };
  if (!workspace.channelExists(channel)) return { ok: false, error: "channel_not_found" };
  if (!workspace.botChannels.has(channel)) return { ok: false, error: "not_in_channel" };
  const refused = messageRefusal(args);
  if (refused) return refused;
  const message = workspace.post({
    channel,
    text: String(args.text ?? ""),
    blocks: args.blocks as Json[] | undefined,
    threadTs: args.thread_ts ? String(args.thread_ts) : undefined,
    visibleTo: user,
  });
  return { ok: true, message_ts: message.ts };
};

const update: Method = (workspace, args) => {
  const message = workspace.find(String(args.channel), String(args.ts));
  if (!message || message.visibleTo) return { ok: false, error: "message_not_found" };
  if (message.user) return { ok: false, error: "cant_update_message" };
  const refused = messageRefusal(args);
  if (refused) return refused;
  message.history = [...(message.history ?? []), message.text];
  if (args.text !== undefined) message.text = String(args.text);
  if (args.blocks !== undefined) message.blocks = args.blocks as Json[];
  message.edited = true;
  workspace.changed();
  return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
};

const remove: Method = (workspace, args) => {
  const message = workspace.find(String(args.channel), String(args.ts));
  if (!message) return { ok: false, error: "message_not_found" };
  workspace.remove(message);
  return { ok: true, channel: message.channel, ts: message.ts };
};

const getPermalink: Method = (workspace, args) => ({
  ok: true,
  permalink: `${workspace.baseUrl()}/sandbox#${String(args.channel)}-${String(args.message_ts)}`,
});

export const chatMethods: Record<string, Method> = {
  "chat.postMessage": postMessage,
  "chat.postEphemeral": postEphemeral,
  "chat.update": update,
  "chat.delete": remove,
  "chat.getPermalink": getPermalink,
};
