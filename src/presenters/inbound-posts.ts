import type { Logger } from "../lib/log.js";
import type { InboundAnnouncer } from "../services/inbound/inbound-service.js";
import type { SettingsService } from "../services/setup/settings.js";
import type { SlackMessenger } from "../services/slack/messenger.js";
import { inboundCallMessage, transcriptMessage, voicemailMessage } from "../views/inbound.js";

/** An inbound call's post in Slack: in the lead's last call thread, else the leads channel; its voicemail and transcript in the thread. */
export function createInboundPosts(deps: {
  settings: Pick<SettingsService, "get" | "masksNumbers">;
  slackFor(ws: number): Promise<SlackMessenger>;
  /** LEADS_CHANNEL_ID: the leads channel when the workspace has not set its own. */
  leadsChannel?: string;
  log: Logger;
}): InboundAnnouncer {
  /** A channel of a workspace that masks numbers sees the caller's last 4 digits; a DM with the bot the whole number. */
  const mask = async (ws: number, channel: string) => ({
    maskNumbers: !channel.startsWith("D") && (await deps.settings.masksNumbers(ws)),
  });
  return {
    async post(call, where) {
      const channel = where?.channel ?? (await deps.settings.get(call.workspaceId)).leadsChannel ?? deps.leadsChannel;
      if (!channel) {
        deps.log.info(
          { inboundCallId: call.id },
          "an inbound call has no channel to be shown in (set a leads channel)",
        );
        return undefined;
      }
      const slack = await deps.slackFor(call.workspaceId);
      const posted = await slack.postToChannel(
        { channel, threadTs: where?.threadTs },
        inboundCallMessage(call, await mask(call.workspaceId, channel)),
      );
      return posted.channel && posted.ts ? { channel: posted.channel, ts: posted.ts } : undefined;
    },
    async update(call) {
      if (call.slackChannel && call.slackTs)
        await (await deps.slackFor(call.workspaceId)).update(
          call.slackChannel,
          call.slackTs,
          inboundCallMessage(call, await mask(call.workspaceId, call.slackChannel)),
        );
    },
    async voicemail(call, audio) {
      if (!call.slackChannel) return;
      const slack = await deps.slackFor(call.workspaceId);
      const threadTs = call.slackThreadTs ?? call.slackTs ?? undefined;
      if (audio) {
        try {
          await slack.upload({
            channel: call.slackChannel,
            threadTs,
            bytes: audio,
            filename: `voicemail-${call.twilioSid}.mp3`,
            title: voicemailMessage(call, true, await mask(call.workspaceId, call.slackChannel)).text,
          });
          return;
        } catch (error) {
          deps.log.warn({ err: error }, "could not upload the voicemail");
        }
      }
      await slack.postToChannel(
        { channel: call.slackChannel, threadTs },
        voicemailMessage(call, false, await mask(call.workspaceId, call.slackChannel)),
      );
    },
    async transcript(call) {
      if (!call.slackChannel) return;
      await (await deps.slackFor(call.workspaceId)).postToChannel(
        { channel: call.slackChannel, threadTs: call.slackThreadTs ?? call.slackTs ?? undefined },
        transcriptMessage(call),
      );
    },
  };
}
