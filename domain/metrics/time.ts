/**
 * Calendar arithmetic in an organisation's IANA time zone, with Intl only (no clock, no library): "yesterday",
 * the instants a local day starts and ends at (23 or 25 hours long on DST days), and the local hour and weekday
 * the hourly ticks select organisations by.
 */

export const DAY_MS = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export interface LocalClock {
  /** YYYY-MM-DD in the zone. */
  date: string;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday, like cron. */
  weekday: number;
}

export function localClock(instant: Date, timeZone: string): LocalClock {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday ?? ""] ?? 0,
  };
}

/** Minutes the zone is ahead of UTC at `instant` (−420 for Los Angeles in summer). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

export function parseLocalDate(date: string): { year: number; month: number; day: number } {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new RangeError(`expected a date as YYYY-MM-DD, got "${date}"`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) throw new RangeError(`no such date: "${date}"`);
  return { year, month, day };
}

export function addDays(date: string, days: number): string {
  const { year, month, day } = parseLocalDate(date);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  const a = parseLocalDate(from);
  const b = parseLocalDate(to);
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY_MS);
}

/** The Monday on or before `date`. */
export function weekStartOf(date: string): string {
  const { year, month, day } = parseLocalDate(date);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

/** The instant local midnight of `date` happens in `timeZone`. */
export function startOfLocalDay(date: string, timeZone: string): Date {
  const { year, month, day } = parseLocalDate(date);
  const wallClock = Date.UTC(year, month - 1, day);
  // Two passes settle the offset, also when midnight itself is next to a DST switch.
  let guess = wallClock - zoneOffsetMinutes(new Date(wallClock), timeZone) * 60_000;
  guess = wallClock - zoneOffsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

/** [start, end) of a local day as instants: 24 hours, or 23/25 on DST days. */
export function localDayBounds(date: string, timeZone: string): { start: Date; end: Date } {
  return { start: startOfLocalDay(date, timeZone), end: startOfLocalDay(addDays(date, 1), timeZone) };
}

/** The local date before the one `instant` falls on: what a daily job running at `instant` computes. */
export function localYesterday(instant: Date, timeZone: string): string {
  return addDays(localClock(instant, timeZone).date, -1);
}

/** An instant range, [from, to). */
export interface TimeSpan {
  from: Date;
  to: Date;
}

/**
 * A range cut into the whole UTC days it covers (answered by per-day rollups) and the part days at its ends (answered
 * by the rows themselves). `days` is null when the range holds no whole day; then the one edge is the range itself.
 */
export function splitIntoUtcDays(range: TimeSpan): { days: TimeSpan | null; edges: TimeSpan[] } {
  const firstDay = new Date(Math.ceil(range.from.getTime() / DAY_MS) * DAY_MS);
  const endDay = new Date(Math.floor(range.to.getTime() / DAY_MS) * DAY_MS);
  if (firstDay >= endDay) return { days: null, edges: range.from < range.to ? [range] : [] };
  const edges = [
    { from: range.from, to: firstDay },
    { from: endDay, to: range.to },
  ].filter((edge) => edge.from < edge.to);
  return { days: { from: firstDay, to: endDay }, edges };
}
