import type { Text } from "@prisma/client";
import type { EventBus } from "../lib/events.js";
import type { Logger } from "../lib/log.js";
import type { LeadService } from "../services/leads/lead-service.js";
import type { SettingsService } from "../services/setup/settings.js";
import type { SlackMessenger } from "../services/slack/messenger.js";
import type { TextNotifier } from "../services/texts/text-notifier.js";
import type { InboundTextPoster } from "../services/texts/text-outbox.js";
import type { TextStore } from "../services/texts/text-store.js";
import { inboundTextMessage, optedOutMessage, outboundTextLine } from "../views/texts.js";

/**
 * Texts in Slack: an outbound text's line in the lead's thread (kept up to date as Twilio's callbacks
 * arrive), inbound texts (posted by the outbox, in the lead's thread or as a new "Text from …" message
 * in the leads channel), and the opt-out notice.
 */
export function createTextPosts(deps: {
  store: Pick<TextStore, "byId" | "setPost" | "leadThread">;
  leads: Pick<LeadService, "get">;
  settings: Pick<SettingsService, "get">;
  slackFor(ws: number): Promise<SlackMessenger>;
  events: EventBus;
  leadsChannel?: string;
  log: Logger;
}): TextNotifier & InboundTextPoster {
  const leadOf = async (text: Text) =>
    text.leadId ? ((await deps.leads.get(text.workspaceId, text.leadId)) ?? null) : null;
  const channelOf = async (ws: number) => (await deps.settings.get(ws)).leadsChannel ?? deps.leadsChannel;

  const posts: TextNotifier & InboundTextPoster = {
    async show(text, lead) {
      const slack = await deps.slackFor(text.workspaceId);
      const message = outboundTextLine(text, lead);
      if (text.slackTs && text.slackChannel) {
        await slack.update(text.slackChannel, text.slackTs, message);
        return true;
      }
      const channel = text.slackChannel ?? (await channelOf(text.workspaceId));
      if (!channel) return false;
      const threadTs = text.slackThreadTs ?? undefined;
      const posted = await slack.postToChannel({ channel, threadTs }, message);
      if (!posted.channel || !posted.ts) return false;
      await deps.store.setPost(text.id, { channel: posted.channel, ts: posted.ts, threadTs: threadTs ?? null });
      // A callback may have moved the text while it was being posted: show the newest.
      const now = await deps.store.byId(text.workspaceId, text.id);
      if (now && now.status !== text.status) await slack.update(posted.channel, posted.ts, outboundTextLine(now, lead));
      return true;
    },
    async optedOut(ws, lead, phone, facts) {
      const where = lead ? await deps.store.leadThread(ws, lead.id) : undefined;
      const channel = where?.channel ?? (await channelOf(ws));
      if (!channel) return;
      const message = optedOutMessage(lead, phone, { ...facts, cancelled: facts.cancelled.length });
      await (await deps.slackFor(ws)).postToChannel({ channel, threadTs: where?.threadTs }, message);
    },
    async where(text) {
      const thread = text.leadId ? await deps.store.leadThread(text.workspaceId, text.leadId) : undefined;
      if (thread) return { channel: thread.channel, threadTs: thread.threadTs };
      const channel = await channelOf(text.workspaceId);
      return channel ? { channel } : undefined;
    },
    async post(text, where) {
      const slack = await deps.slackFor(text.workspaceId);
      const posted = await slack.postToChannel(where, inboundTextMessage(text, await leadOf(text)));
      return posted.channel && posted.ts ? { channel: posted.channel, ts: posted.ts } : undefined;
    },
  };

  deps.events.on("text.moved", async ({ ws, textId }) => {
    const text = await deps.store.byId(ws, textId);
    // Not posted yet: the first post shows the newest status itself.
    if (!text?.slackTs) return;
    await posts.show(text, await leadOf(text));
  });
  return posts;
}
