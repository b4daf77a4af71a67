import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import type { TwilioSettings } from "../setup/settings.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";

/** What Twilio says about the Messaging Service's US A2P 10DLC campaign. */
export interface A2pStatus {
  approved: boolean;
  /** Twilio's campaign_status (VERIFIED, IN_PROGRESS, PENDING, FAILED…), or "none" when no campaign is registered. */
  status: string;
  /** Twilio's reasons for a failed registration, in its words. */
  errors: string[];
}

export interface A2pGate {
  /** The campaign's status, asked of Twilio at most once a minute per workspace (`fresh` asks now). */
  status(ws: number, settings: TwilioSettings, fresh?: boolean): Promise<A2pStatus>;
}

const FRESH_MS = 60_000;

/**
 * Texts to US numbers over 10-digit long codes need an approved A2P campaign on the Messaging Service
 * (compliance.md, Release 3): Leadline reads its status (Messaging v1 Services/{sid}/Compliance/Usa2p)
 * and sends nothing until it is VERIFIED.
 */
export function createA2pGate(deps: { twilioFor: TwilioFor; clock: Clock; log: Logger }): A2pGate {
  const cache = new Map<string, { at: number; status: A2pStatus }>();
  return {
    async status(ws, settings, fresh = false) {
      const service = settings.messagingServiceSid;
      if (!service) return { approved: false, status: "none", errors: [] };
      const key = `${ws}:${service}`;
      const known = cache.get(key);
      const now = deps.clock.now().getTime();
      if (!fresh && known && now - known.at < FRESH_MS) return known.status;
      const { client } = await deps.twilioFor(ws, settings);
      const campaigns = await client.messaging.v1.services(service).usAppToPerson.list({ limit: 20 });
      const approved = campaigns.find((c) => c.campaignStatus === "VERIFIED");
      const shown = approved ?? campaigns[0];
      const status: A2pStatus = {
        approved: Boolean(approved),
        status: shown?.campaignStatus ?? "none",
        errors: (shown?.errors ?? []).map((error) => {
          const fields = error as Record<string, unknown>;
          return String(fields.description ?? fields.message ?? JSON.stringify(error)).slice(0, 300);
        }),
      };
      if (cache.size > 1000) cache.clear();
      cache.set(key, { at: now, status });
      return status;
    },
  };
}
