/** Shared by the incident pages and their forms (browser-safe: no server imports). */
export const INCIDENT_SEVERITIES = ["sev1", "sev2", "sev3", "sev4"] as const;

export const SEVERITY_COLORS: Record<string, "rose" | "amber" | "blue" | "gray"> = { sev1: "rose", sev2: "amber", sev3: "blue", sev4: "gray" };

/** `<input type="datetime-local">` sends no zone; the form labels it UTC, so it is read as UTC. */
export function datetimeLocalAsUtc(value: FormDataEntryValue | null): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value}${value.length === 16 ? ":00" : ""}Z` : value;
}
