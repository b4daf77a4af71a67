import { UserError } from "../../lib/errors.js";
import type { EventBus } from "../../lib/events.js";
import type { Logger } from "../../lib/log.js";
import type { AuditService } from "../audit/audit-store.js";
import { type TwilioClient, toTwilioError } from "../twilio/client.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";
import type { AccountNumber, CallerIdStore } from "./callerid-store.js";
import { localDay, placeOf } from "./pick.js";
import { type Registration, type RegistrationStatus, readRegistrations } from "./registrations.js";

/** One number of the account as `/twilio-setup numbers` shows it. */
export interface NumberReport {
  number: string;
  areaCode: string | null;
  state: string | null;
  inPool: boolean;
  routesInbound: boolean;
  isTeamNumber: boolean;
  callsToday: number;
  callsThisWeek: number;
  answeredThisWeek: number;
  /** One of the texting Messaging Service's senders; undefined when texting is not set up (or unread). */
  textSender?: boolean;
  /** SHAKEN/STIR and CNAM as Trust Hub reports them; undefined when Trust Hub could not be read. */
  registrations?: Record<Registration, RegistrationStatus>;
}

export interface PoolReport {
  numbers: NumberReport[];
  cap: number;
  /** Numbers Twilio no longer lists, found on this refresh. */
  released: string[];
  /** Why registrations are missing, when Trust Hub did not answer. */
  trustHubUnread?: string;
}

export interface CallerIdPool {
  /** Reads the account's voice numbers from Twilio and stores them (new ones out of the pool). */
  refresh(ws: number, now: Date): Promise<{ released: string[] }>;
  /**
   * Refreshes every workspace with a pool (in the background, every few minutes): a number released or
   * pointed elsewhere in Twilio's Console leaves picking without anyone looking.
   */
  refreshAll(now: Date): Promise<{ failed: number }>;
  /** Refreshes, then each number with its calls, routing and registrations. */
  report(ws: number, now: Date): Promise<PoolReport>;
  /**
   * Puts a number of the account in the pool, pointing its Voice URL (and SMS URL) at Leadline so
   * call-backs and texts reach the team, and adding it to the texting Messaging Service's senders.
   */
  add(
    ws: number,
    number: string,
    by: string,
    now: Date,
  ): Promise<{ previousVoiceUrl: string | null; texts: TextsJoin }>;
  remove(ws: number, number: string, by: string): Promise<void>;
  setCap(ws: number, cap: number, by: string): Promise<void>;
}

/**
 * What adding a number did for texts: it joined the Messaging Service's senders (texts to its leads can
 * come from it, and texts to it reach the service's inbound URL), was one already, or could not be one.
 */
export type TextsJoin =
  | { kind: "joined" | "already" | "no_service" | "no_sms" }
  | { kind: "refused"; code: number | null; message: string };

/** Adds the number to the texting Messaging Service's sender pool (Messaging v1 Services/{sid}/PhoneNumbers). */
async function joinTexting(
  client: TwilioClient,
  service: string | undefined,
  number: { number: string; twilioSid: string; sms: boolean },
): Promise<TextsJoin> {
  if (!service) return { kind: "no_service" };
  if (!number.sms) return { kind: "no_sms" };
  const senders = client.messaging.v1.services(service).phoneNumbers;
  try {
    if ((await senders.list({ limit: 1000 })).some((n) => n.phoneNumber === number.number)) return { kind: "already" };
    await senders.create({ phoneNumberSid: number.twilioSid });
    return { kind: "joined" };
  } catch (error) {
    const refused = toTwilioError(error);
    if (!refused) throw error;
    return { kind: "refused", code: Number(refused.code) || null, message: refused.message };
  }
}

/** The texting Messaging Service's senders, for the pool's list; undefined when texting is not set up or unread. */
async function textSenders(
  client: TwilioClient,
  service: string | undefined,
  log: Logger,
): Promise<Set<string> | undefined> {
  if (!service) return undefined;
  try {
    const listed = await client.messaging.v1.services(service).phoneNumbers.list({ limit: 1000 });
    return new Set(listed.map((n) => n.phoneNumber));
  } catch (error) {
    log.warn({ err: error }, "could not read the Messaging Service's senders");
    return undefined;
  }
}

export const MAX_DAILY_CAP = 1000;
const WEEK_MS = 7 * 86_400_000;

export function createCallerIdPool(deps: {
  store: CallerIdStore;
  twilioFor: TwilioFor;
  audit: AuditService;
  events: EventBus;
  log: Logger;
  /** Leadline's inbound Voice URL for the workspace (as `/twilio-setup inbound` sets it). */
  voiceUrl: (ws: number) => string | undefined;
  /** Leadline's inbound-text URL: set as the SMS URL of a number when it joins the pool. */
  smsUrl?: (ws: number) => string | undefined;
}): CallerIdPool {
  const { store } = deps;
  const twilioCall = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toTwilioError(error) ?? error;
    }
  };
  const listed = async (client: TwilioClient, accountSid: string, wanted: string | undefined) => {
    const numbers = await twilioCall(() => client.api.v2010.accounts(accountSid).incomingPhoneNumbers.list());
    return numbers
      .filter((n) => n.capabilities?.voice !== false)
      .map((n): AccountNumber & { voiceUrl: string | null; appSid: string | null; sms: boolean } => ({
        number: n.phoneNumber,
        twilioSid: n.sid,
        ...placeOf(n.phoneNumber),
        // Twilio does not call the Voice URL of a number answered by a TwiML App or a SIP trunk.
        routesInbound: Boolean(wanted) && n.voiceUrl === wanted && !n.voiceApplicationSid && !n.trunkSid,
        voiceUrl: n.voiceUrl ?? null,
        appSid: n.voiceApplicationSid || null,
        sms: n.capabilities?.sms !== false,
      }));
  };

  const refresh: CallerIdPool["refresh"] = async (ws, now) => {
    const { client, accountSid } = await deps.twilioFor(ws);
    const numbers = await listed(client, accountSid, deps.voiceUrl(ws));
    const { released, unrouted } = await store.sync(ws, numbers, now);
    for (const row of released)
      if (row.inPool) deps.events.emit("callerid.number_dropped", { ws, number: row.number, reason: "released" });
    for (const number of unrouted) deps.events.emit("callerid.number_dropped", { ws, number, reason: "not_routing" });
    return { released: released.map((row) => row.number) };
  };

  return {
    refresh,

    async refreshAll(now) {
      let failed = 0;
      for (const ws of await store.poolWorkspaces()) {
        try {
          await refresh(ws, now);
        } catch (error) {
          failed += 1;
          deps.log.warn({ ws, err: error }, "could not refresh the caller-ID pool from Twilio");
        }
      }
      return { failed };
    },

    async report(ws, now) {
      const { released } = await refresh(ws, now);
      const { client, settings } = await deps.twilioFor(ws);
      const [rows, cap, usage] = await Promise.all([
        store.numbers(ws),
        store.cap(ws),
        store.usage(ws, new Date(now.getTime() - WEEK_MS)),
      ]);
      const counts = await store.counts(
        ws,
        rows.map((row) => localDay(row.timeZone, now)),
      );
      const senders = await textSenders(client, settings.messagingServiceSid, deps.log);
      let registrations: Awaited<ReturnType<typeof readRegistrations>> | undefined;
      let trustHubUnread: string | undefined;
      try {
        registrations = await readRegistrations(client);
      } catch (error) {
        const refused = toTwilioError(error);
        trustHubUnread = refused ? `Trust Hub answered ${refused.code}` : "Trust Hub did not answer";
      }
      const numbers = rows.map((row): NumberReport => {
        const count = counts.get(row.number);
        const week = usage.get(row.number);
        return {
          number: row.number,
          areaCode: row.areaCode,
          state: row.state,
          inPool: row.inPool,
          routesInbound: row.routesInbound,
          isTeamNumber: row.number === settings.phoneNumber,
          callsToday: count && count.day === localDay(row.timeZone, now) ? count.count : 0,
          callsThisWeek: week?.week ?? 0,
          answeredThisWeek: week?.answered ?? 0,
          ...(senders ? { textSender: senders.has(row.number) } : {}),
          ...(registrations
            ? { registrations: registrations.get(row.twilioSid) ?? { shakenStir: "none", cnam: "none" } }
            : {}),
        };
      });
      return { numbers, cap, released, ...(trustHubUnread ? { trustHubUnread } : {}) };
    },

    async add(ws, number, by, now) {
      const wanted = deps.voiceUrl(ws);
      if (!wanted) throw UserError.of("callerid_no_public_url");
      const { client, accountSid, settings } = await deps.twilioFor(ws);
      const found = (await listed(client, accountSid, wanted)).find((n) => n.number === number);
      if (!found) throw UserError.of("callerid_not_on_account", { number });
      const sms = deps.smsUrl?.(ws);
      await twilioCall(() =>
        client.api.v2010
          .accounts(accountSid)
          .incomingPhoneNumbers(found.twilioSid)
          .update({
            voiceUrl: wanted,
            voiceMethod: "POST",
            ...(found.appSid ? { voiceApplicationSid: "" } : {}),
            ...(sms && found.sms ? { smsUrl: sms, smsMethod: "POST" } : {}),
          }),
      );
      const texts = await joinTexting(client, settings.messagingServiceSid, found);
      await store.sync(ws, await listed(client, accountSid, wanted), now);
      await store.setInPool(ws, number, true, true);
      await deps.audit.record(ws, by, "callerid.number_added", {
        number: `***${number.slice(-4)}`,
        previous: found.voiceUrl ? "set" : "none",
        texts: texts.kind,
      });
      deps.events.emit("callerid.number_added", { ws, number });
      return { previousVoiceUrl: found.voiceUrl, texts };
    },

    async remove(ws, number, by) {
      if (!(await store.setInPool(ws, number, false))) throw UserError.of("callerid_unknown_number", { number });
      await deps.audit.record(ws, by, "callerid.number_removed", { number: `***${number.slice(-4)}` });
    },

    async setCap(ws, cap, by) {
      if (!Number.isInteger(cap) || cap < 1 || cap > MAX_DAILY_CAP)
        throw UserError.of("callerid_bad_cap", { max: MAX_DAILY_CAP });
      await store.setCap(ws, cap);
      await deps.audit.record(ws, by, "callerid.cap_set", { cap });
    },
  };
}
