import type { Lead } from "@prisma/client";
import type { EventBus } from "../../lib/events.js";
import type { Logger } from "../../lib/log.js";
import type { CallerIdStore } from "./callerid-store.js";
import { type CallerIdRule, localDay, type PoolNumber, pickCallerId, placeOf } from "./pick.js";

/** The caller ID chosen for one call (or text), counted against its number's cap on `day`. */
export interface CallerIdChoice {
  workspaceId: number;
  number: string;
  rule: CallerIdRule;
  /** The number's local day the call was counted on. */
  day: string;
}

export interface ChooseOptions {
  /** Only these pool numbers may be picked (a text: the Messaging Service's senders). */
  among?: ReadonlySet<string>;
  /** Pick without counting against the daily cap (a text: the cap counts calls). */
  uncounted?: boolean;
}

/** Twilio's refusal of a From that is not (or no longer) a number of the account. */
export const FROM_NOT_ON_ACCOUNT = 21210;

/** The team number has no cap: it is what is left when every pool number is full or unusable. */
const UNCAPPED = 2_000_000_000;

/**
 * The caller ID of every call Leadline places. Every path that dials or texts a lead (a click, a
 * command, the scheduler, a browser call; the queue's and texts' own paths) calls `choose` and stores
 * the number on its row, then `confirm` once the row exists or `release` when nothing was placed.
 */
export interface CallerId {
  /**
   * The caller ID for a call to the lead now (the rules are in pick.ts), already counted against the
   * number's daily cap: when another instance filled the number in between, the next best is taken.
   */
  choose(
    ws: number,
    lead: Pick<Lead, "id" | "phone" | "state" | "zip">,
    teamNumber: string,
    now: Date,
    options?: ChooseOptions,
  ): Promise<CallerIdChoice>;
  /** The row using the choice exists: the lead's next call comes from the same number while it can. */
  confirm(choice: CallerIdChoice, leadId: number): Promise<void>;
  /** Nothing was placed with the choice (blocked, already calling): its count is given back. */
  release(choice: CallerIdChoice): Promise<void>;
  /**
   * Twilio refused the number as a caller ID (it left the account): it leaves the pool and admins are
   * told. True when it was a pool number, so the call can fall back to another choice.
   */
  numberGone(ws: number, number: string, now: Date): Promise<boolean>;
}

export function createCallerId(deps: { store: CallerIdStore; events: EventBus; log: Logger }): CallerId {
  const { store } = deps;
  const asPicked = (row: Awaited<ReturnType<CallerIdStore["numbers"]>>[number]): PoolNumber => ({
    number: row.number,
    areaCode: row.areaCode,
    state: row.state,
    timeZone: row.timeZone,
    routesInbound: row.routesInbound,
    inPool: row.inPool,
  });

  return {
    async choose(ws, lead, teamNumber, now, options = {}) {
      if (!lead.phone) throw new Error("a lead without a phone has no caller ID");
      const [rows, sticky, cap] = await Promise.all([store.numbers(ws), store.sticky(ws, lead.id), store.cap(ws)]);
      const pool = rows.filter((row) => row.inPool && (!options.among || options.among.has(row.number))).map(asPicked);
      const today = new Map(pool.map((n) => [n.number, localDay(n.timeZone, now)]));
      const counts = await store.counts(ws, [...today.values()]);
      // Each pass either counts the call on the picked number or marks that number full; the team number ends it.
      for (;;) {
        const picked = pickCallerId({
          lead: { ...lead, phone: lead.phone },
          pool,
          sticky,
          counts,
          cap,
          teamNumber,
          now,
        });
        const day = today.get(picked.number) ?? localDay(placeOf(picked.number).timeZone, now);
        if (options.uncounted) return { workspaceId: ws, ...picked, day };
        if (await store.reserve(ws, picked.number, day, picked.rule === "team" ? UNCAPPED : cap))
          return { workspaceId: ws, ...picked, day };
        deps.log.info({ ws, number: `***${picked.number.slice(-4)}` }, "caller ID reached its cap on another instance");
        counts.set(picked.number, { day, count: cap });
      }
    },

    async confirm(choice, leadId) {
      await store.remember(choice.workspaceId, leadId, choice.number);
    },

    async release(choice) {
      await store.unreserve(choice.workspaceId, choice.number, choice.day);
    },

    async numberGone(ws, number, now) {
      const gone = await store.markReleased(ws, number, now);
      if (gone) deps.events.emit("callerid.number_dropped", { ws, number, reason: "released" });
      return gone;
    },
  };
}

/**
 * A call path's row opened from the caller ID chosen for it: the count is given back when no row opens
 * (blocked, already calling), and the lead's next call keeps the number once one does.
 */
export async function openWithCallerId<T>(
  callerId: Pick<CallerId, "choose" | "confirm" | "release">,
  input: { ws: number; lead: Pick<Lead, "id" | "phone" | "state" | "zip">; teamNumber: string; now: Date },
  open: (choice: CallerIdChoice) => Promise<T>,
  log: Logger,
): Promise<{ row: T; choice: CallerIdChoice }> {
  const choice = await callerId.choose(input.ws, input.lead, input.teamNumber, input.now);
  let row: T;
  try {
    row = await open(choice);
  } catch (error) {
    await callerId.release(choice).catch((err) => log.warn({ err }, "could not give a caller ID's count back"));
    throw error;
  }
  await callerId.confirm(choice, input.lead.id);
  return { row, choice };
}

/**
 * Twilio refused `gone` as the caller ID (21210, the number left the account): it leaves the pool, the
 * admins are told, and the next best is chosen. Undefined when there is nothing else to try.
 */
export async function nextAfterGone(
  callerId: Pick<CallerId, "choose" | "numberGone">,
  gone: CallerIdChoice,
  input: { lead: Pick<Lead, "id" | "phone" | "state" | "zip">; teamNumber: string; now: Date },
): Promise<CallerIdChoice | undefined> {
  if (gone.rule === "team" || !(await callerId.numberGone(gone.workspaceId, gone.number, input.now))) return undefined;
  const next = await callerId.choose(gone.workspaceId, input.lead, input.teamNumber, input.now);
  return next.number === gone.number ? undefined : next;
}
