import type { InboundCall } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { ComplianceBlock, isExpected } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import type { SettingsService } from "../setup/settings.js";
import type { TextService } from "./text-service.js";
import type { TextStore } from "./text-store.js";

const DAY_MS = 24 * 3600_000;

export type TextBackOutcome = "off" | "unknown_caller" | "already" | "sent" | "booked" | "refused";

export interface TextBack {
  /** An inbound call nobody answered: one informational text now, or at the next allowed time (8:00 there). */
  missed(
    call: Pick<InboundCall, "id" | "workspaceId" | "leadId" | "fromNumber" | "ringAgentId">,
  ): Promise<TextBackOutcome>;
}

/**
 * Missed-call text-back (a workspace setting, off while its message is blank). The text goes through the
 * same path as any text (the law for texts, the do-not-call list, the A2P gate, the row before Twilio) as
 * an informational text, not marketing. One per missed call (the call's id is its origin), and at most
 * one a day per number, so a caller who tries five times is not texted five times. Refused in quiet hours,
 * it is booked for the next allowed time and sent then by the scheduler; on the do-not-call list, never.
 */
export function createTextBack(deps: {
  settings: Pick<SettingsService, "get">;
  store: Pick<TextStore, "textBackSince">;
  texts: Pick<TextService, "sendText">;
  /** Books the text for later (the scheduler's Send at …), as the text-back. */
  book(input: {
    ws: number;
    leadId: number;
    agentId: string;
    channel: string;
    at: Date;
    body: string;
  }): Promise<unknown>;
  leadsChannel(ws: number): Promise<string | undefined>;
  clock: Clock;
  log: Logger;
}): TextBack {
  return {
    async missed(call) {
      const ws = call.workspaceId;
      const message = (await deps.settings.get(ws)).textBack?.trim();
      if (!message) return "off";
      // A text is about a lead (its thread, its law); an unknown caller is posted with Add as lead instead.
      if (!call.leadId) return "unknown_caller";
      if (await deps.store.textBackSince(ws, call.fromNumber, new Date(deps.clock.now().getTime() - DAY_MS)))
        return "already";
      const channel = await deps.leadsChannel(ws);
      try {
        await deps.texts.sendText({
          workspaceId: ws,
          leadId: call.leadId,
          body: message,
          agentId: "leadline",
          kind: "textback",
          originKey: `textback:${call.id}`,
          ...(channel ? { target: { channel } } : {}),
        });
        return "sent";
      } catch (error) {
        const verdict = error instanceof ComplianceBlock ? error.verdict : undefined;
        const dnc = verdict?.reasons.some((reason) => reason.kind === "dnc");
        if (verdict?.nextAllowedAt && !dnc && channel) {
          await deps.book({
            ws,
            leadId: call.leadId,
            agentId: call.ringAgentId ?? "leadline",
            channel,
            at: verdict.nextAllowedAt,
            body: message,
          });
          return "booked";
        }
        if (!isExpected(error)) throw error;
        deps.log.info({ inboundCallId: call.id, err: error }, "missed-call text-back not sent");
        return "refused";
      }
    },
  };
}
