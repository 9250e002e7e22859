import type { AlertRuleName, AlertSettings } from "./settings.ts";
import { AI_CONFIDENCE_THRESHOLD } from "../detection/threshold.ts";
import type { TierCounts } from "../risk/tiers.ts";
import { alertReason, formatMessagePercent } from "./reason.ts";

export { formatMessagePercent };

/**
 * Alert rules as pure functions: metrics (or an event) and the organisation's settings in, candidates out. A
 * candidate carries the numbers that triggered it, so every message can say what was seen and against which
 * threshold. Whether a candidate becomes an alert (24 h dedup) is decided by the database, not here.
 */

export type AlertSeverity = "info" | "warning" | "critical";

export interface AlertCandidate {
  rule: AlertRuleName;
  severity: AlertSeverity;
  repoId: string | null;
  title: string;
  /** One sentence with the observed value and the threshold, e.g. "95 % of critical code was AI-written (threshold 90 %)". */
  message: string;
  details: Record<string, unknown>;
}

/** The fields of one `repo_metrics` row the rules read. */
export interface DailyRepoMetrics {
  date: string;
  linesAdded: number;
  /**
   * Written lines, the denominator of the estimated AI share whose numerator is aiLinesAdded (ADR 033). Absent: the
   * share's denominator is linesAdded. Rows computed before the estimate have 0 and so take no part in the share rule.
   */
  writtenLines?: number;
  aiLinesAdded: number;
  linesDeleted: number;
  linesByTier: TierCounts | null;
  aiLinesByTier: TierCounts | null;
  aiChurnLines: number | null;
  humanChurnLines: number | null;
}

/** Line survival at 4 weeks over the cohorts old enough to have it, weighted by lines born. */
export interface SurvivalAtFourWeeks {
  /** 0–1 */
  survival: number;
  linesBorn: number;
}

export interface ReviewQueueState {
  takenAt: string;
  waiting: number;
  oldestWaitMinutes: number | null;
}

export interface RepoRef {
  id: string;
  fullName: string;
}

/** Pull requests merged in the rule's window that hold AI-written T3/T4 changes (application/metrics/unreviewed-ai-merges.ts). */
export interface UnreviewedAiMergesWindow {
  /** Merged in the window with AI-written changes to T3/T4 files. */
  aiHighRiskMerged: number;
  /** Of those, merged with no review by someone other than the author. */
  unreviewed: number;
  /** The unreviewed ones, newest merge first (at most a page of them). */
  pullRequests: { number: number; title: string; mergedAt: string; aiHighRiskFiles: number }[];
}

export interface MetricRuleInput {
  repo: RepoRef;
  /** The local day whose metrics were just written (YYYY-MM-DD). */
  asOf: string;
  /** Daily rows of the repository, any order, covering at least the last 14 days up to `asOf` when they exist. */
  daily: DailyRepoMetrics[];
  survival: { ai: SurvivalAtFourWeeks | null; human: SurvivalAtFourWeeks | null } | null;
  reviewQueue: ReviewQueueState | null;
  /** Read only when ai_high_risk_merged_without_review is on; absent or null otherwise. */
  unreviewedAiMerges?: UnreviewedAiMergesWindow | null;
}

const DAY_MS = 86_400_000;

/** Days d with asOf − (offsetDays + windowDays) < d ≤ asOf − offsetDays. */
function window(rows: DailyRepoMetrics[], asOf: string, windowDays: number, offsetDays = 0): DailyRepoMetrics[] {
  const end = Date.parse(`${asOf}T00:00:00Z`) - offsetDays * DAY_MS;
  const start = end - windowDays * DAY_MS;
  return rows.filter((row) => {
    const at = Date.parse(`${row.date}T00:00:00Z`);
    return at > start && at <= end;
  });
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/**
 * A candidate's message is the reason sentence of its details (reason.ts): the wording the alerts list, the alert page
 * and every notification share.
 */
function withReason(candidate: Omit<AlertCandidate, "message">): AlertCandidate {
  return { ...candidate, message: alertReason(candidate) };
}

export function evaluateAiCodeCritical(input: MetricRuleInput, settings: AlertSettings["ai_code_critical"]): AlertCandidate | null {
  if (!settings.enabled) return null;
  const rows = window(input.daily, input.asOf, settings.windowDays);
  const criticalLines = sum(rows.map((row) => row.linesByTier?.t4 ?? 0));
  const aiCriticalLines = sum(rows.map((row) => row.aiLinesByTier?.t4 ?? 0));
  if (criticalLines === 0 || criticalLines < settings.minLines) return null;
  const share = (aiCriticalLines / criticalLines) * 100;
  if (share <= settings.thresholdPercent) return null;
  return withReason({
    rule: "ai_code_critical",
    severity: "critical",
    repoId: input.repo.id,
    title: `AI-written critical code in ${input.repo.fullName}`,
    details: {
      aiSharePercent: share,
      thresholdPercent: settings.thresholdPercent,
      criticalLines,
      aiCriticalLines,
      windowDays: settings.windowDays,
      asOf: input.asOf,
    },
  });
}

export function evaluateAiShareSpike(input: MetricRuleInput, settings: AlertSettings["ai_share_spike"]): AlertCandidate | null {
  if (!settings.enabled) return null;
  const current = window(input.daily, input.asOf, 7);
  const previous = window(input.daily, input.asOf, 7, 7);
  const currentLines = sum(current.map((row) => row.writtenLines ?? row.linesAdded));
  const previousLines = sum(previous.map((row) => row.writtenLines ?? row.linesAdded));
  // A week with almost no code has a meaningless share: both weeks need enough lines.
  if (currentLines === 0 || previousLines === 0 || currentLines < settings.minLines || previousLines < settings.minLines) return null;
  const currentShare = (sum(current.map((row) => row.aiLinesAdded)) / currentLines) * 100;
  const previousShare = (sum(previous.map((row) => row.aiLinesAdded)) / previousLines) * 100;
  const increase = currentShare - previousShare;
  if (increase <= settings.increasePoints) return null;
  return withReason({
    rule: "ai_share_spike",
    severity: "warning",
    repoId: input.repo.id,
    title: `AI share jumped in ${input.repo.fullName}`,
    details: {
      currentSharePercent: currentShare,
      previousSharePercent: previousShare,
      increasePoints: increase,
      thresholdPoints: settings.increasePoints,
      currentLines,
      previousLines,
      asOf: input.asOf,
    },
  });
}

export function evaluateAiTaxHigh(input: MetricRuleInput, settings: AlertSettings["ai_tax_high"]): AlertCandidate | null {
  if (!settings.enabled) return null;
  const rows = window(input.daily, input.asOf, settings.windowDays).filter((row) => row.aiChurnLines !== null && row.humanChurnLines !== null);
  const changedLines = sum(rows.map((row) => row.linesAdded + row.linesDeleted));
  if (changedLines === 0) return null;
  const aiTax = (sum(rows.map((row) => row.aiChurnLines ?? 0)) / changedLines) * 100;
  const humanTax = (sum(rows.map((row) => row.humanChurnLines ?? 0)) / changedLines) * 100;
  if (aiTax <= settings.thresholdPercent) return null;
  if (aiTax <= humanTax * settings.humanRatio) return null;
  return withReason({
    rule: "ai_tax_high",
    severity: "warning",
    repoId: input.repo.id,
    title: `High rework on AI-written code in ${input.repo.fullName}`,
    details: {
      aiTaxPercent: aiTax,
      humanTaxPercent: humanTax,
      thresholdPercent: settings.thresholdPercent,
      humanRatio: settings.humanRatio,
      changedLines,
      windowDays: settings.windowDays,
      asOf: input.asOf,
    },
  });
}

export function evaluateSurvivalDrop(input: MetricRuleInput, settings: AlertSettings["survival_drop"]): AlertCandidate | null {
  if (!settings.enabled) return null;
  const ai = input.survival?.ai;
  const human = input.survival?.human;
  if (!ai || !human || ai.linesBorn < settings.minLines || human.linesBorn < settings.minLines) return null;
  const gap = (human.survival - ai.survival) * 100;
  if (gap <= settings.gapPoints) return null;
  return withReason({
    rule: "survival_drop",
    severity: "warning",
    repoId: input.repo.id,
    title: `AI-written lines are not surviving in ${input.repo.fullName}`,
    details: {
      aiSurvivalPercent: ai.survival * 100,
      humanSurvivalPercent: human.survival * 100,
      gapPoints: gap,
      thresholdPoints: settings.gapPoints,
      aiLinesBorn: ai.linesBorn,
      humanLinesBorn: human.linesBorn,
      asOf: input.asOf,
    },
  });
}

export function evaluateReviewQueueSaturated(input: MetricRuleInput, settings: AlertSettings["review_queue_saturated"]): AlertCandidate | null {
  if (!settings.enabled || !input.reviewQueue) return null;
  const { waiting, oldestWaitMinutes, takenAt } = input.reviewQueue;
  const oldestHours = oldestWaitMinutes === null ? null : oldestWaitMinutes / 60;
  const tooMany = waiting > settings.maxWaiting;
  const tooOld = oldestHours !== null && oldestHours > settings.maxOldestWaitHours;
  if (!tooMany && !tooOld) return null;
  return withReason({
    rule: "review_queue_saturated",
    severity: "info",
    repoId: input.repo.id,
    title: `Review queue saturated in ${input.repo.fullName}`,
    details: {
      waiting,
      maxWaiting: settings.maxWaiting,
      oldestWaitHours: oldestHours,
      maxOldestWaitHours: settings.maxOldestWaitHours,
      takenAt,
    },
  });
}

/**
 * ai_high_risk_merged_without_review (off by default): pull requests whose commits hold AI-written code (confidence ≥
 * the threshold) in T3/T4 files, merged in the window without a review by anyone but their author.
 */
export function evaluateAiHighRiskMergedWithoutReview(input: MetricRuleInput, settings: AlertSettings["ai_high_risk_merged_without_review"]): AlertCandidate | null {
  const merges = input.unreviewedAiMerges;
  if (!settings.enabled || !merges || merges.unreviewed === 0 || merges.unreviewed < settings.minPullRequests) return null;
  return withReason({
    rule: "ai_high_risk_merged_without_review",
    severity: "warning",
    repoId: input.repo.id,
    title: `AI-written T3/T4 changes merged without a review in ${input.repo.fullName}`,
    details: {
      unreviewed: merges.unreviewed,
      aiHighRiskMerged: merges.aiHighRiskMerged,
      minPullRequests: settings.minPullRequests,
      windowDays: settings.windowDays,
      pullRequests: merges.pullRequests,
      asOf: input.asOf,
    },
  });
}

/** Which metric rules run after which job wrote metrics. */
export type MetricsSource = "compute-metrics-daily" | "track-survival-weekly" | "monitor-saturation-hourly";

export const RULES_BY_SOURCE: Record<MetricsSource, AlertRuleName[]> = {
  "compute-metrics-daily": ["ai_code_critical", "ai_share_spike", "ai_tax_high", "ai_high_risk_merged_without_review"],
  "track-survival-weekly": ["survival_drop"],
  "monitor-saturation-hourly": ["review_queue_saturated"],
};

export function evaluateMetricRules(input: MetricRuleInput, settings: AlertSettings, source: MetricsSource): AlertCandidate[] {
  const evaluators: Partial<Record<AlertRuleName, () => AlertCandidate | null>> = {
    ai_code_critical: () => evaluateAiCodeCritical(input, settings.ai_code_critical),
    ai_share_spike: () => evaluateAiShareSpike(input, settings.ai_share_spike),
    ai_tax_high: () => evaluateAiTaxHigh(input, settings.ai_tax_high),
    survival_drop: () => evaluateSurvivalDrop(input, settings.survival_drop),
    review_queue_saturated: () => evaluateReviewQueueSaturated(input, settings.review_queue_saturated),
    ai_high_risk_merged_without_review: () => evaluateAiHighRiskMergedWithoutReview(input, settings.ai_high_risk_merged_without_review),
  };
  return RULES_BY_SOURCE[source].map((rule) => evaluators[rule]?.() ?? null).filter((candidate): candidate is AlertCandidate => candidate !== null);
}

/** One changed file of a commit, as `code_attribution` records it. */
export interface AttributedFile {
  commitSha: string;
  filePath: string;
  aiConfidence: number;
  riskTier: number;
  linesAdded: number;
  countsTowardShare: boolean;
}

export interface DeploymentRuleInput {
  repo: RepoRef;
  deployment: { id: string; sha: string; environment: string; previousSha: string | null };
  /** Attribution of the files changed by the deployment's new commits (previous deploy sha → this sha). */
  files: AttributedFile[];
}

export function evaluateHighRiskDeployed(input: DeploymentRuleInput, settings: AlertSettings["high_risk_deployed"]): AlertCandidate | null {
  if (!settings.enabled) return null;
  const risky = input.files.filter((file) => file.riskTier >= settings.minRiskTier && file.aiConfidence >= settings.minAiConfidence);
  if (risky.length === 0) return null;
  const commitCount = new Set(input.files.map((file) => file.commitSha)).size;
  const riskyCommits = new Set(risky.map((file) => file.commitSha));
  const paths = [...new Set(risky.map((file) => file.filePath))].sort();
  return withReason({
    rule: "high_risk_deployed",
    severity: "critical",
    repoId: input.repo.id,
    title: `AI-written critical code deployed to ${input.deployment.environment} in ${input.repo.fullName}`,
    details: {
      deploymentId: input.deployment.id,
      sha: input.deployment.sha,
      previousSha: input.deployment.previousSha,
      environment: input.deployment.environment,
      riskyFiles: paths.length,
      riskyFilePaths: paths.slice(0, 20),
      riskyCommits: [...riskyCommits].sort(),
      newCommits: commitCount,
      minAiConfidence: settings.minAiConfidence,
      minRiskTier: settings.minRiskTier,
    },
  });
}


export interface IncidentRuleInput {
  repo: RepoRef;
  incident: { id: string; title: string };
  /** Attribution of the files changed by the incident's suspected commits. */
  files: AttributedFile[];
}

export interface IncidentAttribution {
  lines: number;
  aiLines: number;
  /** null when the suspects changed no counted line. */
  aiSharePercent: number | null;
  byTier: Record<"t1" | "t2" | "t3" | "t4", { lines: number; aiLines: number }>;
}

/** AI share of the suspected commits' counted lines, overall and by risk tier (also shown on the incident page). */
export function computeIncidentAttribution(files: AttributedFile[]): IncidentAttribution {
  const byTier = { t1: { lines: 0, aiLines: 0 }, t2: { lines: 0, aiLines: 0 }, t3: { lines: 0, aiLines: 0 }, t4: { lines: 0, aiLines: 0 } };
  for (const file of files) {
    if (!file.countsTowardShare) continue;
    const tier = byTier[`t${Math.min(4, Math.max(1, file.riskTier))}` as keyof typeof byTier];
    tier.lines += file.linesAdded;
    if (file.aiConfidence >= AI_CONFIDENCE_THRESHOLD) tier.aiLines += file.linesAdded;
  }
  const lines = sum(Object.values(byTier).map((tier) => tier.lines));
  const aiLines = sum(Object.values(byTier).map((tier) => tier.aiLines));
  return { lines, aiLines, aiSharePercent: lines === 0 ? null : (aiLines / lines) * 100, byTier };
}

export function evaluateIncidentAiAttributed(input: IncidentRuleInput, settings: AlertSettings["incident_ai_attributed"]): AlertCandidate | null {
  if (!settings.enabled) return null;
  const attribution = computeIncidentAttribution(input.files);
  if (attribution.aiSharePercent === null || attribution.aiSharePercent <= settings.thresholdPercent) return null;
  return withReason({
    rule: "incident_ai_attributed",
    severity: "warning",
    repoId: input.repo.id,
    title: `Incident in ${input.repo.fullName} points at AI-written code`,
    details: {
      incidentId: input.incident.id,
      incidentTitle: input.incident.title,
      aiSharePercent: attribution.aiSharePercent,
      thresholdPercent: settings.thresholdPercent,
      lines: attribution.lines,
      aiLines: attribution.aiLines,
      byTier: attribution.byTier,
      suspectedCommits: new Set(input.files.map((file) => file.commitSha)).size,
    },
  });
}
