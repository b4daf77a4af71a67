import type { Logger } from "../lib/log.js";
import type { SlackMessage } from "../services/slack/messenger.js";
import type { SlackMessengers } from "../services/slack/messengers.js";
import type { TranscriptNotifier } from "../services/transcripts/transcript-notifier.js";
import type { TranscriptCall } from "../services/transcripts/transcript-store.js";
import {
  summaryCard,
  summaryUnavailableMessage,
  transcriptComment,
  transcriptFailedMessage,
  transcriptFileText,
} from "../views/summaries.js";

/** The thread of a call's post: where its recording, transcript and summary go. */
const threadOf = (call: TranscriptCall) => {
  const threadTs = call.slackTs ?? call.slackThreadTs ?? undefined;
  return call.slackChannel && threadTs ? { channel: call.slackChannel, threadTs } : undefined;
};

/** Transcripts and summaries in the call's thread: the file, the summary card, and the words when there is none. */
export function createTranscriptPosts(deps: { messengers: SlackMessengers; log: Logger }): TranscriptNotifier {
  const post = async (call: TranscriptCall, message: SlackMessage) => {
    const thread = threadOf(call);
    if (!thread) return undefined;
    const messenger = await deps.messengers.for(call.workspaceId);
    const posted = await messenger.postToChannel(thread, message);
    return posted.ts;
  };
  return {
    async transcript(call, lines, agentName) {
      const thread = threadOf(call);
      // A call with no post has no thread: nothing to attach to, and nothing to retry.
      if (!thread) return { posted: true };
      const messenger = await deps.messengers.for(call.workspaceId);
      const text = transcriptFileText(lines, { agent: agentName, lead: call.lead.name, callSid: call.twilioSid });
      try {
        const fileId = await messenger.upload({
          channel: thread.channel,
          threadTs: thread.threadTs,
          bytes: Buffer.from(text, "utf8"),
          filename: `transcript-${call.twilioSid ?? call.id}.txt`,
          title: `Transcript of the call with ${call.lead.name}`,
          comment: transcriptComment(call.lead.name),
        });
        return { posted: true, fileId };
      } catch (error) {
        deps.log.warn({ callId: call.id, code: (error as { code?: unknown }).code }, "could not upload the transcript");
        return { posted: false };
      }
    },
    async deleteTranscriptFile(ws, fileId) {
      await (await deps.messengers.for(ws)).deleteFile(fileId);
    },
    async transcriptFailed(call) {
      await post(call, transcriptFailedMessage(call.lead.name));
    },
    async summary(call, summary) {
      return post(
        call,
        summaryCard({
          callId: call.id,
          leadName: call.lead.name,
          summary: summary.data,
          suggestions: summary.suggestions,
          cut: summary.cut,
        }),
      );
    },
    async summaryUnavailable(call) {
      await post(call, summaryUnavailableMessage());
    },
  };
}
