/**
 * One repository's numbers for one local day (`repo_metrics`). Inputs are plain rows already narrowed to the
 * repository by the caller; everything here is arithmetic, so it is tested against hand-computed fixtures.
 */
import { isAwaitingFirstReview, medianPickupMinutes, type PullRequestTimeline } from "./review-queue.ts";

/** A line (or commit) counts as AI-written at this confidence or above. */
export const AI_THRESHOLD = 0.5;
/** GitClear's churn window: a line deleted or rewritten within 14 days of being added. */
export const CHURN_WINDOW_DAYS = 14;

export type TierCounts = { t1: number; t2: number; t3: number; t4: number };

export interface DayCommit {
  sha: string;
  aiConfidence: number | null;
}

export interface DayFile {
  commitSha: string;
  path: string;
  countsTowardShare: boolean;
  aiConfidence: number;
  riskTier: number;
  linesAdded: number;
  linesDeleted: number;
}

export interface DeploymentRecord {
  id: string;
  isProduction: boolean;
  status: string;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface IncidentRecord {
  startedAt: Date;
}

export interface DailyMetricsInput {
  day: { start: Date; end: Date };
  /** Analysed commits authored in the day (merge commits are never analysed). */
  commits: readonly DayCommit[];
  /** Attribution rows of those commits. */
  files: readonly DayFile[];
  /** Lines that died in the day within 14 days of birth, by origin (line provenance). Null when not computed. */
  churn: { ai: number; human: number } | null;
  /** PRs that could be open, opened, merged or reviewed in the day. */
  pullRequests: readonly (PullRequestTimeline & { openedAt: Date })[];
  /** Deployments finished from the start of the day onwards (later ones decide which incident belongs to whom). */
  deployments: readonly DeploymentRecord[];
  /** Incidents started from the start of the day onwards. */
  incidents: readonly IncidentRecord[];
  /** Precomputed `failedDeployments(deployments, incidents)` when many days share the same lists. */
  failedDeploymentIds?: ReadonlySet<string>;
}

export interface DailyMetrics {
  commits: number;
  aiCommits: number;
  linesAdded: number;
  aiLinesAdded: number;
  linesDeleted: number;
  aiPercentage: number;
  linesByTier: TierCounts;
  aiLinesByTier: TierCounts;
  highRiskFiles: number;
  aiChurnLines: number | null;
  humanChurnLines: number | null;
  aiTax: number | null;
  humanTax: number | null;
  prsOpened: number;
  prsMerged: number;
  reviewQueueDepth: number;
  medianPickupMinutes: number | null;
  deployments: number;
  incidentsOpened: number;
  changeFailureRate: number | null;
}

const emptyTiers = (): TierCounts => ({ t1: 0, t2: 0, t3: 0, t4: 0 });
const tierKey = (tier: number): keyof TierCounts => (tier <= 1 ? "t1" : tier === 2 ? "t2" : tier === 3 ? "t3" : "t4");
const within = (at: Date | null, day: { start: Date; end: Date }) =>
  at !== null && at.getTime() >= day.start.getTime() && at.getTime() < day.end.getTime();

export interface AiShare {
  linesAdded: number;
  aiLinesAdded: number;
  linesDeleted: number;
  /** AI-attributed added lines ÷ all added lines × 100; 0 on a day without added lines. */
  aiPercentage: number;
  linesByTier: TierCounts;
  aiLinesByTier: TierCounts;
  /** Distinct T3/T4 paths with AI confidence ≥ 0.5 touched in the day. */
  highRiskFiles: number;
}

/** AI share over attribution rows; lockfiles, generated, vendored and binary files never count. */
export function computeAiShare(files: readonly DayFile[]): AiShare {
  const share: AiShare = {
    linesAdded: 0,
    aiLinesAdded: 0,
    linesDeleted: 0,
    aiPercentage: 0,
    linesByTier: emptyTiers(),
    aiLinesByTier: emptyTiers(),
    highRiskFiles: 0,
  };
  const risky = new Set<string>();
  for (const file of files) {
    if (!file.countsTowardShare) continue;
    const ai = file.aiConfidence >= AI_THRESHOLD;
    const tier = tierKey(file.riskTier);
    share.linesAdded += file.linesAdded;
    share.linesDeleted += file.linesDeleted;
    share.linesByTier[tier] += file.linesAdded;
    if (ai) {
      share.aiLinesAdded += file.linesAdded;
      share.aiLinesByTier[tier] += file.linesAdded;
      if (file.riskTier >= 3) risky.add(file.path);
    }
  }
  share.highRiskFiles = risky.size;
  share.aiPercentage = share.linesAdded === 0 ? 0 : (share.aiLinesAdded / share.linesAdded) * 100;
  return share;
}

/**
 * AI tax and its human equivalent: the share of the day's changed lines spent reworking young lines — lines
 * deleted or rewritten today that AI-attributed (resp. human) commits added in the previous 14 days, divided by all
 * lines added or deleted today. Null on a day without changed lines.
 */
export function computeReworkTax(churn: { ai: number; human: number }, changedLines: number): { aiTax: number | null; humanTax: number | null } {
  if (changedLines <= 0) return { aiTax: null, humanTax: null };
  return { aiTax: churn.ai / changedLines, humanTax: churn.human / changedLines };
}

function deploymentTime(deployment: DeploymentRecord): Date {
  return deployment.finishedAt ?? deployment.createdAt;
}

/** Successful production deployments: what DORA counts as a deployment. */
export function isProductionDeploy(deployment: DeploymentRecord): boolean {
  return deployment.isProduction && deployment.status === "success";
}

/**
 * DORA change failure rate as DevLake computes it: each incident belongs to the last production deployment that
 * finished before it started; the rate is deployments (finished in the window) with ≥ 1 incident ÷ deployments
 * finished in the window. Null when nothing was deployed.
 */
export function changeFailureRate(
  deployments: readonly DeploymentRecord[],
  incidents: readonly IncidentRecord[],
  window: { start: Date; end: Date },
  failed: ReadonlySet<string> = failedDeployments(deployments, incidents),
): { deployments: number; failed: number; rate: number | null } {
  const inWindow = deployments.filter((deployment) => isProductionDeploy(deployment) && within(deploymentTime(deployment), window));
  const failedInWindow = inWindow.filter((deployment) => failed.has(deployment.id)).length;
  return { deployments: inWindow.length, failed: failedInWindow, rate: inWindow.length === 0 ? null : failedInWindow / inWindow.length };
}

/** Ids of production deployments with at least one incident (the incident's last deployment before it started). */
export function failedDeployments(deployments: readonly DeploymentRecord[], incidents: readonly IncidentRecord[]): Set<string> {
  const production = deployments.filter(isProductionDeploy).sort((a, b) => deploymentTime(a).getTime() - deploymentTime(b).getTime());
  const failed = new Set<string>();
  for (const incident of incidents) {
    // Binary search: the last deployment finished at or before the incident started.
    let low = 0;
    let high = production.length - 1;
    let culprit = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (deploymentTime(production[middle]!).getTime() <= incident.startedAt.getTime()) {
        culprit = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (culprit >= 0) failed.add(production[culprit]!.id);
  }
  return failed;
}

export function computeDailyMetrics(input: DailyMetricsInput): DailyMetrics {
  const { day } = input;
  const share = computeAiShare(input.files);
  const tax = input.churn ? computeReworkTax(input.churn, share.linesAdded + share.linesDeleted) : { aiTax: null, humanTax: null };
  const dora = changeFailureRate(input.deployments, input.incidents, day, input.failedDeploymentIds);
  return {
    commits: input.commits.length,
    aiCommits: input.commits.filter((commit) => (commit.aiConfidence ?? 0) >= AI_THRESHOLD).length,
    linesAdded: share.linesAdded,
    aiLinesAdded: share.aiLinesAdded,
    linesDeleted: share.linesDeleted,
    aiPercentage: share.aiPercentage,
    linesByTier: share.linesByTier,
    aiLinesByTier: share.aiLinesByTier,
    highRiskFiles: share.highRiskFiles,
    aiChurnLines: input.churn?.ai ?? null,
    humanChurnLines: input.churn?.human ?? null,
    aiTax: tax.aiTax,
    humanTax: tax.humanTax,
    prsOpened: input.pullRequests.filter((pr) => within(pr.openedAt, day)).length,
    prsMerged: input.pullRequests.filter((pr) => within(pr.mergedAt, day)).length,
    // Depth at the end of the day: the state the next morning starts from.
    reviewQueueDepth: input.pullRequests.filter((pr) => isAwaitingFirstReview(pr, new Date(day.end.getTime() - 1))).length,
    medianPickupMinutes: medianPickupMinutes(input.pullRequests, { from: day.start, to: day.end }),
    deployments: dora.deployments,
    incidentsOpened: input.incidents.filter((incident) => within(incident.startedAt, day)).length,
    changeFailureRate: dora.rate,
  };
}
