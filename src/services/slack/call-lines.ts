import { randomUUID } from "node:crypto";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import { callLineMessage, recordingLinkMessage } from "../../views/call-message.js";
import type { CallNotifier } from "../calls/call-notifier.js";
import type { CallStore } from "../calls/call-store.js";
import type { SlackMessengers } from "./messengers.js";

const DEFAULT_LOCK_MS = 30_000;
/** Enough rounds to catch up with any burst; each round shows the newest state there is. */
const MAX_ROUNDS = 20;

/**
 * The call's line in the channel, kept equal to the call as stored. Every change bumps the call's
 * line version; whoever holds the call's line lease (one editor across instances) posts or edits
 * until the line shows the newest version, so a burst of callbacks becomes a few edits, the last
 * edit always shows the final state, and a status that lands before the first post is never lost.
 */
export function createCallLines({
  calls,
  messengers,
  clock,
  log,
  lockMs,
}: {
  calls: CallStore;
  messengers: SlackMessengers;
  clock: Clock;
  log: Logger;
  /** How long an editor's lease on a line lasts; renewed each round. An editor that dies holds it this long. */
  lockMs?: number;
}): CallNotifier {
  const LOCK_MS = lockMs ?? DEFAULT_LOCK_MS;
  const instance = `lines-${randomUUID()}`;
  let editors = 0;

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Takes the call's line lease; the first post waits for it (another editor is about to leave). */
  const lease = async (callId: number, owner: string, wait: boolean): Promise<boolean> => {
    for (let tries = 0; tries < (wait ? 200 : 1); tries += 1) {
      const now = clock.now();
      if (await calls.takeLineLock(callId, owner, new Date(now.getTime() + LOCK_MS), now)) return true;
      if (wait) await sleep(25);
    }
    return false;
  };

  /** Posts (only with `first`) or edits until the line shows the newest version. Returns whether the first post happened. */
  const catchUp = async (callId: number, first?: { responseUrl?: string }): Promise<boolean> => {
    let posted = false;
    // Each editor holds its own lease token, also against editors in this same process.
    editors += 1;
    const owner = `${instance}-${editors}`;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      if (!(await lease(callId, owner, Boolean(first) && !posted))) return posted;
      try {
        let call = await calls.line(callId);
        for (;;) {
          if (!call || call.lineState === "none") return posted;
          if (call.lineState === "pending") {
            // Only the path that placed the call posts first; everyone else's change is picked up by it.
            if (!first || posted) return posted;
            posted = await postFirst(call, first.responseUrl);
            if (!posted) return false;
          } else {
            if (call.lineShown >= call.lineVersion || !call.slackChannel || !call.slackTs) break;
            try {
              await (await messengers.for(call.workspaceId)).update(
                call.slackChannel,
                call.slackTs,
                callLineMessage(call),
              );
            } catch (error) {
              log.warn({ err: error, callId }, "could not update the call line");
            }
            await calls.lineShown(callId, call.lineVersion);
          }
          // The whole line is read again only when something changed while it was being shown.
          if ((await calls.lineNeeds(callId)) === "nothing") break;
          call = await calls.line(callId);
        }
      } finally {
        await calls.releaseLineLock(callId, owner);
      }
      // A change that landed after the last read but before the release found the lease taken: look again.
      if ((await calls.lineNeeds(callId)) !== "edit") return posted;
    }
    return posted;
  };

  const postFirst = async (call: NonNullable<Awaited<ReturnType<CallStore["line"]>>>, responseUrl?: string) => {
    if (!call.slackChannel) {
      await calls.linePosted(call.id, undefined, call.lineVersion);
      return false;
    }
    try {
      const messenger = await messengers.for(call.workspaceId);
      const result = await messenger.postToChannel(
        { channel: call.slackChannel, threadTs: call.slackThreadTs ?? undefined, responseUrl },
        callLineMessage(call),
      );
      // Posted through a response_url there is no message to edit: the line stays as posted.
      if (result.ts) {
        await calls.linePosted(
          call.id,
          { channel: result.channel ?? call.slackChannel, ts: result.ts },
          call.lineVersion,
        );
      } else await calls.linePosted(call.id, undefined, call.lineVersion);
      return true;
    } catch (error) {
      log.warn({ err: error, callId: call.id }, "could not post the call line");
      await calls.linePosted(call.id, undefined, call.lineVersion);
      return false;
    }
  };

  return {
    async firstPost(callId, via) {
      return catchUp(callId, { responseUrl: via?.responseUrl });
    },
    async changed(callId) {
      await catchUp(callId);
    },
    async recording(callId, recording) {
      const call = await calls.line(callId);
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
