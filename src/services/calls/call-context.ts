import type { SettingsService, TwilioSettings } from "../setup/settings.js";
import type { AgentPhones } from "./agent-phones.js";

/** What placing one call needs to know, read once per call: the settings, the team's countries, the agent's phone. */
export interface CallContext {
  settings: TwilioSettings;
  /** The countries this team calls: its own list in /twilio-setup, within the instance's ALLOWED_COUNTRIES. */
  countries: readonly string[];
  /** The phone a call placed for this agent rings first (theirs, else the team's agent phone). */
  agentPhone?: string;
  /** Whether channel posts show a lead's number as its last 4 digits: read with the settings, for the call's first post. */
  maskNumbers: boolean;
}

/** The team's countries: its list in /twilio-setup, narrowed to the instance's ALLOWED_COUNTRIES. */
export function teamCountries(settings: TwilioSettings, allowedCountries: readonly string[]): readonly string[] {
  if (!settings.teamCountries) return allowedCountries;
  const wanted = settings.teamCountries.split(",").map((code) => code.trim().toUpperCase());
  return allowedCountries.filter((code) => wanted.includes(code));
}

export interface CallContexts {
  read(ws: number, agentId: string): Promise<CallContext>;
}

export function createCallContexts(deps: {
  settings: Pick<SettingsService, "getWithPrivacy">;
  agentPhones: Pick<AgentPhones, "own">;
  allowedCountries: readonly string[];
}): CallContexts {
  return {
    async read(ws, agentId) {
      const [{ settings, maskNumbers }, own] = await Promise.all([
        deps.settings.getWithPrivacy(ws),
        deps.agentPhones.own(ws, agentId),
      ]);
      return {
        settings,
        countries: teamCountries(settings, deps.allowedCountries),
        agentPhone: own ?? settings.agentPhone,
        maskNumbers,
      };
    },
  };
}
