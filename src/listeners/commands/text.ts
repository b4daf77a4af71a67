import type { App } from "@slack/bolt";
import { UserError } from "../../lib/errors.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import type { TextService } from "../../services/texts/text-service.js";
import { escapeTruncate } from "../../views/common.js";
import { answerCommand } from "../shared/answer.js";
import type { ListenerBase } from "../shared/base.js";
import { workspaceOf } from "../shared/workspace.js";

export const TEXT_HELP =
  'Text a lead: `/text <lead> <message>`, where <lead> is `#12` (the lead\'s number in Leadline), their phone number, the last 4 digits, a "quoted name" or one word of the name. E.g. `/text #12 Are you free at 5?`';

/** `#12 hi`, `"Jane Doe" hi`, `(212) 555-0182 hi`, `0182 hi`, `jane hi` → the lead part and the message. */
export function parseTextCommand(text: string): { lead: string; message: string } {
  const input = text.trim();
  const quoted = /^"([^"]+)"\s*([\s\S]*)$/.exec(input);
  if (quoted) return { lead: quoted[1]!.trim(), message: quoted[2]!.trim() };
  const phone = /^(\+?[\d().\s-]{7,}\d)\s+([\s\S]*)$/.exec(input);
  if (phone && /^\+?[\d().\s-]+$/.test(phone[1]!)) return { lead: phone[1]!.trim(), message: phone[2]!.trim() };
  const [lead = "", ...rest] = input.split(/(?<=^\S+)\s+/);
  return { lead, message: rest.join(" ").trim() };
}

export interface TextCommandDeps extends Pick<ListenerBase, "log" | "clock"> {
  leads: Pick<LeadService, "search" | "get">;
  texts: Pick<TextService, "sendText">;
}

export function registerTextCommand(app: App, deps: TextCommandDeps): void {
  app.command("/text", async ({ command, ack, respond, context }) => {
    const ws = workspaceOf(context);
    await answerCommand(deps, { ack, respond, command }, async () => {
      const { lead: who, message } = parseTextCommand(command.text ?? "");
      if (!who || who === "help") return { text: TEXT_HELP };
      if (!message) throw new UserError(`Say what to text, e.g. \`/text ${who} Are you free at 5?\`.`);
      const id = /^#(\d{1,9})$/.exec(who);
      const found = id
        ? { leads: [await deps.leads.get(ws, Number(id[1]))].filter((lead) => lead !== undefined), total: 1 }
        : await deps.leads.search(ws, who, 5);
      if (found.leads.length === 0)
        throw new UserError(`No lead matches “${who}”. Find them with /lead, then use their #number.`);
      if (found.leads.length > 1) {
        const names = found.leads.map((lead) => `#${lead.id} ${escapeTruncate(lead.name, 60)}`).join(", ");
        return {
          text: `:mag: Several leads match “${escapeTruncate(who, 60)}”: ${names}. Say which with its #number.`,
        };
      }
      const lead = found.leads[0]!;
      const sent = await deps.texts.sendText({
        workspaceId: ws,
        leadId: lead.id,
        body: message,
        agentId: command.user_id,
        target: { channel: command.channel_id },
        originKey: `command:${command.trigger_id}`,
      });
      const where = sent.shown ? " Its delivery shows in the lead's thread." : "";
      return { text: `:speech_balloon: Texted *${escapeTruncate(sent.lead.name, 150)}*.${where}` };
    });
  });
}
