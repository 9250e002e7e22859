/** Shared by the incident pages and their forms (browser-safe: no server imports). */
import type { PillTone } from "~/components/Pill.tsx";

export const INCIDENT_SEVERITIES = ["sev1", "sev2", "sev3", "sev4"] as const;

/** Severity as a Pill tone: Tremor's rose and amber badges fail axe's colour-contrast check at this size. */
export const SEVERITY_TONES: Record<string, PillTone> = { sev1: "critical", sev2: "warning", sev3: "info", sev4: "neutral" };

/** `<input type="datetime-local">` sends no zone; the form labels it UTC, so it is read as UTC. */
export function datetimeLocalAsUtc(value: FormDataEntryValue | null): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value}${value.length === 16 ? ":00" : ""}Z` : value;
}
