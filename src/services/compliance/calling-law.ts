import type { Lead } from "@prisma/client";
import type { CallMode } from "../calls/modes.js";
import type { SettingsService, TwilioSettings } from "../setup/settings.js";
import type { CallFacts, ComplianceStore, Reader } from "./compliance-store.js";
import { callingVerdict, type TeamWindow, type Verdict } from "./verdict.js";

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** "09:00-19:00" → { start, end }; "mon-fri" or "mon,wed,fri" → [1, 2, 3, 4, 5]. Undefined when unset or unreadable. */
export function parseTeamWindow(window: string | undefined, days: string | undefined): TeamWindow | undefined {
  const hours = /^\s*([01]\d|2[0-3]):([0-5]\d)\s*[-–]\s*([01]\d|2[0-4]):([0-5]\d)\s*$/.exec(window ?? "");
  const parsedDays = parseDays(days);
  if (!hours && !parsedDays) return undefined;
  return {
    start: hours ? `${hours[1]}:${hours[2]}` : "00:00",
    end: hours ? `${hours[3]}:${hours[4]}` : "24:00",
    ...(parsedDays ? { days: parsedDays } : {}),
  };
}

export function parseDays(text: string | undefined): number[] | undefined {
  const value = (text ?? "").trim().toLowerCase();
  if (!value) return undefined;
  const days = new Set<number>();
  for (const part of value.split(/\s*,\s*/)) {
    const range = /^([a-z]{3})[a-z]*(?:\s*-\s*([a-z]{3})[a-z]*)?$/.exec(part);
    if (!range) return undefined;
    const from = DAY_NAMES.indexOf(range[1]!);
    const to = range[2] ? DAY_NAMES.indexOf(range[2]) : from;
    if (from < 0 || to < 0) return undefined;
    for (let day = from; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === to) break;
    }
  }
  return [...days].sort();
}

export interface CallingLaw {
  /** The team's own rules on top of the law: its calling window and the countries it calls. */
  teamWindow(ws: number): Promise<TeamWindow | undefined>;
  /** The same from settings already read. */
  teamWindowOf(settings: TwilioSettings): TeamWindow | undefined;
  /** The verdict for a lead now, read from the database (or, placing a call, from its transaction). */
  verdict(
    ws: number,
    lead: Pick<Lead, "id" | "phone" | "state" | "zip">,
    mode: CallMode,
    now: Date,
    reader?: Reader,
  ): Promise<Verdict>;
  /**
   * Verdicts for many leads at once (the cards of a search), with the facts read in one go, by lead id;
   * `team` is the team's window when the caller has read the settings already (else they are read).
   */
  verdicts(
    ws: number,
    leads: readonly (Pick<Lead, "id" | "state" | "zip"> & { phone: string })[],
    mode: CallMode,
    now: Date,
    team?: TeamWindow | null,
  ): Promise<Map<number, { verdict: Verdict; facts: CallFacts }>>;
  /** The same verdict from facts already read (inside the call guard's transaction). */
  verdictFrom(
    lead: Pick<Lead, "phone" | "state" | "zip">,
    mode: CallMode,
    now: Date,
    facts: CallFacts,
    team?: TeamWindow,
  ): Verdict;
}

/**
 * The law's side of every call: the pure verdict (verdict.ts) over the facts Leadline keeps about a
 * lead (the do-not-call list, consent, the last 24 hours' attempts) and the team's own window.
 */
export function createCallingLaw(deps: { store: ComplianceStore; settings: SettingsService }): CallingLaw {
  const law: CallingLaw = {
    async teamWindow(ws) {
      return law.teamWindowOf(await deps.settings.get(ws));
    },
    teamWindowOf(settings) {
      return parseTeamWindow(settings.callingWindow, settings.callingDays);
    },
    verdictFrom(lead, mode, now, facts, team) {
      return callingVerdict({
        phone: lead.phone!,
        address: { state: lead.state, zip: lead.zip },
        now,
        mode,
        teamWindow: team,
        attempts: facts.attempts,
        textAttempts: facts.textAttempts,
        onDoNotCallList: facts.onDoNotCallList,
        consent: facts.consent,
      });
    },
    async verdict(ws, lead, mode, now, reader) {
      const known = { id: lead.id, phone: lead.phone! };
      const since = new Date(now.getTime() - 24 * 3600_000);
      // In a transaction: read through it; else one prepared statement (no ORM on the hot paths).
      const facts = reader
        ? await deps.store.facts(reader, ws, known, since)
        : await deps.store.factsNow(ws, known, since);
      return law.verdictFrom(lead, mode, now, facts, await law.teamWindow(ws));
    },
    async verdicts(ws, leads, mode, now, known) {
      if (leads.length === 0) return new Map();
      const [facts, read] = await Promise.all([
        deps.store.factsAmong(ws, [...leads], new Date(now.getTime() - 24 * 3600_000)),
        known === undefined ? law.teamWindow(ws) : undefined,
      ]);
      const team = known === undefined ? read : (known ?? undefined);
      return new Map(
        leads.map((lead) => {
          const known = facts.get(lead.id)!;
          return [lead.id, { verdict: law.verdictFrom(lead, mode, now, known, team), facts: known }];
        }),
      );
    },
  };
  return law;
}
