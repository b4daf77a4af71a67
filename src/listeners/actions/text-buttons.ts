import type { App, BlockAction } from "@slack/bolt";
import { z } from "zod";
import { UserError } from "../../lib/errors.js";
import { ids } from "../../lib/ids.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import type { Scheduler } from "../../services/scheduling/scheduler.js";
import type { SettingsService } from "../../services/setup/settings.js";
import { zoneOf } from "../../services/slack/people.js";
import { parseTemplates } from "../../services/texts/compose.js";
import type { TextService } from "../../services/texts/text-service.js";
import { textModal, textScheduledMessage } from "../../views/texts.js";
import type { ListenerBase } from "../shared/base.js";
import { isoTime, jsonValueOf, leadIdOf } from "../shared/payloads.js";
import { tellClicker, tellFailure } from "../shared/reply.js";
import { targetOf } from "../shared/targets.js";
import { workspaceOf } from "../shared/workspace.js";

export interface TextButtonsDeps extends ListenerBase {
  leads: Pick<LeadService, "get">;
  texts: Pick<TextService, "readiness" | "draftOf">;
  settings: Pick<SettingsService, "get">;
  scheduler: Pick<Scheduler, "book">;
}

const sendAtValue = z.object({ textId: z.number().int().positive().max(2_147_483_647), at: isoTime });

/**
 * Text (a lead card, a finished call's line) and Reply by text (an inbound text) open the Text form;
 * Send at … on a text the law refused books it for the next allowed time (the scheduler sends it once).
 */
export function registerTextButtons(app: App, deps: TextButtonsDeps): void {
  const open =
    (reply: boolean) =>
    async ({ ack, body, context }: { ack: () => Promise<void>; body: BlockAction; context: unknown }) => {
      await ack();
      const ws = workspaceOf(context as Parameters<typeof workspaceOf>[0]);
      try {
        const leadId = leadIdOf(body);
        const lead = await deps.leads.get(ws, leadId);
        if (!lead) throw new UserError("That lead no longer exists.", { code: "lead_missing" });
        const target = targetOf(body);
        const meta = { leadId, channel: target.channel, ...(target.threadTs ? { threadTs: target.threadTs } : {}) };
        const off = await deps.texts.readiness(ws, lead);
        const templates = parseTemplates((await deps.settings.get(ws)).textTemplates);
        await (await deps.slackFor(ws)).openView(
          body.trigger_id,
          textModal(lead, { templates, privateMetadata: JSON.stringify(meta), reply, ...(off ? { off } : {}) }),
        );
      } catch (error) {
        await tellFailure(deps, ws, body, error, "opening the Text form");
      }
    };
  app.action<BlockAction>(ids.texts.openAction, open(false));
  app.action<BlockAction>(ids.texts.replyAction, open(true));

  app.action<BlockAction>(ids.texts.sendAtAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    try {
      const { textId, at } = jsonValueOf(body, sendAtValue);
      const draft = await deps.texts.draftOf(ws, textId);
      const target = targetOf(body);
      const booked = await deps.scheduler.book({
        ws,
        leadId: draft.leadId,
        agentId: body.user.id,
        channel: target.channel,
        ...(target.threadTs ? { threadTs: target.threadTs } : {}),
        at,
        bookedBy: body.user.id,
        text: { body: draft.body, fromTextId: textId },
      });
      const zone = await zoneOf(await deps.slackFor(ws), body.user.id);
      await tellClicker(deps, ws, body, textScheduledMessage(booked.lead, at, zone, deps.clock.callingNow()));
    } catch (error) {
      await tellFailure(deps, ws, body, error, "scheduling a text");
    }
  });
}
