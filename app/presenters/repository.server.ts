import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../infrastructure/db/client.ts";
import { estimateShareFromBins, expectedAiLinesAtPrior } from "../../domain/metrics/share-bins.ts";
import type { TierCounts } from "../../domain/risk/tiers.ts";
import type { SurvivalCurvePoint } from "../../infrastructure/db/schema/index.ts";
import {
  detectorVersionsOf,
  detectorVersionsOrCurrent,
  parseShareBins,
  shareBinsSql,
  type PackedShareBins,
} from "./ai-share.server.ts";
import { highRiskFilesSince, windowStartDay } from "./dashboard.server.ts";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";

const DAY_MS = 86_400_000;
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "use a date like 2026-11-01");

/** `?from&to` of the metrics endpoints and page: calendar days, at most a year, defaulting to the last 90. */
export const metricsRangeQuery = z
  .object({ from: isoDate.optional(), to: isoDate.optional() })
  .refine((range) => !range.from || !range.to || range.from <= range.to, { path: ["to"], message: "to must not be before from" });
export type MetricsRangeQuery = z.infer<typeof metricsRangeQuery>;

export function resolveMetricsRange(query: MetricsRangeQuery, now: Date): { from: string; to: string } {
  const to = query.to ?? now.toISOString().slice(0, 10);
  const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 89 * DAY_MS).toISOString().slice(0, 10);
  return { from, to };
}

export interface RepositoryRef {
  id: string;
  fullName: string;
  source: "github" | "local" | "demo";
  defaultBranch: string;
}

/** The repository if it is this organisation's and active; null otherwise (the caller answers 404). */
export async function findRepository(db: Executor, orgId: string, repoId: string): Promise<RepositoryRef | null> {
  if (!z.string().uuid().safeParse(repoId).success) return null;
  const [row] = await db.execute<{ id: string; full_name: string; source: RepositoryRef["source"]; default_branch: string }>(sql`
    select id, full_name, source, default_branch from repositories
    where id = ${repoId} and org_id = ${orgId} and disabled_at is null
  `);
  return row ? { id: row.id, fullName: row.full_name, source: row.source, defaultBranch: row.default_branch } : null;
}

export interface RepoMetricsPoint {
  date: string;
  commits: number;
  aiCommits: number;
  linesAdded: number;
  /** Written lines (what the share is a share of) and the expected AI-written lines among them, rounded. */
  writtenLines: number;
  aiLinesAdded: number;
  /**
   * Estimated AI share of the day's written lines, a fraction 0–1 like every share of the API (repo_metrics stores a
   * percent), with the repository's prior over 90 days (ADR 033). The name is the column's, kept for API v1.
   */
  aiPercentage: number;
  /** Its plausible range, fractions 0–1; null on a day without written lines (and on rows from before the estimate). */
  aiShareLow: number | null;
  aiShareHigh: number | null;
  /** The detector version of the day's newest verdict. */
  detectorVersion: string | null;
  /** Share (0–1) of the day's changed lines spent reworking young AI lines; null when nothing changed. */
  aiTax: number | null;
  humanTax: number | null;
  linesByTier: TierCounts | null;
  aiLinesByTier: TierCounts | null;
  highRiskFiles: number;
  prsOpened: number;
  prsMerged: number;
  reviewQueueDepth: number | null;
  deployments: number;
  incidentsOpened: number;
}

/** Daily rows from repo_metrics (written by the nightly job), oldest first. */
export async function getRepoMetrics(db: Executor, orgId: string, repoId: string, range: { from: string; to: string }): Promise<RepoMetricsPoint[]> {
  const rows = await db.execute<{
    date: string;
    commits: number;
    ai_commits: number;
    lines_added: number;
    written_lines: number;
    ai_lines_added: number;
    ai_percentage: number;
    ai_share_low: number | null;
    ai_share_high: number | null;
    detector_version: string | null;
    ai_tax: number | null;
    human_tax: number | null;
    lines_by_tier: TierCounts | null;
    ai_lines_by_tier: TierCounts | null;
    high_risk_files: number;
    prs_opened: number;
    prs_merged: number;
    review_queue_depth: number | null;
    deployments: number;
    incidents_opened: number;
  }>(sql`
    select to_char(date, 'YYYY-MM-DD') as date, commits, ai_commits, lines_added, written_lines, ai_lines_added, ai_percentage,
      ai_share_low, ai_share_high, detector_version, ai_tax, human_tax,
      lines_by_tier, ai_lines_by_tier, high_risk_files, prs_opened, prs_merged, review_queue_depth, deployments, incidents_opened
    from repo_metrics
    where org_id = ${orgId} and repo_id = ${repoId} and date between ${range.from} and ${range.to}
    order by date
  `);
  return rows.map((row) => ({
    date: row.date,
    commits: row.commits,
    aiCommits: row.ai_commits,
    linesAdded: row.lines_added,
    writtenLines: row.written_lines,
    aiLinesAdded: row.ai_lines_added,
    aiPercentage: fractionOfPercent(row.ai_percentage),
    aiShareLow: row.ai_share_low === null ? null : fractionOfPercent(row.ai_share_low),
    aiShareHigh: row.ai_share_high === null ? null : fractionOfPercent(row.ai_share_high),
    detectorVersion: row.detector_version,
    aiTax: row.ai_tax,
    humanTax: row.human_tax,
    linesByTier: row.lines_by_tier,
    aiLinesByTier: row.ai_lines_by_tier,
    highRiskFiles: row.high_risk_files,
    prsOpened: row.prs_opened,
    prsMerged: row.prs_merged,
    reviewQueueDepth: row.review_queue_depth,
    deployments: row.deployments,
    incidentsOpened: row.incidents_opened,
  }));
}

/**
 * repo_metrics keeps the day's share in percent (31.2); the API answers every share as a fraction 0–1 (issue 19).
 * Rounded to six decimals so the real column's float noise does not show.
 */
function fractionOfPercent(percent: number): number {
  return Math.round(percent * 10_000) / 1_000_000;
}

export interface RepoShareEstimate {
  /** Estimated AI share of the range's written lines, a fraction 0–1, and its plausible range; null without written lines. */
  aiShare: number | null;
  aiShareLow: number | null;
  aiShareHigh: number | null;
  writtenLines: number;
  aiLines: number;
  analyzedCommits: number;
  /** The repository's estimated share of agent commits over the range (0–1). */
  prior: number;
  /** Detector versions whose verdicts the estimate rests on, newest first. */
  detectorVersions: string[];
}

/**
 * AI share of a repository over the UTC days [from, to] from the share bins (ADR 033): the bins of the range added
 * up, then estimateAiShare with the prior fitted over the range. No commit is read.
 */
export async function getRepoShareEstimate(db: Executor, orgId: string, repoId: string, range: { from: string; to: string }): Promise<RepoShareEstimate> {
  const [packed] = await db.execute<PackedShareBins>(shareBinsSql(orgId, sql`${repoId}::uuid`, range));
  const estimate = estimateShareFromBins(parseShareBins(packed?.bins ?? null));
  return {
    aiShare: estimate.share,
    aiShareLow: estimate.low,
    aiShareHigh: estimate.high,
    writtenLines: estimate.lines,
    aiLines: Math.round(estimate.aiLines),
    analyzedCommits: estimate.commits,
    prior: estimate.prior,
    detectorVersions: packed ? detectorVersionsOf(packed) : [],
  };
}

export interface HighRiskFile {
  path: string;
  riskTier: number;
  riskReasons: string[];
  aiCommits: number;
  aiLinesAdded: number;
  maxAiConfidence: number;
  lastChangedAt: string;
  lastCommitSha: string;
}

/**
 * Counted files (not lockfiles, generated or vendored) in risk tiers T3/T4 that AI-attributed changes (confidence
 * ≥ 0.5) touched in the window (the last `windowDays` UTC days, today included), riskiest and most AI-changed first —
 * the files the overview and the repository card count. The threshold is written into the SQL,
 * not bound, so the planner can use the partial index on exactly these rows (code_attribution_repo_high_risk_idx).
 */
export async function getHighRiskFiles(
  db: Executor,
  orgId: string,
  repoId: string,
  options: { now: Date; windowDays?: number; limit?: number },
): Promise<HighRiskFile[]> {
  const since = `${windowStartDay(options.now, options.windowDays ?? 90)}T00:00:00.000Z`;
  const rows = await db.execute<{
    file_path: string;
    risk_tier: number;
    risk_reasons: string[];
    ai_commits: number;
    ai_lines_added: number;
    max_ai_confidence: number;
    last_changed_at: string;
    last_commit_sha: string;
  }>(sql`
    select ca.file_path,
      max(ca.risk_tier)::int as risk_tier,
      (array_agg(ca.risk_reasons order by ca.authored_at desc))[1] as risk_reasons,
      count(distinct ca.commit_sha)::int as ai_commits,
      sum(ca.lines_added)::int as ai_lines_added,
      max(ca.ai_confidence) as max_ai_confidence,
      max(ca.authored_at) as last_changed_at,
      (array_agg(ca.commit_sha order by ca.authored_at desc))[1] as last_commit_sha
    from code_attribution ca
    where ca.org_id = ${orgId} and ca.repo_id = ${repoId} and ca.authored_at >= ${since}
      and ca.risk_tier >= 3 and ca.ai_confidence >= ${sql.raw(String(AI_CONFIDENCE_THRESHOLD))} and ca.counts_toward_share
    group by ca.file_path
    order by max(ca.risk_tier) desc, sum(ca.lines_added) desc, ca.file_path
    limit ${options.limit ?? 50}
  `);
  return rows.map((row) => ({
    path: row.file_path,
    riskTier: row.risk_tier,
    riskReasons: row.risk_reasons ?? [],
    aiCommits: row.ai_commits,
    aiLinesAdded: row.ai_lines_added,
    maxAiConfidence: row.max_ai_confidence,
    lastChangedAt: new Date(row.last_changed_at).toISOString(),
    lastCommitSha: row.last_commit_sha,
  }));
}

export interface RepoOverview {
  repository: RepositoryRef;
  windowDays: number;
  cards: {
    /** Estimated AI share of written lines, a fraction 0–1 as the API answers it, with its plausible range (ADR 033). */
    aiShare: number | null;
    aiShareLow: number | null;
    aiShareHigh: number | null;
    writtenLines: number;
    aiTax: number | null;
    highRiskFiles: number;
    openIncidents: number;
    incidents: number;
  };
  /** The detector versions whose verdicts the share rests on, newest first (the running one if none). */
  detectorVersions: string[];
  /** Written lines by risk tier, split by the same adjusted confidences as the share (rounded). */
  linesByTier: Array<{ tier: string; ai: number; human: number }>;
  survival: { ai: SurvivalCurvePoint[]; human: SurvivalCurvePoint[]; aiHalfLifeDays: number | null; humanHalfLifeDays: number | null };
  reviewQueue: { takenAt: string; waiting: number; hanging: number; oldestWaitMinutes: number | null; medianPickupMinutes: number | null; aiWaitingShare: number | null } | null;
  openPullRequests: Array<{ number: number; title: string; authorLogin: string | null; openedAt: string; aiMarkers: string[] }>;
  /** Why GitHub refused Sentinel this repository's last fetch (permission, SAML, not visible); null while it answers. */
  accessError: { reason: string; at: string | null } | null;
}

/**
 * The repository page's cards and tables over the last `windowDays` UTC days (today included). AI share and lines by
 * tier come from the share bins (ADR 033), high-risk files from the daily rollups of the attribution rows (both fresh
 * as soon as a commit is analysed, ADR 060); AI tax is the changed-lines-weighted mean of the nightly repo_metrics rows.
 */
export async function getRepoOverview(db: Executor, orgId: string, repoId: string, now: Date, windowDays = 90): Promise<RepoOverview | null> {
  if (!z.string().uuid().safeParse(repoId).success) return null;
  const sinceDate = windowStartDay(now, windowDays);
  const since = `${sinceDate}T00:00:00.000Z`;
  // All reads at once: each is scoped to the organisation, so for another tenant's repository they find nothing and
  // the missing repository answers null.
  const [repository, shareRows, highRisk, tax, incidents, survival, queue, prs, access] = await Promise.all([
    findRepository(db, orgId, repoId),
    db.execute<PackedShareBins>(shareBinsSql(orgId, sql`${repoId}::uuid`, { from: sinceDate, to: null })),
    db.execute<{ files: number }>(sql`select ${highRiskFilesSince(orgId, sql`${repoId}::uuid`, sinceDate)} as files`),
    db.execute<{ ai_tax: number | null }>(sql`
      select sum(ai_tax * (lines_added + lines_deleted)) / nullif(sum(lines_added + lines_deleted) filter (where ai_tax is not null), 0) as ai_tax
      from repo_metrics where org_id = ${orgId} and repo_id = ${repoId} and date >= ${sinceDate}
    `),
    db.execute<{ total: number; open: number }>(sql`
      select count(*)::int as total, count(*) filter (where resolved_at is null)::int as open
      from incidents where org_id = ${orgId} and repo_id = ${repoId} and started_at >= ${since}
    `),
    db.execute<{ author_kind: "ai" | "human"; curve: SurvivalCurvePoint[]; half_life_days: number | null }>(sql`
      select distinct on (author_kind) author_kind, curve, half_life_days
      from line_survival
      where org_id = ${orgId} and repo_id = ${repoId} and jsonb_array_length(curve) > 0
      order by author_kind, cohort_week asc
    `),
    db.execute<{
      taken_at: string;
      waiting: number;
      hanging: number;
      oldest_wait_minutes: number | null;
      median_pickup_minutes: number | null;
      ai_waiting_share: number | null;
    }>(sql`
      select taken_at, waiting, hanging, oldest_wait_minutes, median_pickup_minutes, ai_waiting_share
      from review_queue_snapshots where org_id = ${orgId} and repo_id = ${repoId}
      order by taken_at desc limit 1
    `),
    db.execute<{ number: number; title: string; author_login: string | null; opened_at: string; ai_markers: string[] }>(sql`
      select number, title, author_login, opened_at, ai_markers from pull_requests
      where org_id = ${orgId} and repo_id = ${repoId} and state = 'open' and not draft and first_review_at is null
      order by opened_at asc limit 20
    `),
    db.execute<{ access_error: string; access_error_at: string | null }>(sql`
      select access_error, access_error_at from repositories
      where org_id = ${orgId} and id = ${repoId} and access_error is not null
    `),
  ]);
  if (!repository) return null;
  const bins = parseShareBins(shareRows[0]?.bins ?? null);
  const estimate = estimateShareFromBins(bins);
  const tiers = expectedAiLinesAtPrior(bins, estimate.prior);
  const curveOf = (kind: "ai" | "human") => survival.find((row) => row.author_kind === kind);
  const snapshot = queue[0];
  return {
    repository,
    windowDays,
    cards: {
      aiShare: estimate.share,
      aiShareLow: estimate.low,
      aiShareHigh: estimate.high,
      writtenLines: estimate.lines,
      aiTax: tax[0]?.ai_tax ?? null,
      highRiskFiles: highRisk[0]?.files ?? 0,
      openIncidents: incidents[0]?.open ?? 0,
      incidents: incidents[0]?.total ?? 0,
    },
    detectorVersions: detectorVersionsOrCurrent(shareRows[0] ? detectorVersionsOf(shareRows[0]) : []),
    linesByTier: (["t1", "t2", "t3", "t4"] as const).map((tier, index) => {
      const ai = Math.round(tiers.aiLinesByTier[tier]);
      return { tier: `T${index + 1}`, ai, human: tiers.linesByTier[tier] - ai };
    }),
    survival: {
      ai: curveOf("ai")?.curve ?? [],
      human: curveOf("human")?.curve ?? [],
      aiHalfLifeDays: curveOf("ai")?.half_life_days ?? null,
      humanHalfLifeDays: curveOf("human")?.half_life_days ?? null,
    },
    reviewQueue: snapshot
      ? {
          takenAt: new Date(snapshot.taken_at).toISOString(),
          waiting: snapshot.waiting,
          hanging: snapshot.hanging,
          oldestWaitMinutes: snapshot.oldest_wait_minutes,
          medianPickupMinutes: snapshot.median_pickup_minutes,
          aiWaitingShare: snapshot.ai_waiting_share,
        }
      : null,
    openPullRequests: prs.map((pr) => ({
      number: pr.number,
      title: pr.title,
      authorLogin: pr.author_login,
      openedAt: new Date(pr.opened_at).toISOString(),
      aiMarkers: pr.ai_markers ?? [],
    })),
    accessError: access[0]
      ? { reason: access[0].access_error, at: access[0].access_error_at === null ? null : new Date(access[0].access_error_at).toISOString() }
      : null,
  };
}
