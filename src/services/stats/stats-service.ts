import { DateTime } from "luxon";
import { UserError } from "../../lib/errors.js";
import type { QueueStatsRow, QueueStatsStore } from "./queue-stats-store.js";
import type { BlockedCall, ExportRow, StatsRows, StatsStore } from "./stats-store.js";
import type { TextStats, TextStatsStore } from "./text-stats-store.js";

export interface StatsRange {
  from: Date;
  to: Date;
  /** "today", "this week", "this month", "2026-11-01 – 2026-11-15" */
  label: string;
  /** Local days in the range, in order (YYYY-MM-DD). */
  days: string[];
  zone: string;
}

export interface CallStats extends StatsRows {
  range: StatsRange;
  agentId?: string;
  /** The range's texts, counted per agent as calls are. */
  texts: TextStats;
}

/** The longest range /call-stats reads, in days. */
export const MAX_RANGE_DAYS = 366;

/**
 * "today" | "week" | "month" | "YYYY-MM-DD..YYYY-MM-DD" (or one day), read in the asker's zone:
 * week is Monday to now, month the calendar month to now. Anything else says what is accepted.
 */
export function parseStatsRange(text: string, now: Date, zone: string): StatsRange {
  const here = DateTime.fromJSDate(now, { zone });
  const value = text.trim().toLowerCase() || "today";
  let start: DateTime;
  let end: DateTime;
  let label: string;
  if (value === "today") {
    start = here.startOf("day");
    end = start.plus({ days: 1 });
    label = "today";
  } else if (value === "week") {
    start = here.startOf("week");
    end = here.startOf("day").plus({ days: 1 });
    label = "this week";
  } else if (value === "month") {
    start = here.startOf("month");
    end = here.startOf("day").plus({ days: 1 });
    label = "this month";
  } else {
    const match = /^(\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|–|to)\s*(\d{4}-\d{2}-\d{2}))?$/.exec(value);
    const first = match ? DateTime.fromISO(match[1]!, { zone }) : undefined;
    const last = match ? DateTime.fromISO(match[2] ?? match[1]!, { zone }) : undefined;
    if (!first?.isValid || !last?.isValid) throw UserError.of("range_unreadable", { text: text.trim().slice(0, 40) });
    if (last < first) throw UserError.of("range_backwards");
    start = first.startOf("day");
    end = last.startOf("day").plus({ days: 1 });
    if (end.diff(start, "days").days > MAX_RANGE_DAYS)
      throw UserError.of("range_too_long", { maxDays: MAX_RANGE_DAYS });
    label = match?.[2] ? `${match[1]} – ${match[2]}` : match![1]!;
  }
  const days: string[] = [];
  for (let day = start; day < end; day = day.plus({ days: 1 })) days.push(day.toFormat("yyyy-LL-dd"));
  return { from: start.toJSDate(), to: end.toJSDate(), label, days, zone };
}

export interface StatsService {
  stats(ws: number, range: StatsRange, agentId?: string): Promise<CallStats>;
  /**
   * The range's calls as CSV (RFC 4180), at most `limit` rows: ISO (UTC) times and Slack ids kept, with
   * the time in the asker's zone and each agent's name beside them; cost as money spent (positive).
   */
  exportCsv(
    ws: number,
    range: StatsRange,
    agentId?: string,
    options?: { limit?: number; nameOf?: (agentId: string) => Promise<string | undefined> },
  ): Promise<{ csv: string; rows: number }>;
  blockedToday(ws: number, now: Date, zone: string): Promise<BlockedCall[]>;
  /** The range's numbers per call queue (and agent): calls, connects, skips by reason, snoozes. */
  queues(ws: number, range: StatsRange, agentId?: string): Promise<QueueStatsRow[]>;
}

export const EXPORT_LIMIT = 50_000;

const csvField = (value: unknown, freeText = false) => {
  const text = value === null || value === undefined ? "" : value instanceof Date ? value.toISOString() : String(value);
  // Text people typed (a lead's name, an agent's name) starting with =, +, - or @ would run as a spreadsheet formula.
  const safe = freeText && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** One CSV row: the stored call plus what people read beside it (local time, the zone, the agent's name, the cost). */
export type ExportLine = ExportRow & { createdAtLocal: string; zone: string; agentName: string; cost: string };

export const EXPORT_COLUMNS: (keyof ExportLine)[] = [
  "id",
  "createdAt",
  "createdAtLocal",
  "zone",
  "agentId",
  "agentName",
  "leadId",
  "leadName",
  "mode",
  "fromNumber",
  "toNumber",
  "status",
  "placed",
  "durationSec",
  "outcome",
  "cost",
  "priceUnit",
  "callSid",
];

const FREE_TEXT = new Set<keyof ExportLine>(["leadName", "agentName"]);

/** "2026-11-24 10:00:00": the wall time in the asker's zone, as spreadsheets read it. */
const localTime = (at: Date, zone: string) =>
  (DateTime.fromJSDate(at, { zone }).toSQL({ includeOffset: false }) ?? "").slice(0, 19);

/** Twilio reports money spent as a negative price; people (and the summary) read a positive cost. */
const costOf = (price: number | null) => (price === null ? "" : String(Math.abs(price)));

export function createStatsService(deps: {
  store: StatsStore;
  texts: TextStatsStore;
  queues: QueueStatsStore;
}): StatsService {
  const queryOf = (ws: number, range: StatsRange, agentId?: string) => ({
    ws,
    from: range.from,
    to: range.to,
    agentId,
    offsetMinutes: DateTime.fromJSDate(range.from, { zone: range.zone }).offset,
  });
  return {
    async stats(ws, range, agentId) {
      const offsetMinutes = DateTime.fromJSDate(range.from, { zone: range.zone }).offset;
      const query = { ws, from: range.from, to: range.to, agentId, offsetMinutes };
      const [rows, texts] = await Promise.all([deps.store.stats(query), deps.texts.stats(query)]);
      return { ...rows, range, agentId, texts };
    },
    async exportCsv(ws, range, agentId, options = {}) {
      const offsetMinutes = DateTime.fromJSDate(range.from, { zone: range.zone }).offset;
      const rows = await deps.store.exportRows(
        { ws, from: range.from, to: range.to, agentId, offsetMinutes },
        options.limit ?? EXPORT_LIMIT,
      );
      const names = new Map<string, string>();
      for (const id of new Set(rows.map((row) => row.agentId))) names.set(id, (await options.nameOf?.(id)) ?? id);
      const lines = [
        EXPORT_COLUMNS.join(","),
        ...rows.map((row) => {
          const line: ExportLine = {
            ...row,
            createdAtLocal: localTime(row.createdAt, range.zone),
            zone: range.zone,
            agentName: names.get(row.agentId) ?? row.agentId,
            cost: costOf(row.price),
          };
          return EXPORT_COLUMNS.map((key) => csvField(line[key], FREE_TEXT.has(key))).join(",");
        }),
      ];
      return { csv: `${lines.join("\r\n")}\r\n`, rows: rows.length };
    },
    queues: (ws, range, agentId) => deps.queues.stats(queryOf(ws, range, agentId)),
    blockedToday(ws, now, zone) {
      const start = DateTime.fromJSDate(now, { zone }).startOf("day");
      return deps.store.blocked(ws, start.toJSDate(), start.plus({ days: 1 }).toJSDate(), 20);
    },
  };
}
