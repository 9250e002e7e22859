import type { AlertRuleName, AlertSettings } from "../../domain/alerts/settings.ts";

type FieldsOf<R extends AlertRuleName> = Exclude<keyof AlertSettings[R], "enabled">;

/**
 * Words for the alert settings form. The fields themselves, their defaults and their limits come from the domain
 * schema; this only names them, and the type makes a new schema field without a label a compile error.
 */
export const ALERT_RULE_TEXT: { [R in AlertRuleName]: { title: string; severity: string; fields: { [F in FieldsOf<R>]: { label: string; unit?: string } } } } = {
  ai_code_critical: {
    title: "AI-written critical code",
    severity: "critical",
    fields: {
      thresholdPercent: { label: "Alert when the AI share of critical (T4) lines is above", unit: "%" },
      windowDays: { label: "Over the last", unit: "days" },
      minLines: { label: "Only with at least this many critical lines", unit: "lines" },
    },
  },
  ai_share_spike: {
    title: "AI share spike",
    severity: "warning",
    fields: {
      increasePoints: { label: "Alert when the AI share rises week over week by more than", unit: "points" },
      minLines: { label: "Only with at least this many added lines each week", unit: "lines" },
    },
  },
  ai_tax_high: {
    title: "High AI rework (AI tax)",
    severity: "warning",
    fields: {
      thresholdPercent: { label: "Alert when reworking AI code takes more than", unit: "% of changed lines" },
      humanRatio: { label: "…and more than this multiple of the human rate", unit: "×" },
      windowDays: { label: "Over the last", unit: "days" },
    },
  },
  survival_drop: {
    title: "AI code survives less",
    severity: "warning",
    fields: {
      gapPoints: { label: "Alert when AI 4-week survival is below human survival by more than", unit: "points" },
      minLines: { label: "Only with at least this many lines of each", unit: "lines" },
    },
  },
  review_queue_saturated: {
    title: "Review queue saturated",
    severity: "info",
    fields: {
      maxWaiting: { label: "Alert when more pull requests than this wait for review", unit: "PRs" },
      maxOldestWaitHours: { label: "…or the oldest has waited longer than", unit: "hours" },
    },
  },
  high_risk_deployed: {
    title: "High-risk AI code deployed",
    severity: "critical",
    fields: {
      minAiConfidence: { label: "Files with an AI confidence of at least", unit: "0–1" },
      minRiskTier: { label: "…and a risk tier of at least", unit: "1–4; 4 = critical only" },
    },
  },
  incident_ai_attributed: {
    title: "Incident caused by AI code",
    severity: "warning",
    fields: {
      thresholdPercent: { label: "Alert when the suspected commits' lines are AI-written above", unit: "%" },
    },
  },
};

export function alertFieldText(rule: AlertRuleName, field: string): { label: string; unit?: string } {
  return (ALERT_RULE_TEXT[rule].fields as Record<string, { label: string; unit?: string }>)[field] ?? { label: field };
}
