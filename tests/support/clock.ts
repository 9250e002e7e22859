import type { Clock } from "../../domain/ports.ts";

/**
 * A clock stopped at `at`. Tests that generate data for a window ending "now" and then read "the last N days" use
 * one instant for both, so what they count does not change with the day, weekday or month the suite runs in.
 */
export function fixedClock(at: Date | string): Clock {
  const instant = new Date(at).getTime();
  if (Number.isNaN(instant)) throw new RangeError(`fixedClock: ${String(at)} is not a date`);
  return { now: () => new Date(instant) };
}
