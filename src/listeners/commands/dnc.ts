import type { App } from "@slack/bolt";
import { UserError } from "../../lib/errors.js";
import type { DncService } from "../../services/compliance/dnc-service.js";
import { DNC_HELP, dncAdded, dncChecked, dncRemoved } from "../../views/dnc.js";
import { answerCommand } from "../shared/answer.js";
import type { ListenerBase } from "../shared/base.js";
import { workspaceOf } from "../shared/workspace.js";

/** "add (212) 555-0182 asked us to stop" → { verb: "add", phone: "(212) 555-0182", reason: "asked us to stop" }. */
export function parseDncText(text: string): { verb: string; phone: string; reason: string } {
  const [verb = "", ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const phoneWords: string[] = [];
  let index = 0;
  while (index < rest.length && /^[+()\d.-]+$/.test(rest[index]!)) phoneWords.push(rest[index++]!);
  // No digits up front: the first word is what they meant as the number (its error says why not).
  if (phoneWords.length === 0 && rest.length > 0) phoneWords.push(rest[index++]!);
  return { verb: verb.toLowerCase(), phone: phoneWords.join(" "), reason: rest.slice(index).join(" ") };
}

export interface DncCommandDeps extends Pick<ListenerBase, "log" | "clock"> {
  dnc: Pick<DncService, "add" | "remove" | "check">;
}

export function registerDncCommand(app: App, deps: DncCommandDeps): void {
  app.command("/dnc", async ({ command, ack, respond, context }) => {
    const ws = workspaceOf(context);
    await answerCommand(deps, { ack, respond, command }, async () => {
      const { verb, phone, reason } = parseDncText(command.text ?? "");
      if (verb === "" || verb === "help") return { text: DNC_HELP };
      if (!["add", "remove", "check"].includes(verb))
        throw new UserError(
          `/dnc ${verb} is not a /dnc command. Use add, remove or check, e.g. \`/dnc check (212) 555-0182\`.`,
        );
      if (!phone)
        throw new UserError(
          `Say which number, e.g. \`/dnc ${verb} (212) 555-0182${verb === "remove" ? " added by mistake" : ""}\`.`,
        );
      const now = deps.clock.now();
      if (verb === "add") {
        const { entry, added } = await deps.dnc.add(ws, phone, "command", command.user_id, reason || undefined);
        return dncAdded(entry.phone, entry, added, now);
      }
      if (verb === "remove") {
        const removed = await deps.dnc.remove(ws, phone, command.user_id, reason);
        return dncRemoved(removed.phone);
      }
      const checked = await deps.dnc.check(ws, phone);
      return dncChecked(checked.phone, checked.entry, now);
    });
  });
}
