import type { App } from "@slack/bolt";
import { z } from "zod";
import { isExpected, UserError } from "../../lib/errors.js";
import { ids } from "../../lib/ids.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import type { SettingsService } from "../../services/setup/settings.js";
import { nameOf, zoneOf } from "../../services/slack/people.js";
import { checkBody, parseTemplates, renderTemplate } from "../../services/texts/compose.js";
import type { TextService } from "../../services/texts/text-service.js";
import { errorMessage, fieldError } from "../../views/errors.js";
import { textSentMessage } from "../../views/texts.js";
import type { ListenerBase } from "../shared/base.js";
import { readMetadata } from "../shared/payloads.js";
import { inputValue, selectedValue } from "../shared/view-state.js";
import { workspaceOf } from "../shared/workspace.js";

export interface TextModalDeps extends ListenerBase {
  leads: Pick<LeadService, "get">;
  texts: Pick<TextService, "sendText">;
  settings: Pick<SettingsService, "get">;
}

const textMeta = z.object({
  leadId: z.number().int().positive().max(2_147_483_647),
  channel: z.string().regex(/^[CGDU][A-Z0-9]{2,}$/),
  threadTs: z
    .string()
    .regex(/^\d{1,12}\.\d{1,9}$/)
    .optional(),
});

/**
 * The Text form sent: the message (or the picked template, filled in) is checked here so an empty or
 * too-long text is answered in the form; then it goes through the same path as /text (the law, the
 * row before Twilio, one text per form: the view's id is its origin), and the outcome is told ephemerally.
 */
export function registerTextModalSubmit(app: App, deps: TextModalDeps): void {
  app.view(ids.texts.callbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    const user = body.user.id;
    let meta: z.infer<typeof textMeta>;
    let message: string;
    try {
      meta = readMetadata(textMeta, view.private_metadata);
      const lead = await deps.leads.get(ws, meta.leadId);
      if (!lead) throw new UserError("That lead no longer exists.", { code: "lead_missing" });
      message = inputValue(view.state, ids.texts.bodyBlock) ?? "";
      const picked = selectedValue(view.state, ids.texts.templateBlock);
      if (!message.trim() && picked !== undefined) {
        const template = parseTemplates((await deps.settings.get(ws)).textTemplates)[Number(picked)];
        if (!template) throw new UserError("That template no longer exists; pick another or write the message.");
        const agentName = await nameOf(await deps.slackFor(ws), user);
        message = renderTemplate(template.body, { leadName: lead.name, ...(agentName ? { agentName } : {}) });
      }
      checkBody(message);
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "checking a text failed");
      await ack({ response_action: "errors", errors: { [ids.texts.bodyBlock]: fieldError(error) } });
      return;
    }
    await ack();
    const target = { channel: meta.channel, ...(meta.threadTs ? { threadTs: meta.threadTs } : {}) };
    deps.tasks.run(async () => {
      const slack = await deps.slackFor(ws);
      try {
        const sent = await deps.texts.sendText({
          workspaceId: ws,
          leadId: meta.leadId,
          body: message,
          agentId: user,
          target,
          originKey: `modal:${view.id}`,
        });
        await slack.tell(user, { channel: meta.channel }, textSentMessage(sent.lead.name, sent.shown));
      } catch (error) {
        if (!isExpected(error)) deps.log.error({ err: error }, "sending a text failed");
        const agentZone = await zoneOf(slack, user);
        const now = deps.clock.now();
        await slack.tell(
          user,
          { channel: meta.channel },
          errorMessage(error, { now, lawNow: deps.clock.callingNow(), agentZone }),
        );
      }
    });
  });
}
