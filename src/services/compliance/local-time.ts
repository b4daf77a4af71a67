/** Wall-clock arithmetic in IANA zones for the verdict: a local date and minute, and back to an instant. */
import { DateTime, IANAZone } from "luxon";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: number;
  /** Minutes after local midnight. */
  minute: number;
}

const ianaZones = new Map<string, IANAZone>();

export function ianaZone(name: string): IANAZone {
  let zone = ianaZones.get(name);
  if (!zone) {
    zone = IANAZone.create(name);
    ianaZones.set(name, zone);
  }
  return zone;
}

export function localTime(ms: number, zone: string): LocalTime {
  const wall = new Date(ms + ianaZone(zone).offset(ms) * MINUTE_MS);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    weekday: wall.getUTCDay(),
    minute: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
  };
}

export function localText(local: LocalTime): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${local.year}-${pad(local.month)}-${pad(local.day)}T${pad(Math.floor(local.minute / 60))}:${pad(local.minute % 60)}`;
}

export function addDays(local: LocalTime, days: number): LocalTime {
  const date = new Date(Date.UTC(local.year, local.month - 1, local.day) + days * DAY_MS);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    weekday: date.getUTCDay(),
    minute: 0,
  };
}

const instants = new Map<string, number>();

/** The instant a wall-clock minute of a date begins in a zone, by the zone's real DST rules. */
export function instantAt(zone: string, date: LocalTime, minute: number): number {
  const day = minute >= 1440 ? addDays(date, 1) : date;
  const at = minute % 1440;
  const key = `${zone}|${day.year}-${day.month}-${day.day}|${at}`;
  let instant = instants.get(key);
  if (instant === undefined) {
    instant = DateTime.fromObject(
      { year: day.year, month: day.month, day: day.day, hour: Math.floor(at / 60), minute: at % 60 },
      { zone: ianaZone(zone) },
    ).toMillis();
    // Searches ask for the same openings again and again; the bound keeps a long-running process small.
    if (instants.size >= 50_000) instants.clear();
    instants.set(key, instant);
  }
  return instant;
}
