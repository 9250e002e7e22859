import { eq, sql } from "drizzle-orm";
import { ALERT_RULES, DEFAULT_ALERT_SETTINGS, parseAlertSettings, type AlertSettings } from "../../domain/alerts/settings.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { organizations } from "../../infrastructure/db/schema/index.ts";
import type { Logger } from "../../infrastructure/logging/logger.ts";
import { loadAlertSettings } from "./evaluate.ts";

/**
 * Settings → Alert rules. The domain's zod schema (domain/alerts/settings.ts) is the single source of truth: the form
 * has one field per schema field (`<rule>.<field>`, found through the defaults), the same schema validates what is
 * saved, and the evaluation reads it back with `loadAlertSettings`.
 */

export type AlertSettingsResult = { ok: true; settings: AlertSettings } | { ok: false; code: "INVALID_INPUT"; fieldErrors: Record<string, string> };

/** The stored settings (defaults filled in) and whether what is stored was unreadable and replaced by the defaults. */
export async function readAlertSettings(db: Executor, orgId: string, logger?: Logger): Promise<{ settings: AlertSettings; defaults: AlertSettings }> {
  return { settings: await loadAlertSettings(db, orgId, logger), defaults: DEFAULT_ALERT_SETTINGS };
}

/**
 * Turns the submitted form into the schema's shape: a checkbox per rule switch (absent = off), a number per
 * threshold. Text that is not a number is reported here; ranges are the schema's to judge.
 */
export function alertSettingsFromForm(form: FormData | URLSearchParams): { value: Record<string, Record<string, unknown>>; fieldErrors: Record<string, string> } {
  const value: Record<string, Record<string, unknown>> = {};
  const fieldErrors: Record<string, string> = {};
  for (const rule of ALERT_RULES) {
    const fields: Record<string, unknown> = {};
    for (const [field, fallback] of Object.entries(DEFAULT_ALERT_SETTINGS[rule])) {
      const key = `${rule}.${field}`;
      const raw = form.get(key);
      if (typeof fallback === "boolean") {
        fields[field] = raw === "on" || raw === "true";
        continue;
      }
      const text = typeof raw === "string" ? raw.trim() : "";
      const number = text === "" ? Number.NaN : Number(text);
      if (Number.isFinite(number)) fields[field] = number;
      else fieldErrors[key] = "enter a number";
    }
    value[rule] = fields;
  }
  return { value, fieldErrors };
}

/** Validates with the domain schema and stores under `organizations.settings.alerts`, leaving other settings alone. */
export async function saveAlertSettings(db: Executor, orgId: string, input: unknown, inputErrors: Record<string, string> = {}): Promise<AlertSettingsResult> {
  const parsed = parseAlertSettings(input);
  const fieldErrors = { ...(parsed.ok ? {} : parsed.fieldErrors), ...inputErrors };
  if (!parsed.ok || Object.keys(fieldErrors).length > 0) return { ok: false, code: "INVALID_INPUT", fieldErrors };
  await db
    .update(organizations)
    .set({ settings: sql`jsonb_set(${organizations.settings}, '{alerts}', ${JSON.stringify(parsed.settings)}::jsonb, true)`, updatedAt: new Date() })
    .where(eq(organizations.id, orgId));
  return { ok: true, settings: parsed.settings };
}
