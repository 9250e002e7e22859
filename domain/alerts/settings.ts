import { z } from "zod";

/**
 * Per-organisation alert settings, stored under `organizations.settings.alerts`. Every field has a default, so
 * an empty object (or no settings at all) yields the full default set; a bad value is reported, never guessed.
 */
const rule = <T extends z.ZodRawShape>(shape: T) => z.object({ enabled: z.boolean().default(true), ...shape });
const percent = (fallback: number) => z.number().min(0, "must be 0–100").max(100, "must be 0–100").default(fallback);
/** A whole number from `min` (to `max`); the messages name the range, since the settings page shows them per field. */
const count = (min: number, max?: number) => {
  const range = max === undefined ? `at least ${min}` : `${min}–${max}`;
  const base = z.number().int(`must be a whole number ${range}`).min(min, `must be ${range}`);
  return max === undefined ? base : base.max(max, `must be ${range}`);
};
const between = (min: number, max?: number) => {
  const range = max === undefined ? `at least ${min}` : `${min}–${max}`;
  const base = z.number().min(min, `must be ${range}`);
  return max === undefined ? base : base.max(max, `must be ${range}`);
};

export const alertSettingsSchema = z.object({
  ai_code_critical: rule({
    /** AI share of T4 (critical) lines, in %, above which the rule fires. */
    thresholdPercent: percent(90),
    /** Days of metrics, ending at the evaluated day, the share is computed over. */
    windowDays: count(1, 90).default(7),
    /** Fewer critical lines than this in the window say nothing. */
    minLines: count(0).default(20),
  }).default({ enabled: true, thresholdPercent: 90, windowDays: 7, minLines: 20 }),
  ai_share_spike: rule({
    /** Week-over-week rise of the AI share, in percentage points. */
    increasePoints: between(0, 100).default(20),
    minLines: count(0).default(100),
  }).default({ enabled: true, increasePoints: 20, minLines: 100 }),
  ai_tax_high: rule({
    /** AI rework tax (AI churn ÷ changed lines), in %, above which the rule fires… */
    thresholdPercent: percent(10),
    /** …when it is also this many times the human tax. */
    humanRatio: between(1, 100).default(1.5),
    windowDays: count(1, 90).default(7),
  }).default({ enabled: true, thresholdPercent: 10, humanRatio: 1.5, windowDays: 7 }),
  survival_drop: rule({
    /** AI survival at 4 weeks this many points below human survival. */
    gapPoints: between(0, 100).default(15),
    minLines: count(0).default(50),
  }).default({ enabled: true, gapPoints: 15, minLines: 50 }),
  review_queue_saturated: rule({
    maxWaiting: count(1).default(10),
    maxOldestWaitHours: between(1).default(48),
  }).default({ enabled: true, maxWaiting: 10, maxOldestWaitHours: 48 }),
  high_risk_deployed: rule({
    minAiConfidence: between(0, 1).default(0.8),
    /** Risk tier from which a file counts (4 = critical only). */
    minRiskTier: count(1, 4).default(4),
  }).default({ enabled: true, minAiConfidence: 0.8, minRiskTier: 4 }),
  incident_ai_attributed: rule({
    /** AI share of the suspected commits' lines, in %, from which the incident counts as AI-attributed. */
    thresholdPercent: percent(50),
  }).default({ enabled: true, thresholdPercent: 50 }),
});

export type AlertSettings = z.infer<typeof alertSettingsSchema>;
export type AlertRuleName = keyof AlertSettings;
export const ALERT_RULES = Object.keys(alertSettingsSchema.shape) as AlertRuleName[];

export const DEFAULT_ALERT_SETTINGS: AlertSettings = alertSettingsSchema.parse({});

export type ParseAlertSettingsResult = { ok: true; settings: AlertSettings } | { ok: false; fieldErrors: Record<string, string> };

/** Parses `organizations.settings.alerts` (or anything else a form sends): defaults filled in, problems by field path. */
export function parseAlertSettings(raw: unknown): ParseAlertSettingsResult {
  const parsed = alertSettingsSchema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, settings: parsed.data };
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.error.issues) fieldErrors[issue.path.join(".") || "alerts"] ??= issue.message;
  return { ok: false, fieldErrors };
}
