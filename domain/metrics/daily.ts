/**
 * One repository's numbers for one local day (`repo_metrics`). Inputs are plain rows already narrowed to the
 * repository by the caller; everything here is arithmetic, so it is tested against hand-computed fixtures.
 */
import { isAwaitingFirstReview, medianPickupMinutes, type PullRequestTimeline } from "./review-queue.ts";
import { confidenceAtPrior, estimateDayShare, newestDetectorVersionsFirst, type CommitShareInput, type ConfidenceBin } from "./share-bins.ts";
import { AI_CONFIDENCE_THRESHOLD } from "../detection/threshold.ts";
import type { TierCounts } from "../risk/tiers.ts";

/** GitClear's churn window: a line deleted or rewritten within 14 days of being added. */
export const CHURN_WINDOW_DAYS = 14;


export interface DayCommit {
  sha: string;
  aiConfidence: number | null;
  /** The detector that scored it (the day's newest is stored with the row). */
  detectorVersion?: string | null;
}

export interface DayFile {
  commitSha: string;
  path: string;
  countsTowardShare: boolean;
  aiConfidence: number;
  riskTier: number;
  linesAdded: number;
  linesDeleted: number;
  /** Of the added lines, those somebody wrote (what AI share is a share of). */
  writtenLines: number;
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
  /**
   * The repository's analysed commits of the 89 days before this one, binned by confidence (their lines are not
   * used): the prior of the day's share is fitted over them and the day's commits, so that a day's few commits do
   * not decide their own prior (ADR 033). Empty: the day alone.
   */
  priorWindow?: readonly ConfidenceBin[];
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

export interface AiShare {
  /** Added lines of counted files (lockfiles, generated, vendored files left out): AI tax's denominator. */
  linesAdded: number;
  /** Written lines of the analysed commits' counted files: what the share is a share of. */
  writtenLines: number;
  /** Expected AI-written lines among them (Σ lines × adjusted confidence), rounded. */
  aiLinesAdded: number;
  linesDeleted: number;
  /** Estimated AI share of the written lines × 100; 0 on a day without written lines. */
  aiPercentage: number;
  /** Plausible range (about 95 %) of the share × 100; null on a day without written lines. */
  aiShareLow: number | null;
  aiShareHigh: number | null;
  /** The prior the confidences were re-weighted to (0–1); null without analysed commits. */
  aiPrior: number | null;
  /** Written lines per risk tier, and the expected AI lines of each at the same adjusted confidences (rounded). */
  linesByTier: TierCounts;
  aiLinesByTier: TierCounts;
  /** Distinct T3/T4 paths with AI confidence ≥ 0.5 touched in the day. */
  highRiskFiles: number;
}

/** A day's row of `repo_metrics`: its AI share (computeAiShare) and the day's counts and rates. */
export interface DailyMetrics extends AiShare {
  commits: number;
  aiCommits: number;
  detectorVersion: string | null;
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

/**
 * AI share of a day's written lines, estimated (ADR 033): each analysed commit is an item at its commit-level
 * confidence with its counted files' written lines, and estimateAiShare re-weights the confidences to the prior fitted
 * over the day's commits and `priorWindow`'s. Tier lines are split by the very same adjusted confidences, so they add
 * up to the day's AI lines. Without `commits` (one commit's files, as the engine's tests pass them), each file is an
 * item at its own confidence. Lockfiles, generated, vendored and binary files never count.
 */
export function computeAiShare(
  files: readonly DayFile[],
  estimate: { commits?: readonly DayCommit[]; priorWindow?: readonly ConfidenceBin[] } = {},
): AiShare {
  const share: AiShare = {
    linesAdded: 0,
    writtenLines: 0,
    aiLinesAdded: 0,
    linesDeleted: 0,
    aiPercentage: 0,
    aiShareLow: null,
    aiShareHigh: null,
    aiPrior: null,
    linesByTier: emptyTiers(),
    aiLinesByTier: emptyTiers(),
    highRiskFiles: 0,
  };
  const risky = new Set<string>();
  type Item = CommitShareInput & { linesByTier: TierCounts };
  const items = new Map<string, Item>();
  const confidenceOf = estimate.commits ? new Map(estimate.commits.map((commit) => [commit.sha, commit.aiConfidence])) : null;
  if (estimate.commits) {
    for (const commit of estimate.commits) {
      if (commit.aiConfidence !== null) items.set(commit.sha, { confidence: commit.aiConfidence, writtenLines: 0, linesByTier: emptyTiers() });
    }
  }
  files.forEach((file, index) => {
    if (!file.countsTowardShare) return;
    const tier = tierKey(file.riskTier);
    share.linesAdded += file.linesAdded;
    share.linesDeleted += file.linesDeleted;
    if (file.aiConfidence >= AI_CONFIDENCE_THRESHOLD && file.riskTier >= 3) risky.add(file.path);
    let item = confidenceOf ? items.get(file.commitSha) : undefined;
    if (!confidenceOf) {
      item = { confidence: file.aiConfidence, writtenLines: 0, linesByTier: emptyTiers() };
      items.set(`${index}`, item);
    }
    if (!item) return;
    item.writtenLines += file.writtenLines;
    item.linesByTier[tier] += file.writtenLines;
  });
  share.highRiskFiles = risky.size;
  if (items.size === 0) return share;

  const day = [...items.values()];
  const estimated = estimateDayShare(estimate.priorWindow ?? [], day);
  share.aiPrior = estimated.prior;
  share.writtenLines = estimated.lines;
  if (estimated.share === null) return share;
  const aiByTier = emptyTiers();
  for (const item of day) {
    const p = confidenceAtPrior(item.confidence, estimated.prior);
    for (const key of ["t1", "t2", "t3", "t4"] as const) {
      share.linesByTier[key] += item.linesByTier[key];
      aiByTier[key] += item.linesByTier[key] * p;
    }
  }
  share.aiLinesAdded = Math.round(estimated.aiLines);
  share.aiLinesByTier = { t1: Math.round(aiByTier.t1), t2: Math.round(aiByTier.t2), t3: Math.round(aiByTier.t3), t4: Math.round(aiByTier.t4) };
  share.aiPercentage = estimated.share * 100;
  share.aiShareLow = (estimated.low ?? estimated.share) * 100;
  share.aiShareHigh = (estimated.high ?? estimated.share) * 100;
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
  const share = computeAiShare(input.files, { commits: input.commits, priorWindow: input.priorWindow });
  const tax = input.churn ? computeReworkTax(input.churn, share.linesAdded + share.linesDeleted) : { aiTax: null, humanTax: null };
  const dora = changeFailureRate(input.deployments, input.incidents, day, input.failedDeploymentIds);
  return {
    commits: input.commits.length,
    aiCommits: input.commits.filter((commit) => (commit.aiConfidence ?? 0) >= AI_CONFIDENCE_THRESHOLD).length,
    linesAdded: share.linesAdded,
    writtenLines: share.writtenLines,
    aiLinesAdded: share.aiLinesAdded,
    linesDeleted: share.linesDeleted,
    aiPercentage: share.aiPercentage,
    aiShareLow: share.aiShareLow,
    aiShareHigh: share.aiShareHigh,
    aiPrior: share.aiPrior,
    detectorVersion:
      newestDetectorVersionsFirst(input.commits.flatMap((commit) => (commit.detectorVersion ? [commit.detectorVersion] : [])))[0] ?? null,
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
