/** Calendar helpers and labels (fixed English, independent of the runtime's locale data). */
export const MINUTE_MS = 60_000;

export const DAY_MS = 86_400_000;

export const WEEKDAY_NAMES = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export const MONTH_NAMES = ["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export interface Ymd {
  y: number;
  m: number;
  d: number;
}

export interface Duration {
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
}
// ---------------------------------------------------------------------------------------------------------------
// Calendar helpers and labels (fixed English, independent of the runtime's locale data)

export function wallMs(ymd: Ymd, h: number, mi: number): number {
  const date = new Date(0);
  date.setUTCFullYear(ymd.y, ymd.m - 1, ymd.d);
  date.setUTCHours(h, mi, 0, 0);
  return date.getTime();
}

export function addDays(ymd: Ymd, days: number): Ymd {
  const date = new Date(wallMs(ymd, 0, 0) + days * DAY_MS);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() };
}

/** 1 = Monday … 7 = Sunday, as in Luxon. */
export function weekdayOf(ymd: Ymd): number {
  return ((new Date(wallMs(ymd, 0, 0)).getUTCDay() + 6) % 7) + 1;
}

export function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const daysInMonth = new Date(wallMs({ y, m: m + 1, d: 0 }, 0, 0)).getUTCDate();
  return d <= daysInMonth;
}

export function timeLabel(h: number, mi: number): string {
  return `${((h + 11) % 12) + 1}:${String(mi).padStart(2, "0")} ${h < 12 ? "AM" : "PM"}`;
}

export function dateLabel(ymd: Ymd): string {
  return `${WEEKDAY_NAMES[weekdayOf(ymd)]} ${MONTH_NAMES[ymd.m]} ${ymd.d}`;
}

export function relativeDayLabel(today: Ymd, ymd: Ymd): string {
  const diff = Math.round((wallMs(ymd, 0, 0) - wallMs(today, 0, 0)) / DAY_MS);
  if (diff === 0) return "today";
  if (diff === 1) return "tomorrow";
  return ymd.y === today.y ? dateLabel(ymd) : `${dateLabel(ymd)}, ${ymd.y}`;
}

export function durationLabel(d: Duration): string {
  const parts: string[] = [];
  const add = (n: number, one: string) => {
    if (n > 0) parts.push(`${n} ${one}${n === 1 ? "" : "s"}`);
  };
  add(d.weeks, "week");
  add(d.days, "day");
  add(d.hours, "hour");
  add(d.minutes, "minute");
  return parts.join(" ");
}
