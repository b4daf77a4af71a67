import type { Lead, ScheduledCall, Text } from "@prisma/client";

/** What became of a STOP's confirmation: Twilio's own reply only, ours sent, already sent for this STOP, or refused. */
export type StopConfirmation = "twilio" | "sent" | "already" | "not_sent";

/** What the texting domain asks of Slack (the text-posts presenter implements it). */
export interface TextNotifier {
  /** Shows an outbound text in the lead's thread, or brings its message up to date; false when it could not be shown. */
  show(text: Text, lead: Pick<Lead, "id" | "name"> | null): Promise<boolean>;
  /** The lead opted out (STOP or 21610): said in the lead's thread. */
  optedOut(
    ws: number,
    lead: Pick<Lead, "id" | "name"> | null,
    phone: string,
    facts: { source: string; cancelled: ScheduledCall[]; revoked: number; confirmation?: StopConfirmation },
  ): Promise<void>;
}
