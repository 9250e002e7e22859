import { formatMessagePercent } from "../../domain/alerts/reason.ts";
import type { AlertRuleName, AlertSettings } from "../../domain/alerts/settings.ts";

/**
 * The numbers behind an alert, as rows of the alert page's table: what was measured, the threshold the rule compared
 * it with when it fired (stored in the alert's details), and the threshold the organisation has set today (alert
 * settings), so a reader sees both why it fired and whether it would still fire.
 */
export interface AlertFigure {
  label: string;
  value: string;
  /** The threshold in force when the alert fired; null when the figure is context, not compared. */
  thresholdThen: string | null;
  /** The organisation's current setting for that threshold; null when there is none. */
  thresholdNow: string | null;
}

const pct = (value: number) => formatMessagePercent(value);
const pts = (value: number) => `${formatMessagePercent(value).replace(" %", "")} points`;
const whole = (value: number) => Math.round(value).toLocaleString("en-US");
const days = (value: number) => `${whole(value)} ${value === 1 ? "day" : "days"}`;

type Format = (value: number) => string;
/** One row: the details field it shows, how, and the threshold then (a details field) and now (a setting). */
type Spec = [label: string, field: string, format: Format, then?: [prefix: string, field: string | null, format: Format] | null, now?: number | null];

const number = (details: Record<string, unknown>, field: string | null): number | null => {
  if (field === null) return null;
  const value = details[field];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
};

function specsFor(rule: AlertRuleName, settings: AlertSettings): Spec[] {
  switch (rule) {
    case "ai_code_critical": {
      const s = settings.ai_code_critical;
      return [
        ["AI share of critical (T4) lines", "aiSharePercent", pct, ["above ", "thresholdPercent", pct], s.thresholdPercent],
        ["Critical lines", "criticalLines", whole, ["at least ", null, whole], s.minLines],
        ["AI-written critical lines", "aiCriticalLines", whole],
        ["Window", "windowDays", days, ["", "windowDays", days], s.windowDays],
      ];
    }
    case "ai_share_spike": {
      const s = settings.ai_share_spike;
      return [
        ["AI share, last 7 days", "currentSharePercent", pct],
        ["AI share, the 7 days before", "previousSharePercent", pct],
        ["Rise", "increasePoints", pts, ["more than ", "thresholdPoints", pts], s.increasePoints],
        ["Lines, last 7 days", "currentLines", whole, ["at least ", null, whole], s.minLines],
        ["Lines, the 7 days before", "previousLines", whole, ["at least ", null, whole], s.minLines],
      ];
    }
    case "ai_tax_high": {
      const s = settings.ai_tax_high;
      return [
        ["AI rework (share of changed lines)", "aiTaxPercent", pct, ["above ", "thresholdPercent", pct], s.thresholdPercent],
        ["Human rework (share of changed lines)", "humanTaxPercent", pct],
        ["AI rework ÷ human rework", "aiToHumanRatio", (v) => `${Math.round(v * 10) / 10}×`, ["above ", "humanRatio", (v) => `${v}×`], s.humanRatio],
        ["Changed lines", "changedLines", whole],
        ["Window", "windowDays", days, ["", "windowDays", days], s.windowDays],
      ];
    }
    case "survival_drop": {
      const s = settings.survival_drop;
      return [
        ["AI-written lines surviving 4 weeks", "aiSurvivalPercent", pct],
        ["Human lines surviving 4 weeks", "humanSurvivalPercent", pct],
        ["Gap", "gapPoints", pts, ["more than ", "thresholdPoints", pts], s.gapPoints],
        ["AI-written lines born", "aiLinesBorn", whole, ["at least ", null, whole], s.minLines],
        ["Human lines born", "humanLinesBorn", whole, ["at least ", null, whole], s.minLines],
      ];
    }
    case "review_queue_saturated": {
      const s = settings.review_queue_saturated;
      return [
        ["Pull requests waiting for a first review", "waiting", whole, ["more than ", "maxWaiting", whole], s.maxWaiting],
        ["Oldest wait", "oldestWaitHours", (v) => `${whole(v)} h`, ["more than ", "maxOldestWaitHours", (v) => `${v} h`], s.maxOldestWaitHours],
      ];
    }
    case "high_risk_deployed": {
      const s = settings.high_risk_deployed;
      return [
        ["High-risk AI-written files deployed", "riskyFiles", whole],
        ["New commits in the deployment", "newCommits", whole],
        ["Minimum AI confidence of a file", "minAiConfidence", String, ["", "minAiConfidence", String], s.minAiConfidence],
        ["Minimum risk tier of a file", "minRiskTier", (v) => `T${v}`, ["", "minRiskTier", (v) => `T${v}`], s.minRiskTier],
      ];
    }
    case "incident_ai_attributed": {
      const s = settings.incident_ai_attributed;
      return [
        ["AI share of the suspected commits' lines", "aiSharePercent", pct, ["above ", "thresholdPercent", pct], s.thresholdPercent],
        ["Suspected lines", "lines", whole],
        ["AI-written suspected lines", "aiLines", whole],
        ["Suspected commits", "suspectedCommits", whole],
      ];
    }
    case "ai_high_risk_merged_without_review": {
      const s = settings.ai_high_risk_merged_without_review;
      return [
        ["Merged without a review", "unreviewed", whole, ["at least ", "minPullRequests", whole], s.minPullRequests],
        ["Merged with AI-written T3/T4 changes", "aiHighRiskMerged", whole],
        ["Window", "windowDays", days, ["", "windowDays", days], s.windowDays],
      ];
    }
  }
}

const isRule = (rule: string, settings: AlertSettings): rule is AlertRuleName => Object.hasOwn(settings, rule);

/** A label from a details key a rule of another version stored: "aiSharePercent" → "ai share percent". */
const humanise = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();

/**
 * The figures table of an alert. A rule this version does not know, or details that lack a rule's numbers, still
 * show every number the details hold (no threshold columns then).
 */
export function alertFigures(rule: string, details: Record<string, unknown>, settings: AlertSettings): AlertFigure[] {
  const derived = { ...details };
  // The ratio the ai_tax_high rule compares with humanRatio is not stored; it follows from the two taxes.
  const aiTax = number(details, "aiTaxPercent");
  const humanTax = number(details, "humanTaxPercent");
  if (aiTax !== null && humanTax !== null && humanTax > 0) derived.aiToHumanRatio = aiTax / humanTax;

  if (isRule(rule, settings)) {
    const figures = specsFor(rule, settings).flatMap(([label, field, format, then, now]): AlertFigure[] => {
      const value = number(derived, field);
      if (value === null) return [];
      const thenValue = then ? number(derived, then[1]) : null;
      return [
        {
          label,
          value: format(value),
          thresholdThen: then && thenValue !== null ? `${then[0]}${then[2](thenValue)}` : null,
          thresholdNow: then && now !== undefined && now !== null ? `${then[0]}${then[2](now)}` : null,
        },
      ];
    });
    if (figures.length > 0) return figures;
  }
  return Object.entries(details)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number" && Number.isFinite(entry[1]))
    .map(([key, value]) => ({ label: humanise(key), value: String(Math.round(value * 100) / 100), thresholdThen: null, thresholdNow: null }));
}
