import { UserError } from "../../lib/errors.js";
import type { AuditService } from "../audit/audit-store.js";
import { toTwilioError } from "../twilio/client.js";
import { type TwilioFor, TwilioNotConfigured } from "../twilio/workspace-twilio.js";

export type InboundNumberState =
  | { kind: "leadline" }
  | { kind: "elsewhere"; voiceUrl: string | null }
  /** `refusal`: a UserError said in views' words in place of `why`. */
  | { kind: "unknown"; why: string; refusal?: UserError };

export interface InboundNumber {
  /** Whether calls to the team's number reach Leadline (the number's Voice URL, read from Twilio). */
  state(ws: number): Promise<InboundNumberState>;
  /** Points the team's number's Voice URL at Leadline through Twilio's API (IncomingPhoneNumbers update). */
  connect(ws: number, by: string): Promise<{ number: string; previous: string | null }>;
}

export function createInboundNumber(deps: {
  twilioFor: TwilioFor;
  audit: AuditService;
  voiceUrl: (ws: number) => string | undefined;
}): InboundNumber {
  const numberOf = async (ws: number) => {
    const { client, accountSid, settings } = await deps.twilioFor(ws);
    const phoneNumber = settings.phoneNumber;
    if (!phoneNumber) throw new TwilioNotConfigured();
    const [number] = await client.api.v2010.accounts(accountSid).incomingPhoneNumbers.list({ phoneNumber, limit: 1 });
    if (!number) throw UserError.of("number_gone", { number: phoneNumber });
    return { client, accountSid, number };
  };
  return {
    async state(ws) {
      const wanted = deps.voiceUrl(ws);
      if (!wanted) return { kind: "unknown", why: "PUBLIC_BASE_URL is not set, so Twilio cannot reach Leadline" };
      try {
        const { number } = await numberOf(ws);
        return number.voiceUrl === wanted
          ? { kind: "leadline" }
          : { kind: "elsewhere", voiceUrl: number.voiceUrl ?? null };
      } catch (error) {
        const refused = toTwilioError(error);
        return {
          kind: "unknown",
          why: error instanceof UserError ? "" : refused ? `Twilio answered ${refused.code}` : "Twilio did not answer",
          ...(error instanceof UserError ? { refusal: error } : {}),
        };
      }
    },
    async connect(ws, by) {
      const wanted = deps.voiceUrl(ws);
      if (!wanted) throw UserError.of("inbound_no_public_url");
      const { client, accountSid, number } = await numberOf(ws);
      try {
        await client.api.v2010
          .accounts(accountSid)
          .incomingPhoneNumbers(number.sid)
          .update({ voiceUrl: wanted, voiceMethod: "POST" });
      } catch (error) {
        const refused = toTwilioError(error);
        if (refused) throw refused;
        throw error;
      }
      await deps.audit.record(ws, by, "twilio.inbound_connected", {
        number: `***${number.phoneNumber.slice(-4)}`,
        previous: number.voiceUrl ? "set" : "none",
      });
      return { number: number.phoneNumber, previous: number.voiceUrl ?? null };
    },
  };
}
