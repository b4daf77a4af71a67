import type { Call, Lead } from "@prisma/client";
import type { Logger } from "../../lib/log.js";
import { callMessage } from "../../views/call-message.js";
import type { CallMode } from "../../views/lead-card.js";
import type { Db } from "../store/db.js";
import type { PostTarget, SlackMessenger } from "./messenger.js";

export interface CallAnnouncer {
  /** Posts the call line for the channel (in the card's thread when there is one) and remembers where. */
  announce(call: Call, lead: Lead, target: PostTarget): Promise<void>;
  /** Edits the posted line to the call's current state. */
  refresh(callId: number, note?: string): Promise<void>;
}

export function renderCall(call: Call, lead: Pick<Lead, "id" | "name">, note?: string) {
  return callMessage({
    agentId: call.placedBy,
    leadName: lead.name,
    leadId: lead.id,
    to: call.toNumber,
    from: call.fromNumber,
    mode: call.mode as CallMode,
    sid: call.twilioSid,
    status: call.status,
    durationSec: call.durationSec,
    answeredBy: call.answeredBy,
    note: [call.voicemailLeft ? "left a voicemail" : undefined, note].filter(Boolean).join(", ") || undefined,
  });
}

export function createCallAnnouncer({
  db,
  messenger,
  log,
}: {
  db: Db;
  messenger: SlackMessenger;
  log: Logger;
}): CallAnnouncer {
  const inFlight = new Map<number, { again: boolean; note?: string; done: Promise<void> }>();
  const render = async (callId: number, note?: string) => {
    const call = await db.call.findUnique({ where: { id: callId }, include: { lead: true } });
    if (!call?.slackChannel || !call.slackTs) return;
    try {
      await messenger.update(call.slackChannel, call.slackTs, renderCall(call, call.lead, note));
    } catch (error) {
      log.warn({ err: error, callId }, "could not update the call message");
    }
  };
  return {
    async announce(call, lead, target) {
      const posted = await messenger.postToChannel(target, renderCall(call, lead));
      await db.call.update({
        where: { id: call.id },
        data: {
          slackChannel: posted.channel ?? target.channel,
          slackTs: posted.ts ?? null,
          slackThreadTs: target.threadTs ?? null,
        },
      });
    },
    refresh(callId, note) {
      // One edit at a time per call: a burst of callbacks becomes one edit now and one with the
      // latest state after it, instead of one chat.update each (Slack rate-limits chat.update).
      const running = inFlight.get(callId);
      if (running) {
        running.again = true;
        running.note = note ?? running.note;
        return running.done;
      }
      const state: { again: boolean; note?: string; done: Promise<void> } = {
        again: false,
        note,
        done: Promise.resolve(),
      };
      state.done = (async () => {
        try {
          do {
            state.again = false;
            const pending = state.note;
            state.note = undefined;
            await render(callId, pending);
          } while (state.again);
        } finally {
          inFlight.delete(callId);
        }
      })();
      inFlight.set(callId, state);
      return state.done;
    },
  };
}
