import { z } from "zod";

/**
 * Per-organisation alert settings, stored under `organizations.settings.alerts`. Every field has a default, so
 * an empty object (or no settings at all) yields the full default set; a bad value is reported, never guessed.
 */
/**
 * A rule's settings. A rule left out is parsed as `{}` (prefault), so each field takes its default. Every field has
 * one: `{}` is a valid input (DEFAULT_ALERT_SETTINGS, parsed from `{}` at load, fails at once when one has none).
 */
function rule<T extends z.ZodRawShape>(shape: T) {
  const settings = z.object({ enabled: z.boolean().default(true), ...shape });
  return settings.prefault({} as z.input<typeof settings>);
}
/** A rule an organisation opts into: like `rule`, but off until switched on in Settings → Alert rules. */
function optInRule<T extends z.ZodRawShape>(shape: T) {
  const settings = z.object({ enabled: z.boolean().default(false), ...shape });
  return settings.prefault({} as z.input<typeof settings>);
}
/** How a bound's messages name the range: the settings page shows them per field. */
const rangeText = (min: number, max?: number) => (max === undefined ? `at least ${min}` : `${min}–${max}`);
/** `base` from `min` (to `max`), each bound's message naming the range. */
const bounded = (base: z.ZodNumber, min: number, max?: number) => {
  const atLeast = base.min(min, `must be ${rangeText(min, max)}`);
  return max === undefined ? atLeast : atLeast.max(max, `must be ${rangeText(min, max)}`);
};
/** A whole number from `min` (to `max`). */
const count = (min: number, max?: number) => bounded(z.number().int(`must be a whole number ${rangeText(min, max)}`), min, max);
const between = (min: number, max?: number) => bounded(z.number(), min, max);
const percent = (fallback: number) => between(0, 100).default(fallback);

export const alertSettingsSchema = z.object({
  ai_code_critical: rule({
    /** AI share of T4 (critical) lines, in %, above which the rule fires. */
    thresholdPercent: percent(90),
    /** Days of metrics, ending at the evaluated day, the share is computed over. */
    windowDays: count(1, 90).default(7),
    /** Fewer critical lines than this in the window say nothing. */
    minLines: count(0).default(20),
  }),
  ai_share_spike: rule({
    /** Week-over-week rise of the AI share, in percentage points. */
    increasePoints: between(0, 100).default(20),
    minLines: count(0).default(100),
  }),
  ai_tax_high: rule({
    /** AI rework tax (AI churn ÷ changed lines), in %, above which the rule fires… */
    thresholdPercent: percent(10),
    /** …when it is also this many times the human tax. */
    humanRatio: between(1, 100).default(1.5),
    windowDays: count(1, 90).default(7),
  }),
  survival_drop: rule({
    /** AI survival at 4 weeks this many points below human survival. */
    gapPoints: between(0, 100).default(15),
    minLines: count(0).default(50),
  }),
  review_queue_saturated: rule({
    maxWaiting: count(1).default(10),
    maxOldestWaitHours: between(1).default(48),
  }),
  high_risk_deployed: rule({
    minAiConfidence: between(0, 1).default(0.8),
    /** Risk tier from which a file counts (4 = critical only). */
    minRiskTier: count(1, 4).default(4),
  }),
  incident_ai_attributed: rule({
    /** AI share of the suspected commits' lines, in %, from which the incident counts as AI-attributed. */
    thresholdPercent: percent(50),
  }),
  /** Off by default (issue 18): pull requests holding AI-written T3/T4 lines merged with no review (ADR 075). */
  ai_high_risk_merged_without_review: optInRule({
    /** Days of merges, ending with the evaluated day, the rule looks at. */
    windowDays: count(1, 30).default(1),
    /** Fewer such pull requests than this in the window say nothing. */
    minPullRequests: count(1).default(1),
  }),
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
