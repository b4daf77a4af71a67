import { UserError } from "../../lib/errors.js";
import type { SettingsStore } from "../setup/settings-store.js";
import type { SecretStore } from "../store/secrets.js";

export const DEFAULT_RETENTION_DAYS = 90;
const MAX_RETENTION_DAYS = 3650;

/** A workspace's transcript and summary settings (`/twilio-setup summaries`). Both are off until an admin turns them on. */
export interface SummarySettings {
  transcripts: boolean;
  summaries: boolean;
  retentionDays: number;
  /** The Voice Intelligence Service transcripts are made with. */
  serviceSid?: string;
}

const NAMES = {
  transcripts: "summaries.transcripts",
  summaries: "summaries.enabled",
  retentionDays: "summaries.retentionDays",
  serviceSid: "summaries.intelligenceService",
} as const;

export interface SummarySettingsService {
  get(ws: number): Promise<SummarySettings>;
  save(ws: number, change: Partial<SummarySettings>, actor: string): Promise<SummarySettings>;
}

/** "30", "30 days", "30d": the retention in days, within 1 day and 10 years. */
export function parseRetention(text: string): number {
  const match = /^\s*(\d{1,4})\s*(?:d|days?)?\s*$/i.exec(text);
  const days = match ? Number(match[1]) : Number.NaN;
  if (!Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS)
    throw UserError.of("retention_invalid", { max: MAX_RETENTION_DAYS });
  return days;
}

export function createSummarySettings(deps: {
  secrets: Pick<SecretStore, "getMany" | "setMany">;
  store: Pick<SettingsStore, "changeTogether">;
}): SummarySettingsService {
  const names = Object.values(NAMES);
  const service: SummarySettingsService = {
    async get(ws) {
      const { values } = await deps.secrets.getMany(ws, names);
      const days = Number(values[NAMES.retentionDays]);
      return {
        transcripts: values[NAMES.transcripts] === "on",
        summaries: values[NAMES.summaries] === "on",
        retentionDays: Number.isInteger(days) && days > 0 ? days : DEFAULT_RETENTION_DAYS,
        serviceSid: values[NAMES.serviceSid] || undefined,
      };
    },
    async save(ws, change, actor) {
      const writes: Record<string, string | null> = {};
      if (change.transcripts !== undefined) writes[NAMES.transcripts] = change.transcripts ? "on" : "off";
      if (change.summaries !== undefined) writes[NAMES.summaries] = change.summaries ? "on" : "off";
      if (change.retentionDays !== undefined) writes[NAMES.retentionDays] = String(change.retentionDays);
      if (change.serviceSid !== undefined) writes[NAMES.serviceSid] = change.serviceSid;
      await deps.store.changeTogether(
        ws,
        actor,
        { action: "summary_settings.saved", detail: { changed: Object.keys(change) } },
        (tx) => deps.secrets.setMany(ws, writes, actor, { tx }),
      );
      return service.get(ws);
    },
  };
  return service;
}
