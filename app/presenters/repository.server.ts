import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../infrastructure/db/client.ts";
import type { SurvivalCurvePoint, TierCounts } from "../../infrastructure/db/schema/index.ts";
import { AI_LINE_THRESHOLD, highRiskFilesSince, windowStartDay } from "./dashboard.server.ts";

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
  aiLinesAdded: number;
  aiPercentage: number;
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
    ai_lines_added: number;
    ai_percentage: number;
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
    select to_char(date, 'YYYY-MM-DD') as date, commits, ai_commits, lines_added, ai_lines_added, ai_percentage, ai_tax, human_tax,
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
    aiLinesAdded: row.ai_lines_added,
    aiPercentage: row.ai_percentage,
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
      and ca.risk_tier >= 3 and ca.ai_confidence >= ${sql.raw(String(AI_LINE_THRESHOLD))} and ca.counts_toward_share
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
  cards: { aiShare: number | null; aiTax: number | null; highRiskFiles: number; openIncidents: number; incidents: number };
  linesByTier: Array<{ tier: string; ai: number; human: number }>;
  survival: { ai: SurvivalCurvePoint[]; human: SurvivalCurvePoint[]; aiHalfLifeDays: number | null; humanHalfLifeDays: number | null };
  reviewQueue: { takenAt: string; waiting: number; hanging: number; oldestWaitMinutes: number | null; medianPickupMinutes: number | null; aiWaitingShare: number | null } | null;
  openPullRequests: Array<{ number: number; title: string; authorLogin: string | null; openedAt: string; aiMarkers: string[] }>;
}

/**
 * The repository page's cards and tables over the last `windowDays` UTC days (today included). AI share, lines by
 * tier and high-risk files come from the daily rollups of the attribution rows (fresh as soon as a commit is
 * analysed, ADR 060); AI tax is the changed-lines-weighted mean of the nightly repo_metrics rows.
 */
export async function getRepoOverview(db: Executor, orgId: string, repoId: string, now: Date, windowDays = 90): Promise<RepoOverview | null> {
  if (!z.string().uuid().safeParse(repoId).success) return null;
  const sinceDate = windowStartDay(now, windowDays);
  const since = `${sinceDate}T00:00:00.000Z`;
  // All reads at once: each is scoped to the organisation, so for another tenant's repository they find nothing and
  // the missing repository answers null.
  const [repository, tiers, highRisk, tax, incidents, survival, queue, prs] = await Promise.all([
    findRepository(db, orgId, repoId),
    db.execute<{ risk_tier: number; lines: number; ai_lines: number }>(sql`
      select t.risk_tier, coalesce(sum(t.lines), 0)::int as lines, coalesce(sum(t.ai_lines), 0)::int as ai_lines
      from repo_daily_activity d
      cross join lateral (values (1, d.lines_t1, d.ai_lines_t1), (2, d.lines_t2, d.ai_lines_t2), (3, d.lines_t3, d.ai_lines_t3), (4, d.lines_t4, d.ai_lines_t4))
        as t (risk_tier, lines, ai_lines)
      where d.org_id = ${orgId} and d.repo_id = ${repoId} and d.day >= ${sinceDate}
      group by t.risk_tier
    `),
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
  ]);
  if (!repository) return null;
  const lines = tiers.reduce((sum, row) => sum + row.lines, 0);
  const aiLines = tiers.reduce((sum, row) => sum + row.ai_lines, 0);
  const byTier = new Map(tiers.map((row) => [row.risk_tier, row]));
  const curveOf = (kind: "ai" | "human") => survival.find((row) => row.author_kind === kind);
  const snapshot = queue[0];
  return {
    repository,
    windowDays,
    cards: {
      aiShare: lines > 0 ? (aiLines / lines) * 100 : null,
      aiTax: tax[0]?.ai_tax ?? null,
      highRiskFiles: highRisk[0]?.files ?? 0,
      openIncidents: incidents[0]?.open ?? 0,
      incidents: incidents[0]?.total ?? 0,
    },
    linesByTier: [1, 2, 3, 4].map((tier) => {
      const row = byTier.get(tier);
      return { tier: `T${tier}`, ai: row?.ai_lines ?? 0, human: (row?.lines ?? 0) - (row?.ai_lines ?? 0) };
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
  };
}
