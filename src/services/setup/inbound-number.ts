import { UserError } from "../../lib/errors.js";
import type { AuditService } from "../audit/audit-store.js";
import { toTwilioError } from "../twilio/client.js";
import { type TwilioFor, TwilioNotConfigured } from "../twilio/workspace-twilio.js";

export type InboundNumberState =
  | { kind: "leadline" }
  | { kind: "elsewhere"; voiceUrl: string | null }
  | { kind: "unknown"; why: string };

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
    if (!number)
      throw new UserError(`${phoneNumber} is no longer a number on this Twilio account.`, {
        code: "number_gone",
        data: { number: phoneNumber },
      });
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
          why:
            error instanceof UserError
              ? error.message
              : refused
                ? `Twilio answered ${refused.code}`
                : "Twilio did not answer",
        };
      }
    },
    async connect(ws, by) {
      const wanted = deps.voiceUrl(ws);
      if (!wanted)
        throw new UserError(
          "Set PUBLIC_BASE_URL (the https address Twilio reaches Leadline at) first: Twilio needs it to send calls to Leadline.",
        );
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
