import { UserError } from "../../lib/errors.js";
import type { Intelligence } from "../twilio/intelligence.js";
import type { SummarySettings, SummarySettingsService } from "./summary-settings.js";

/** The Voice Intelligence Service Leadline makes for a workspace when none was picked. */
export const SERVICE_NAME = "leadline-call-transcripts";

export type SummaryChange =
  | { kind: "mode"; mode: "on" | "transcripts-only" | "off" }
  | { kind: "retention"; days: number }
  | { kind: "service"; serviceSid: string };

/** `/twilio-setup summaries …` (admins; the listener checks): turn transcripts and summaries on or off, retention, the Service. */
export interface SummarySetup {
  read(ws: number): Promise<SummarySettings>;
  change(ws: number, change: SummaryChange, by: string): Promise<SummarySettings>;
}

export function createSummarySetup(deps: {
  settings: SummarySettingsService;
  intelligence: Pick<Intelligence, "ensureService" | "hasService">;
  /** Whether SUMMARY_API_URL and SUMMARY_MODEL are set where Leadline runs. */
  summariserReady: boolean;
}): SummarySetup {
  return {
    read: (ws) => deps.settings.get(ws),
    async change(ws, change, by) {
      if (change.kind === "retention") return deps.settings.save(ws, { retentionDays: change.days }, by);
      if (change.kind === "service") {
        if (!/^GA[0-9a-fA-F]{32}$/.test(change.serviceSid)) throw UserError.of("service_sid_invalid");
        if (!(await deps.intelligence.hasService(ws, change.serviceSid)))
          throw UserError.of("service_missing", { serviceSid: change.serviceSid });
        return deps.settings.save(ws, { serviceSid: change.serviceSid }, by);
      }
      if (change.mode === "off") return deps.settings.save(ws, { transcripts: false, summaries: false }, by);
      if (change.mode === "on" && !deps.summariserReady) throw UserError.of("summariser_missing");
      const current = await deps.settings.get(ws);
      // Made once with data logging off and redaction on; a Service an admin picked is kept.
      const serviceSid = current.serviceSid ?? (await deps.intelligence.ensureService(ws, SERVICE_NAME));
      return deps.settings.save(ws, { transcripts: true, summaries: change.mode === "on", serviceSid }, by);
    },
  };
}
