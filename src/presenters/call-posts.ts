import { randomUUID } from "node:crypto";
import type { Clock } from "../lib/clock.js";
import type { EventBus } from "../lib/events.js";
import type { Logger } from "../lib/log.js";
import type { CallNotifier } from "../services/calls/call-notifier.js";
import type { CallPost, CallPostStore } from "../services/calls/post-store.js";
import type { SettingsService } from "../services/setup/settings.js";
import type { SlackMessengers } from "../services/slack/messengers.js";
import { callPostMessage, recordingLinkMessage } from "../views/call-message.js";

const DEFAULT_LOCK_MS = 30_000;
/** Enough rounds to catch up with any burst; each round shows the newest state there is. */
const MAX_ROUNDS = 20;

/**
 * The call's post in the channel (its Slack message), kept equal to the call as stored. Every change
 * bumps the call's post version; whoever holds the post's lease (one editor across instances) posts or
 * edits until the post shows the newest version, so a burst of callbacks becomes a few edits, the last
 * edit always shows the final state, and a status that lands before the first post is never lost.
 */
export function createCallPosts({
  posts,
  messengers,
  privacy,
  clock,
  log,
  lockMs,
}: {
  posts: CallPostStore;
  messengers: SlackMessengers;
  /** Whether the workspace masks leads' numbers in channel messages. */
  privacy: Pick<SettingsService, "masksNumbers">;
  clock: Clock;
  log: Logger;
  /** How long an editor's lease on a post lasts; renewed each round. An editor that dies holds it this long. */
  lockMs?: number;
}): CallNotifier & { subscribe(events: EventBus): void } {
  const LOCK_MS = lockMs ?? DEFAULT_LOCK_MS;
  const instance = `posts-${randomUUID()}`;
  let editors = 0;

  /**
   * The post as its channel sees it: a DM with the bot shows the full number, a channel as the workspace says
   * (`known`: as the path that placed the call read it with the call's settings, else read now).
   */
  const message = async (call: CallPost, channel: string, known?: boolean) =>
    callPostMessage(call, {
      maskNumbers: !channel.startsWith("D") && (known ?? (await privacy.masksNumbers(call.workspaceId))),
    });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Takes the call's post lease; the first post waits for it (another editor is about to leave). */
  const lease = async (callId: number, owner: string, wait: boolean): Promise<boolean> => {
    for (let tries = 0; tries < (wait ? 200 : 1); tries += 1) {
      const now = clock.now();
      if (await posts.takeLock(callId, owner, new Date(now.getTime() + LOCK_MS), now)) return true;
      if (wait) await sleep(25);
    }
    return false;
  };

  /** Posts (only with `first`) or edits until the post shows the newest version. Returns whether the first post happened. */
  const catchUp = async (callId: number, first?: { responseUrl?: string; maskNumbers?: boolean }): Promise<boolean> => {
    let posted = false;
    // Each editor holds its own lease token, also against editors in this same process.
    editors += 1;
    const owner = `${instance}-${editors}`;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      if (!(await lease(callId, owner, Boolean(first) && !posted))) return posted;
      try {
        let call = await posts.post(callId);
        for (;;) {
          if (!call || call.postState === "none") return posted;
          if (call.postState === "pending") {
            // Only the path that placed the call posts first; everyone else's change is picked up by it.
            if (!first || posted) return posted;
            posted = await postFirst(call, first.responseUrl, first.maskNumbers);
            if (!posted) return false;
          } else {
            if (call.postShown >= call.postVersion || !call.slackChannel || !call.slackTs) break;
            try {
              await (await messengers.for(call.workspaceId)).update(
                call.slackChannel,
                call.slackTs,
                await message(call, call.slackChannel),
              );
            } catch (error) {
              log.warn({ err: error, callId }, "could not update the call's post");
            }
            await posts.shown(callId, call.postVersion);
          }
          // The whole post is read again only when something changed while it was being shown.
          if ((await posts.needs(callId)) === "nothing") break;
          call = await posts.post(callId);
        }
      } finally {
        await posts.releaseLock(callId, owner);
      }
      // A change that landed after the last read but before the release found the lease taken: look again.
      if ((await posts.needs(callId)) !== "edit") return posted;
    }
    return posted;
  };

  const postFirst = async (call: CallPost, responseUrl?: string, maskNumbers?: boolean) => {
    if (!call.slackChannel) {
      await posts.posted(call.id, undefined, call.postVersion);
      return false;
    }
    try {
      const messenger = await messengers.for(call.workspaceId);
      const result = await messenger.postToChannel(
        { channel: call.slackChannel, threadTs: call.slackThreadTs ?? undefined, responseUrl },
        await message(call, call.slackChannel, maskNumbers),
      );
      // Posted through a response_url there is no message to edit: the post stays as it went out.
      if (result.ts) {
        await posts.posted(call.id, { channel: result.channel ?? call.slackChannel, ts: result.ts }, call.postVersion);
      } else await posts.posted(call.id, undefined, call.postVersion);
      return true;
    } catch (error) {
      log.warn({ err: error, callId: call.id }, "could not post the call");
      await posts.posted(call.id, undefined, call.postVersion);
      return false;
    }
  };

  return {
    subscribe(events) {
      events.on("call.moved", ({ callId }) => catchUp(callId).then(() => undefined));
    },
    async firstPost(callId, via) {
      return catchUp(callId, { responseUrl: via?.responseUrl, maskNumbers: via?.maskNumbers });
    },
    async changed(callId) {
      await catchUp(callId);
    },
    async recording(callId, recording) {
      const call = await posts.post(callId);
      const threadTs = call?.slackTs ?? call?.slackThreadTs ?? undefined;
      if (!call?.slackChannel) return "none";
      const messenger = await messengers.for(call.workspaceId);
      if (recording.audio && threadTs) {
        try {
          await messenger.upload({
            channel: call.slackChannel,
            threadTs,
            bytes: recording.audio,
            filename: `call-${call.twilioSid}.mp3`,
            title: `Recording of the call to ${call.lead.name}`,
            comment: `:studio_microphone: Recording ${recording.sid} of call ${call.twilioSid}`,
          });
          return "uploaded";
        } catch (error) {
          log.warn({ err: error, callId }, "recording upload failed; posting the signed link instead");
        }
      }
      if (!recording.link) return "none";
      await messenger.postToChannel(
        { channel: call.slackChannel, threadTs },
        recordingLinkMessage(call, recording.link),
      );
      return "linked";
    },
  };
}
