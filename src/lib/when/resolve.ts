import { DateTime, type IANAZone } from "luxon";
import {
  addDays,
  DAY_MS,
  type Duration,
  dateLabel,
  durationLabel,
  MINUTE_MS,
  relativeDayLabel,
  timeLabel,
  validDate,
  wallMs,
  weekdayOf,
  type Ymd,
} from "./calendar.js";
import { type Expr, MAX_DAYS } from "./grammar.js";
/** A matched schedule expression resolved to an instant in the agent's zone, with its label. */
// ---------------------------------------------------------------------------------------------------------------
// Resolving in the zone

export interface Context {
  zone: IANAZone;
  now: number;
  today: Ymd;
  nowWall: { h: number; mi: number; s: number; ms: number };
  limit: number;
}

export type Resolved = { at: number; label: string; reading: string; adjusted?: string } | { bad: string };

export function context(zone: IANAZone, now: number): Context {
  const local = DateTime.fromMillis(now, { zone });
  return {
    zone,
    now,
    today: { y: local.year, m: local.month, d: local.day },
    nowWall: { h: local.hour, mi: local.minute, s: local.second, ms: local.millisecond },
    limit: local.plus({ days: MAX_DAYS }).toMillis(),
  };
}

export function resolveClock(e: Extract<Expr, { type: "clock" }>, ctx: Context): Resolved {
  const { day, time } = e;
  let h = time.h;
  let note: string | undefined;
  if (day?.type === "rel" && day.tonight) {
    if (time.text === "12") return { bad: 'for midnight say 11:59pm or tomorrow 12am; "tonight 12" is unclear' };
    if (time.ambiguous) h = time.h + 12;
    else if (time.h < 12)
      return { bad: `tonight means this evening; for ${timeLabel(time.h, time.mi)} say tomorrow ${time.text}` };
  } else if (time.ambiguous) {
    h = time.h >= 8 ? time.h : time.h + 12;
    const other = time.h >= 8 ? "pm" : "am";
    note = `"${time.text}" read as ${h < 12 ? "AM" : "PM"}; say ${time.text}${other} for the ${other === "pm" ? "evening" : "morning"}`;
  }

  const candidates: Ymd[] = [];
  const t = ctx.today;
  if (day === null) candidates.push(t, addDays(t, 1));
  else if (day.type === "rel") candidates.push(addDays(t, day.offset));
  else if (day.type === "inDays") candidates.push(addDays(t, day.days));
  else if (day.type === "weekday") {
    const ahead = (day.weekday - weekdayOf(t) + 7) % 7;
    if (day.next) candidates.push(addDays(t, ahead === 0 ? 7 : ahead));
    else candidates.push(addDays(t, ahead), addDays(t, ahead + 7));
  } else if (day.y !== undefined) candidates.push({ y: day.y, m: day.m, d: day.d });
  else {
    for (const y of [t.y, t.y + 1]) if (validDate(y, day.m, day.d)) candidates.push({ y, m: day.m, d: day.d });
  }

  for (const ymd of candidates) {
    const wall = resolveWall(ctx.zone, ymd, h, time.mi);
    const index = wall.instants.findIndex((at) => at > ctx.now);
    if (index < 0) continue;
    const at = wall.instants[index]!;
    let adjusted: string | undefined;
    if (wall.moved) {
      adjusted = `${timeLabel(h, time.mi)} does not exist on ${dateLabel(ymd)} (the clocks skip ahead); using ${timeLabel(wall.moved.h, wall.moved.mi)}`;
    } else if (wall.instants.length > 1) {
      adjusted = `${timeLabel(h, time.mi)} happens twice on ${dateLabel(ymd)} (the clocks go back); using the ${index === 0 ? "first one, before" : "second one, after"} the change`;
    }
    const label = labelFor(at, ctx);
    const reading = note ? `${label} (${note})` : label;
    return adjusted ? { at, label, reading, adjusted } : { at, label, reading };
  }
  const last = candidates.at(-1);
  if (!last) return { bad: "that date does not exist" };
  return { bad: `${relativeDayLabel(ctx.today, last)} ${timeLabel(h, time.mi)} has already passed` };
}

export function resolveDuration(d: Duration, ctx: Context): Resolved {
  let base = ctx.now;
  let adjusted: string | undefined;
  const days = d.weeks * 7 + d.days;
  if (days > 0) {
    if (days > MAX_DAYS + 1) return { bad: `that is more than ${MAX_DAYS} days ahead` };
    const ymd = addDays(ctx.today, days);
    const { h, mi, s, ms } = ctx.nowWall;
    const wall = resolveWall(ctx.zone, ymd, h, mi);
    const first = wall.instants[0];
    if (first === undefined) return { bad: "that time does not exist in your time zone" };
    base = first + s * 1000 + ms;
    if (wall.moved) {
      adjusted = `${timeLabel(h, mi)} does not exist on ${dateLabel(ymd)} (the clocks skip ahead); using ${timeLabel(wall.moved.h, wall.moved.mi)}`;
    }
  }
  const at = base + (d.hours * 60 + d.minutes) * MINUTE_MS;
  const label = labelFor(at, ctx);
  const reading = `${label} (in ${durationLabel(d)})`;
  return adjusted ? { at, label, reading, adjusted } : { at, label, reading };
}

/**
 * The instants at which the zone's clock shows this wall time: one normally, two when the clocks go back, none when
 * they skip it; then the first minute after the gap, with `moved` set to that wall time.
 */
export function resolveWall(
  zone: IANAZone,
  ymd: Ymd,
  h: number,
  mi: number,
): { instants: number[]; moved?: { h: number; mi: number } } {
  const wall = wallMs(ymd, h, mi);
  const exact = instantsAt(zone, wall);
  if (exact.length > 0) return { instants: exact };
  for (let k = 1; k <= 24 * 60; k++) {
    const shifted = wall + k * MINUTE_MS;
    const found = instantsAt(zone, shifted);
    if (found.length > 0) {
      const w = new Date(shifted);
      return { instants: [found[0]!], moved: { h: w.getUTCHours(), mi: w.getUTCMinutes() } };
    }
  }
  return { instants: [] };
}

export function instantsAt(zone: IANAZone, wall: number): number[] {
  const found = new Set<number>();
  for (const probe of [wall - DAY_MS, wall, wall + DAY_MS]) {
    const offset = zone.offset(probe);
    const instant = wall - offset * MINUTE_MS;
    if (zone.offset(instant) === offset) found.add(instant);
  }
  return [...found].sort((a, b) => a - b);
}

export function labelFor(at: number, ctx: Context): string {
  const local = DateTime.fromMillis(at, { zone: ctx.zone });
  return `${relativeDayLabel(ctx.today, { y: local.year, m: local.month, d: local.day })} ${timeLabel(local.hour, local.minute)}`;
}
