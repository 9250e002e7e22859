/** Reads ISO 8601 timestamps without losing the writer's own UTC offset (the local wall-clock time). */

export interface LocalTime {
  /** Milliseconds since the epoch (UTC instant). */
  epochMs: number;
  /** Hour and minute on the author's own clock, as written in the timestamp. */
  hour: number;
  minute: number;
  /** "+01:00", "-07:00", "+00:00". */
  offset: string;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

export function parseLocalTime(value: string | null | undefined): LocalTime | null {
  if (!value) return null;
  const match = ISO.exec(value.trim());
  if (!match) return null;
  const epochMs = Date.parse(value.trim());
  if (Number.isNaN(epochMs)) return null;
  const rawOffset = match[7];
  let offset = "+00:00";
  if (rawOffset && rawOffset.toUpperCase() !== "Z") {
    const digits = rawOffset.replace(":", "");
    offset = `${digits.slice(0, 3)}:${digits.slice(3, 5)}`;
  }
  return { epochMs, hour: Number(match[4]), minute: Number(match[5]), offset };
}

export function formatClock(time: LocalTime): string {
  return `${String(time.hour).padStart(2, "0")}:${String(time.minute).padStart(2, "0")} ${time.offset}`;
}
