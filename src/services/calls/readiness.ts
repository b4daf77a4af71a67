import type { Lead } from "@prisma/client";
import { UserError } from "../../lib/errors.js";
import { dialCheck, parsePhone } from "../../lib/phone.js";
import type { AuditService } from "../audit/audit-store.js";
import { missingLabels, REQUIRED_FOR } from "../setup/settings.js";
import type { CallContext, CallContexts } from "./call-context.js";
import { AGENT_PHONE_MODES, type CallMode } from "./modes.js";

/** Settings a mode still lacks: the labels, for the card to show before anyone clicks and the refusal to name. */
export class MissingSettings extends UserError {
  constructor(readonly labels: string[]) {
    super("missing_settings", { code: "missing_settings", data: { labels }, typed: true });
  }
}

export interface CallReadiness {
  /** Which settings a mode still lacks (labels), for the command to say before anyone clicks. */
  missingFor(ws: number, mode: CallMode, agentId: string, context?: CallContext): Promise<string[]>;
  /** Throws MissingSettings when the mode lacks something; audited as a refusal. */
  requireReady(
    ws: number,
    lead: Pick<Lead, "id">,
    mode: CallMode,
    agentId: string,
    context: CallContext,
  ): Promise<void>;
  /** The checks every call passes before Twilio is asked (a number, callable, in a country the team calls); returns it. */
  checkLead(lead: Lead, agentId: string, countries: readonly string[]): Promise<string>;
  /** The agent's phone is dialled too: it passes the same toll-fraud guard as the lead's. */
  checkAgentPhone(
    ws: number,
    leadId: number,
    agentId: string,
    phone: string,
    countries: readonly string[],
  ): Promise<void>;
}

export function createCallReadiness(deps: {
  contexts: CallContexts;
  audit: AuditService;
  defaultCountry: string;
  publicBaseUrl?: string;
}): CallReadiness {
  const refuse = async (
    agentId: string,
    lead: Lead,
    code: string,
    data: Record<string, unknown> = {},
  ): Promise<never> => {
    await deps.audit.record(lead.workspaceId, agentId, "call.refused", { leadId: lead.id, reason: code });
    throw UserError.of(code, { leadId: lead.id, leadName: lead.name, ...data });
  };

  const readiness: CallReadiness = {
    async missingFor(ws, mode, agentId, context) {
      const ctx = context ?? (await deps.contexts.read(ws, agentId));
      const missing = missingLabels(ctx.settings, mode === "browser" ? REQUIRED_FOR.browser : REQUIRED_FOR.any);
      if (AGENT_PHONE_MODES.has(mode) && !ctx.agentPhone)
        missing.push("Agent phone number (or set your own with /call-lead settings)");
      if (mode === "browser" && !deps.publicBaseUrl)
        missing.push("PUBLIC_BASE_URL (browser calls need an address Twilio can reach)");
      return missing;
    },
    async requireReady(ws, lead, mode, agentId, context) {
      const missing = await readiness.missingFor(ws, mode, agentId, context);
      if (missing.length === 0) return;
      await deps.audit.record(ws, agentId, "call.refused", { leadId: lead.id, reason: "missing_settings", missing });
      throw new MissingSettings(missing);
    },
    async checkLead(lead, agentId, countries) {
      if (!lead.phone) return refuse(agentId, lead, "no_phone");
      if (lead.phoneWrongAt) return refuse(agentId, lead, "phone_wrong");
      const parsed = parsePhone(lead.phone, deps.defaultCountry);
      if (!parsed.ok) return refuse(agentId, lead, "invalid_phone", { phone: lead.phone, reason: parsed.reason });
      const check = dialCheck(parsed.e164, countries);
      if (!check.ok)
        return refuse(agentId, lead, check.reason, {
          reason: check.reason,
          country: check.country,
          phone: parsed.e164,
        });
      return parsed.e164;
    },
    async checkAgentPhone(ws, leadId, agentId, phone, countries) {
      const check = dialCheck(phone, countries);
      if (check.ok) return;
      await deps.audit.record(ws, agentId, "call.refused", { leadId, reason: `agent_${check.reason}` });
      throw UserError.of(`agent_${check.reason}`, { reason: check.reason, country: check.country, phone });
    },
  };
  return readiness;
}
