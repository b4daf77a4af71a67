import type { App } from "@slack/bolt";
import { UserError } from "../../lib/errors.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import type { TextService } from "../../services/texts/text-service.js";
import { escapeTruncate } from "../../views/common.js";
import { TEXT_HELP, textSentMessage } from "../../views/texts.js";
import { answerCommand } from "../shared/answer.js";
import type { ListenerBase } from "../shared/base.js";
import { workspaceOf } from "../shared/workspace.js";

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
      if (!message) throw UserError.of("text_no_message", { who });
      const id = /^#(\d{1,9})$/.exec(who);
      const found = id
        ? { leads: [await deps.leads.get(ws, Number(id[1]))].filter((lead) => lead !== undefined), total: 1 }
        : await deps.leads.search(ws, who, 5);
      if (found.leads.length === 0) throw UserError.of("text_no_lead", { who });
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
      return textSentMessage(sent.lead.name, sent.shown);
    });
  });
}
