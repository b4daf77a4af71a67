import { messageRefusal } from "./block-kit/index.js";
import type { Workspace } from "./workspace.js";

type Json = Record<string, unknown>;

/** What the POST to a response_url is answered with: its status and body. */
export interface ResponseUrlAnswer {
  status: number;
  body: Json | string;
}

/**
 * What a response_url does with a message body: in_channel, ephemeral, replace_original or
 * delete_original (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses).
 * The body is checked as any message is; Slack refuses a bad one with HTTP 400 and the error, as
 * incoming webhooks do (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks#handling_errors).
 */
export function respond(workspace: Workspace, id: string, body: Json): ResponseUrlAnswer {
  const target = workspace.responseTarget(id);
  if (!target) return { status: 404, body: "expired_url" };
  const source = target.channel && target.messageTs ? workspace.find(target.channel, target.messageTs) : undefined;
  if (body.delete_original === true && source) {
    workspace.remove(source);
    return { status: 200, body: "ok" };
  }
  const refused = messageRefusal(body);
  if (refused) return { status: 400, body: refused };
  if (!target.channel) return { status: 200, body: "ok" };
  const content = { text: String(body.text ?? ""), blocks: body.blocks as Json[] | undefined };
  if (body.replace_original === true && source) {
    Object.assign(source, content, { edited: !source.visibleTo });
    workspace.changed();
    return { status: 200, body: "ok" };
  }
  const inChannel = body.response_type === "in_channel";
  workspace.post({
    channel: target.channel,
    ...content,
    threadTs: typeof body.thread_ts === "string" ? body.thread_ts : undefined,
    visibleTo: inChannel ? undefined : target.user,
  });
  return { status: 200, body: "ok" };
}
