import { UserError } from "../../lib/errors.js";
import { parseRetention } from "../../services/transcripts/summary-settings.js";
import type { SummaryChange, SummarySetup } from "../../services/transcripts/summary-setup.js";
import { SUMMARIES_USAGE, summarySettingsMessage } from "../../views/summaries.js";

/** `/twilio-setup summaries …` read as a change (undefined: show the status). The words stay as typed for a SID. */
export function summaryChangeOf(text: string): SummaryChange | undefined {
  const words = text.trim().split(/\s+/).slice(1);
  const verb = (words[0] ?? "").toLowerCase();
  if (verb === "") return undefined;
  if (verb === "on" || verb === "off" || verb === "transcripts-only") return { kind: "mode", mode: verb };
  if (verb === "retention") return { kind: "retention", days: parseRetention(words.slice(1).join(" ")) };
  if (verb === "service" && words[1]) return { kind: "service", serviceSid: words[1] };
  throw new UserError(SUMMARIES_USAGE, { code: "summaries_usage" });
}

/** The admin's `summaries` verbs of /twilio-setup: what each answers. */
export async function summariesVerb(setup: SummarySetup, ws: number, text: string, userId: string) {
  const change = summaryChangeOf(text);
  if (!change) return summarySettingsMessage(await setup.read(ws));
  return summarySettingsMessage(await setup.change(ws, change, userId), true);
}
