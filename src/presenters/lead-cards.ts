import type { Clock } from "../lib/clock.js";
import type { EventBus } from "../lib/events.js";
import type { Logger } from "../lib/log.js";
import { ago } from "../lib/time.js";
import type { CardFactsService } from "../services/leads/card-facts.js";
import type { LeadService } from "../services/leads/lead-service.js";
import type { SettingsService } from "../services/setup/settings.js";
import type { SlackMessenger } from "../services/slack/messenger.js";
import { unescapeMrkdwn } from "../views/common.js";
import { cardOptions, leadCard, leadCardText } from "../views/lead-card.js";

/** Where a card was when a person acted on it: a card in a channel (redrawn in place) or an ephemeral one. */
export interface CardOrigin {
  channel?: string;
  cardTs?: string;
  /** The banner the card had (as Leadline wrote it), kept when it is redrawn. */
  banner?: string;
}

export interface LeadCards {
  /** After a save: the card in the channel is redrawn as the lead is now; an ephemeral card gets a fresh copy. */
  refresh(ws: number, userId: string, from: CardOrigin, leadId: number, confirmation: string): Promise<void>;
  /** Posts new leads' cards (lead.created): where the person added it, or the leads channel for speed to lead. */
  subscribe(events: EventBus): void;
  /**
   * Work a new lead's card must wait for (another domain taking up what the lead already did, such as an
   * unknown caller's calls), so the first card shows it.
   */
  settleBeforeCard(work: (ws: number, leadId: number) => Promise<void>): void;
}

export function createLeadCards(deps: {
  leads: Pick<LeadService, "get">;
  cardFacts: CardFactsService;
  settings: Pick<SettingsService, "get" | "masksNumbers">;
  slackFor(ws: number): Promise<SlackMessenger>;
  /** LEADS_CHANNEL_ID: the leads channel when the workspace has not set its own. */
  leadsChannel?: string;
  clock: Clock;
  log: Logger;
}): LeadCards {
  /** A card for a channel shows the lead's number masked when the workspace says so; a DM with the bot never. */
  let settle: ((ws: number, leadId: number) => Promise<void>) | undefined;
  const masked = async (ws: number, channel: string | undefined) =>
    Boolean(channel && !channel.startsWith("D") && (await deps.settings.masksNumbers(ws)));
  const cardMessage = async (ws: number, leadId: number, channel: string | undefined, banner?: string) => {
    const lead = await deps.leads.get(ws, leadId);
    if (!lead) return undefined;
    const maskPhone = await masked(ws, channel);
    const options = cardOptions(await deps.cardFacts.forLeads(ws, [lead]), { banner, maskPhone });
    return {
      lead,
      options,
      message: { text: `New lead: ${leadCardText(lead, maskPhone)}`, blocks: leadCard(lead, options) },
    };
  };

  return {
    settleBeforeCard(work) {
      settle = work;
    },
    async refresh(ws, userId, from, leadId) {
      const lead = await deps.leads.get(ws, leadId);
      if (!lead) return;
      const slack = await deps.slackFor(ws);
      if (from.channel && from.cardTs) {
        try {
          const banner = from.banner ? unescapeMrkdwn(from.banner) : undefined;
          const maskPhone = await masked(ws, from.channel);
          const options = cardOptions(await deps.cardFacts.forLeads(ws, [lead]), { banner, maskPhone });
          await slack.update(from.channel, from.cardTs, {
            text: leadCardText(lead, maskPhone),
            blocks: leadCard(lead, options),
          });
          return;
        } catch (error) {
          deps.log.info({ err: error }, "could not redraw the lead card; sending a fresh copy");
        }
      }
      // The form already said what was saved: the fresh copy is the card as the lead is now, said once.
      const options = cardOptions(await deps.cardFacts.forLeads(ws, [lead]));
      await slack.tell(
        userId,
        { channel: from.channel },
        { text: leadCardText(lead), blocks: leadCard(lead, options) },
      );
    },

    subscribe(events) {
      events.on("lead.created", async ({ ws, leadId, origin }) => {
        await settle?.(ws, leadId).catch((err) =>
          deps.log.warn({ err }, "could not settle a new lead before its card"),
        );
        const slack = await deps.slackFor(ws);
        if (origin.kind === "slack") {
          const banner = `New lead added by <@${origin.userId}>`;
          if (origin.channel) {
            const card = await cardMessage(ws, leadId, origin.channel, banner);
            if (!card) return;
            try {
              await slack.postToChannel({ channel: origin.channel }, card.message);
              return;
            } catch (error) {
              deps.log.info({ err: error }, "could not post the new lead to the channel; telling the user");
            }
          }
          // Told to the person alone: the full number.
          const card = await cardMessage(ws, leadId, undefined, banner);
          if (card) await slack.tell(origin.userId, { channel: origin.channel }, card.message);
          return;
        }
        const channel = (await deps.settings.get(ws)).leadsChannel ?? deps.leadsChannel;
        if (!channel) return;
        const lead = await deps.leads.get(ws, leadId);
        if (!lead) return;
        const arrived = origin.submittedAt ?? lead.createdAt;
        const from = origin.kind === "api" ? lead.source : origin.system;
        const banner = `:rotating_light: New lead${from ? ` from ${from}` : ""} · waited ${ago(arrived, deps.clock.now())} · speed to lead: call now`;
        const card = await cardMessage(ws, leadId, channel, banner);
        if (card) await slack.postToChannel({ channel }, card.message);
      });
    },
  };
}
