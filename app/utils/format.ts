/**
 * A share, rate or probability as the API answers it, a fraction 0–1, in the percents the pages show (0.312 → 31.2);
 * pages convert at display time so the API keeps one unit (issue 19).
 */
export function percentOfFraction(fraction: number | null | undefined): number | null {
  return fraction === null || fraction === undefined ? null : fraction * 100;
}

/** A 0–1 fraction as "31.2 %" (`digits` decimals); "—" when there is none. */
export function formatFractionAsPercent(fraction: number | null | undefined, digits = 1): string {
  return formatPercent(percentOfFraction(fraction), digits);
}

export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return `${value.toFixed(digits)} %`;
}

/** "3 h ago", "2 d ago"; `now` is passed in so server and browser render the same text. */
export function formatRelativeTime(iso: string | null, nowIso: string): string {
  if (!iso) return "—";
  const seconds = Math.max(0, (Date.parse(nowIso) - Date.parse(iso)) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/**
 * An estimate's plausible range, "27.1–36.4 %" (ADR 033); null when there is none to show (no written lines, or a
 * range that rounds to the value itself).
 */
export function formatShareRange(low: number | null | undefined, high: number | null | undefined, digits = 1): string | null {
  if (low === null || low === undefined || high === null || high === undefined || Number.isNaN(low) || Number.isNaN(high)) return null;
  const from = low.toFixed(digits);
  const to = high.toFixed(digits);
  return from === to ? null : `${from}–${to} %`;
}

/** "detector sentinel-detector-1.3.0", or "detectors …-1.3.0, …-1.2.2" while history scored by an older one remains. */
export function formatDetectorVersions(versions: readonly string[]): string {
  return `${versions.length > 1 ? "detectors" : "detector"} ${versions.join(", ")}`;
}
