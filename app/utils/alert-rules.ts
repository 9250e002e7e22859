import type { AlertRuleName, AlertSettings } from "../../domain/alerts/settings.ts";

/**
 * Words for the alert settings form. The fields themselves, their defaults and their limits come from the domain
 * schema; this only names them, and the types make a new schema rule or field without its words a compile error.
 */
export const ALERT_RULE_TEXT: { [R in AlertRuleName]: { title: string; severity: string } } = {
  ai_code_critical: { title: "AI-written critical code", severity: "critical" },
  ai_share_spike: { title: "AI share spike", severity: "warning" },
  ai_tax_high: { title: "High AI rework (AI tax)", severity: "warning" },
  survival_drop: { title: "AI code survives less", severity: "warning" },
  review_queue_saturated: { title: "Review queue saturated", severity: "info" },
  high_risk_deployed: { title: "High-risk AI code deployed", severity: "critical" },
  incident_ai_attributed: { title: "Incident caused by AI code", severity: "warning" },
  ai_high_risk_merged_without_review: { title: "AI-written T3/T4 changes merged without a review", severity: "warning" },
};

/** `rule.field` for every setting but `enabled`: the name of the field's input in the form, and of its error. */
type FieldKey = { [R in AlertRuleName]: `${R}.${Exclude<keyof AlertSettings[R], "enabled"> & string}` }[AlertRuleName];

const FIELD_TEXT: Record<FieldKey, [label: string, unit: string]> = {
  "ai_code_critical.thresholdPercent": ["Alert when the AI share of critical (T4) lines is above", "%"],
  "ai_code_critical.windowDays": ["Over the last", "days"],
  "ai_code_critical.minLines": ["Only with at least this many critical lines", "lines"],
  "ai_share_spike.increasePoints": ["Alert when the AI share rises week over week by more than", "points"],
  "ai_share_spike.minLines": ["Only with at least this many added lines each week", "lines"],
  "ai_tax_high.thresholdPercent": ["Alert when reworking AI code takes more than", "% of changed lines"],
  "ai_tax_high.humanRatio": ["…and more than this multiple of the human rate", "×"],
  "ai_tax_high.windowDays": ["Over the last", "days"],
  "survival_drop.gapPoints": ["Alert when AI 4-week survival is below human survival by more than", "points"],
  "survival_drop.minLines": ["Only with at least this many lines of each", "lines"],
  "review_queue_saturated.maxWaiting": ["Alert when more pull requests than this wait for review", "PRs"],
  "review_queue_saturated.maxOldestWaitHours": ["…or the oldest has waited longer than", "hours"],
  "high_risk_deployed.minAiConfidence": ["Files with an AI confidence of at least", "0–1"],
  "high_risk_deployed.minRiskTier": ["…and a risk tier of at least", "1–4; 4 = critical only"],
  "incident_ai_attributed.thresholdPercent": ["Alert when the suspected commits' lines are AI-written above", "%"],
  "ai_high_risk_merged_without_review.windowDays": ["Pull requests merged in the last", "days"],
  "ai_high_risk_merged_without_review.minPullRequests": ["Alert when at least this many were merged with no review", "PRs"],
};

export function alertFieldText(rule: AlertRuleName, field: string): { label: string; unit?: string } {
  const text = (FIELD_TEXT as Record<string, [label: string, unit: string]>)[`${rule}.${field}`];
  return text ? { label: text[0], unit: text[1] } : { label: field };
}
