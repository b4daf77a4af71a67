import { UserError } from "../../lib/errors.js";
import { dialCheck, parsePhone } from "../../lib/phone.js";
import type { AuditService } from "../audit/audit-store.js";
import type { SettingsService, TwilioSettings } from "../setup/settings.js";
import type { AgentPhoneStore } from "./agent-phone-store.js";

/** Words that clear an agent's own phone in /call-lead settings (blank clears too). */
const CLEAR_WORDS = new Set(["", "none", "clear", "remove", "-"]);

export interface AgentPhones {
  /** The agent's own phone (`/call-lead settings`), if they set one. */
  own(ws: number, agentId: string): Promise<string | undefined>;
  /** The phone a call placed for this agent rings first: their own, else the team's agent phone. */
  ringing(ws: number, agentId: string, settings?: TwilioSettings): Promise<string | undefined>;
  /**
   * Sets the agent's own phone from what they typed (it passes the toll-fraud guard like any dialled
   * number); blank or "none" clears it. Returns the number saved, or undefined when cleared.
   */
  set(ws: number, agentId: string, raw: string): Promise<string | undefined>;
}

export function createAgentPhones(deps: {
  store: AgentPhoneStore;
  settings: Pick<SettingsService, "get">;
  audit: AuditService;
  defaultCountry: string;
  allowedCountries: readonly string[];
}): AgentPhones {
  return {
    own: (ws, agentId) => deps.store.get(ws, agentId),
    async ringing(ws, agentId, settings) {
      return (await deps.store.get(ws, agentId)) ?? (settings ?? (await deps.settings.get(ws))).agentPhone;
    },
    async set(ws, agentId, raw) {
      if (CLEAR_WORDS.has(raw.trim().toLowerCase())) {
        await deps.store.set(ws, agentId, null);
        await deps.audit.record(ws, agentId, "agent.phone_cleared", {});
        return undefined;
      }
      const parsed = parsePhone(raw, deps.defaultCountry);
      if (!parsed.ok)
        throw UserError.of("agent_phone_invalid", { raw: raw.trim(), reason: parsed.reason }, { field: "phone" });
      const check = dialCheck(parsed.e164, deps.allowedCountries);
      if (!check.ok) {
        await deps.audit.record(ws, agentId, "agent.phone_refused", { reason: check.reason, country: check.country });
        throw UserError.of(
          `agent_phone_${check.reason}`,
          { reason: check.reason, country: check.country, phone: parsed.e164 },
          { field: "phone" },
        );
      }
      await deps.store.set(ws, agentId, parsed.e164);
      await deps.audit.record(ws, agentId, "agent.phone_set", {});
      return parsed.e164;
    },
  };
}
