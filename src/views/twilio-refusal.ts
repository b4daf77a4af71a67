import { escapeMrkdwn } from "./common.js";

/** Twilio's page for an error code: https://www.twilio.com/docs/errors/<code>. */
export const twilioDocsLink = (code: number | string) => `https://www.twilio.com/docs/errors/${code}`;

/**
 * Twilio's refusal in one sentence, the same wherever Twilio said it: a create answered 4xx (a message
 * call, a live call's agent leg) or a call's status callback `failed` with its ErrorCode (a live call's
 * <Dial> to the lead). "Twilio refused the call (13224): <Twilio's words> https://www.twilio.com/docs/errors/13224".
 */
export function twilioRefusalText(
  refusal: { code?: number | string | null; message?: string | null; moreInfo?: string | null },
  what = "the call",
): string {
  const code = refusal.code !== undefined && refusal.code !== null && refusal.code !== "" ? refusal.code : undefined;
  const words = refusal.message ? `: ${escapeMrkdwn(refusal.message)}` : "";
  // Twilio's own link when it gave one (and it is a plain https URL), else its page for the code.
  const link =
    refusal.moreInfo && /^https:\/\/[\w./-]+$/.test(refusal.moreInfo)
      ? ` ${refusal.moreInfo}`
      : code !== undefined && /^\d+$/.test(String(code))
        ? ` ${twilioDocsLink(code)}`
        : "";
  return `Twilio refused ${what}${code !== undefined ? ` (${code})` : ""}${words}${link}`;
}
