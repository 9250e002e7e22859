/** Time helpers: commit dates carry the author's offset, webhook timestamps are UTC like GitHub's. */
import type { Random } from "./random.ts";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** ISO 8601 with an explicit offset, seconds precision: 2025-03-04T10:12:33+01:00 */
export function isoWithOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * MINUTE_MS).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${local}${sign}${hh}:${mm}`;
}

/** ISO 8601 UTC with seconds precision, as GitHub writes created_at and friends. */
export function isoUtc(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function localHour(ms: number, offsetMinutes: number): number {
  const d = new Date(ms + offsetMinutes * MINUTE_MS);
  return d.getUTCHours() + d.getUTCMinutes() / 60;
}

export function isLocalWeekend(ms: number, offsetMinutes: number): boolean {
  const day = new Date(ms + offsetMinutes * MINUTE_MS).getUTCDay();
  return day === 0 || day === 6;
}

/** Midnight of the local calendar day containing `ms`, as a UTC instant. */
export function localMidnight(ms: number, offsetMinutes: number): number {
  const local = ms + offsetMinutes * MINUTE_MS;
  return Math.floor(local / DAY_MS) * DAY_MS - offsetMinutes * MINUTE_MS;
}

/** `ms` itself if it falls in local working hours (weekdays 9–19), else shortly after 9:00 on the next working day. */
export function nextWorkingMoment(ms: number, offsetMinutes: number, random: Random): number {
  const hour = localHour(ms, offsetMinutes);
  if (!isLocalWeekend(ms, offsetMinutes) && hour >= 9 && hour < 19) return ms;
  let day = localMidnight(ms, offsetMinutes);
  if (hour >= 9) day += DAY_MS;
  while (isLocalWeekend(day + 12 * HOUR_MS, offsetMinutes)) day += DAY_MS;
  return day + 9 * HOUR_MS + random.int(0, 100) * MINUTE_MS;
}
