import type { BlockAction } from "@slack/bolt";
import type { z } from "zod";
import type { CallTarget } from "../../services/calls/call-service.js";
import type { origin } from "./payloads.js";

export type Origin = z.infer<typeof origin>;

/** Where a call's post goes: the card's thread for a card in a channel, the channel for an ephemeral card. */
export function targetOf(body: BlockAction): CallTarget {
  const container = body.container as {
    channel_id?: string;
    is_ephemeral?: boolean;
    message_ts?: string;
    thread_ts?: string;
  };
  const channel = body.channel?.id ?? container.channel_id ?? body.user.id;
  const message = body.message as { ts?: string; thread_ts?: string } | undefined;
  const threadTs = container.is_ephemeral ? undefined : (message?.thread_ts ?? message?.ts ?? container.message_ts);
  return { channel, threadTs };
}

/** The card a button sits on: a card in a channel can be redrawn in place; an ephemeral one cannot. */
export function originOf(body: BlockAction, leadId: number): Origin {
  const container = body.container as { channel_id?: string; is_ephemeral?: boolean; message_ts?: string };
  const channel = body.channel?.id ?? container.channel_id;
  if (container.is_ephemeral || !container.message_ts) return { channel };
  const blocks = (body.message as { blocks?: { block_id?: string; text?: { text?: string } }[] } | undefined)?.blocks;
  const title = blocks?.find((block) => block.block_id === `lead_${leadId}`)?.text?.text ?? "";
  const banner = title.includes("\n") ? title.slice(0, title.indexOf("\n")).slice(0, 300) : undefined;
  return { channel, cardTs: container.message_ts, banner };
}
