import type { Lead } from "@prisma/client";
import type { EventBus } from "../../lib/events.js";
import type { Logger } from "../../lib/log.js";
import type { TwilioSettings } from "../setup/settings.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";
import type { CallerId } from "./callerid-service.js";

/** The number a text goes out from; no `from` lets the Messaging Service pick among its senders. */
export interface TextFrom {
  from?: string;
  /** The text was sent from it: the lead's next call or text comes from the same number. */
  sent(): Promise<void>;
}

export interface TextSender {
  choose(ws: number, lead: Lead, settings: TwilioSettings, now: Date): Promise<TextFrom>;
  /** The Messaging Service's senders (E.164), as Twilio lists them now (read at most once a minute). */
  senders(ws: number, settings: TwilioSettings): Promise<ReadonlySet<string>>;
}

const FRESH_MS = 60_000;
const NONE: TextFrom = { sent: async () => {} };

/**
 * Texts take the caller ID a call to the lead would get (sticky, local, in-state), among the pool
 * numbers that are senders of the workspace's Messaging Service: a number outside it cannot send under
 * the service's A2P campaign. Texts are not counted against the daily cap (it counts calls), but a
 * number at its cap is not picked either. When nothing in the pool fits, the team number is passed if
 * it is a sender, else the Messaging Service picks (as it did before the pool).
 */
export function createTextSender(deps: {
  callerId: Pick<CallerId, "choose" | "confirm">;
  twilioFor: TwilioFor;
  now: () => Date;
  log: Logger;
  /** A number added to the pool may have joined the senders: the workspace's list is read again. */
  events?: Pick<EventBus, "on">;
}): TextSender {
  const cache = new Map<string, { at: number; senders: ReadonlySet<string> }>();
  deps.events?.on("callerid.number_added", ({ ws }) => {
    for (const key of cache.keys()) if (key.startsWith(`${ws}:`)) cache.delete(key);
  });
  const sender: TextSender = {
    async senders(ws, settings) {
      const service = settings.messagingServiceSid;
      if (!service) return new Set();
      const key = `${ws}:${service}`;
      const known = cache.get(key);
      const at = deps.now().getTime();
      if (known && at - known.at < FRESH_MS) return known.senders;
      const { client } = await deps.twilioFor(ws, settings);
      const listed = await client.messaging.v1.services(service).phoneNumbers.list({ limit: 1000 });
      const senders = new Set(listed.map((n) => n.phoneNumber));
      if (cache.size > 1000) cache.clear();
      cache.set(key, { at, senders });
      return senders;
    },

    async choose(ws, lead, settings, now) {
      if (!lead.phone || !settings.phoneNumber) return NONE;
      let among: ReadonlySet<string>;
      try {
        among = await sender.senders(ws, settings);
      } catch (error) {
        deps.log.warn({ ws, err: error }, "could not read the Messaging Service's senders; the service picks");
        return NONE;
      }
      const choice = await deps.callerId.choose(ws, lead, settings.phoneNumber, now, { among, uncounted: true });
      if (!among.has(choice.number)) return NONE;
      // The team number is what is left, not a number the lead should keep seeing.
      return {
        from: choice.number,
        sent: choice.rule === "team" ? NONE.sent : () => deps.callerId.confirm(choice, lead.id),
      };
    },
  };
  return sender;
}
