import { sql } from "drizzle-orm";
import type { Executor } from "../../infrastructure/db/client.ts";

export interface RepositorySummary {
  id: string;
  fullName: string;
  source: "github" | "local" | "demo";
  events: number;
  commits: number;
  analyzedCommits: number;
  /** Recorded but not analysed yet (the workers are still on it). */
  pendingCommits: number;
  aiCommits: number;
  linesAdded: number;
  aiLinesAdded: number;
  /** null until at least one commit with code changes has been analysed. */
  aiShare: number | null;
  highRiskFiles: number;
  lastActivityAt: string | null;
}

export interface DashboardData {
  repositories: RepositorySummary[];
  totals: { events: number; commits: number; analyzedCommits: number; pendingCommits: number; aiShare: number | null };
  windowDays: number;
}

/** AI confidence at or above which a file's added lines count as AI-written (DETECTION.md metric definition). */
export const AI_LINE_THRESHOLD = 0.5;

/**
 * The organisation's active repositories with their last-90-day numbers. Every subquery is filtered by the
 * organisation as well as the repository, so a wrong id can never pull another tenant's rows.
 */
export async function getDashboard(db: Executor, orgId: string, now: Date, windowDays = 90): Promise<DashboardData> {
  // ISO text, not a Date: drizzle's postgres.js driver cannot bind a Date inside raw `sql` templates.
  const since = new Date(now.getTime() - windowDays * 86_400_000).toISOString();
  const rows = await db.execute<{
    id: string;
    full_name: string;
    source: RepositorySummary["source"];
    events: number;
    commits: number;
    analyzed_commits: number;
    pending_commits: number;
    ai_commits: number;
    lines_added: number;
    ai_lines_added: number;
    high_risk_files: number;
    last_activity_at: Date | string | null;
  }>(sql`
    select r.id, r.full_name, r.source,
      coalesce(e.events, 0)::int as events,
      e.last_activity_at,
      coalesce(c.commits, 0)::int as commits,
      coalesce(c.analyzed_commits, 0)::int as analyzed_commits,
      coalesce(c.pending_commits, 0)::int as pending_commits,
      coalesce(c.ai_commits, 0)::int as ai_commits,
      coalesce(a.lines_added, 0)::int as lines_added,
      coalesce(a.ai_lines_added, 0)::int as ai_lines_added,
      coalesce(a.high_risk_files, 0)::int as high_risk_files
    from repositories r
    left join lateral (
      select count(*) as events, max(ce.timestamp) as last_activity_at
      from code_events ce
      where ce.org_id = ${orgId} and ce.repo_id = r.id and ce.timestamp >= ${since}
    ) e on true
    left join lateral (
      select count(*) as commits,
        count(*) filter (where cm.analysis_status = 'analyzed') as analyzed_commits,
        count(*) filter (where cm.analysis_status = 'pending') as pending_commits,
        count(*) filter (where cm.ai_confidence >= ${AI_LINE_THRESHOLD}) as ai_commits
      from commits cm
      where cm.org_id = ${orgId} and cm.repo_id = r.id and cm.authored_at >= ${since}
    ) c on true
    left join lateral (
      select sum(ca.lines_added) as lines_added,
        sum(ca.lines_added) filter (where ca.ai_confidence >= ${AI_LINE_THRESHOLD}) as ai_lines_added,
        count(distinct ca.file_path) filter (where ca.risk_tier >= 3 and ca.ai_confidence >= ${AI_LINE_THRESHOLD}) as high_risk_files
      from code_attribution ca
      where ca.org_id = ${orgId} and ca.repo_id = r.id and ca.authored_at >= ${since} and ca.counts_toward_share
    ) a on true
    where r.org_id = ${orgId} and r.disabled_at is null
    order by r.full_name
  `);

  const repositories = rows.map((row) => ({
    id: row.id,
    fullName: row.full_name,
    source: row.source,
    events: row.events,
    commits: row.commits,
    analyzedCommits: row.analyzed_commits,
    pendingCommits: row.pending_commits,
    aiCommits: row.ai_commits,
    linesAdded: row.lines_added,
    aiLinesAdded: row.ai_lines_added,
    aiShare: row.lines_added > 0 ? (row.ai_lines_added / row.lines_added) * 100 : null,
    highRiskFiles: row.high_risk_files,
    lastActivityAt: row.last_activity_at === null ? null : new Date(row.last_activity_at).toISOString(),
  }));
  const linesAdded = repositories.reduce((sum, repo) => sum + repo.linesAdded, 0);
  const aiLinesAdded = repositories.reduce((sum, repo) => sum + repo.aiLinesAdded, 0);
  return {
    repositories,
    totals: {
      events: repositories.reduce((sum, repo) => sum + repo.events, 0),
      commits: repositories.reduce((sum, repo) => sum + repo.commits, 0),
      analyzedCommits: repositories.reduce((sum, repo) => sum + repo.analyzedCommits, 0),
      pendingCommits: repositories.reduce((sum, repo) => sum + repo.pendingCommits, 0),
      aiShare: linesAdded > 0 ? (aiLinesAdded / linesAdded) * 100 : null,
    },
    windowDays,
  };
}

export type SparklinePoint = { week: string; aiShare: number | null };

/**
 * Weekly AI share of added lines per repository over the last `weeks` weeks, from the attribution rows (fresh as
 * soon as a commit is analysed, unlike the nightly repo_metrics). Weeks without counted lines are null.
 */
export async function getRepositorySparklines(db: Executor, orgId: string, now: Date, weeks = 12): Promise<Record<string, SparklinePoint[]>> {
  const since = new Date(now.getTime() - weeks * 7 * 86_400_000).toISOString();
  const rows = await db.execute<{ repo_id: string; week: string; lines: number; ai_lines: number }>(sql`
    select ca.repo_id, to_char(date_trunc('week', ca.authored_at at time zone 'UTC'), 'YYYY-MM-DD') as week,
      sum(ca.lines_added)::int as lines,
      coalesce(sum(ca.lines_added) filter (where ca.ai_confidence >= ${AI_LINE_THRESHOLD}), 0)::int as ai_lines
    from code_attribution ca
    join repositories r on r.id = ca.repo_id and r.org_id = ${orgId} and r.disabled_at is null
    where ca.org_id = ${orgId} and ca.authored_at >= ${since} and ca.counts_toward_share
    group by ca.repo_id, 2
  `);
  const weekStarts: string[] = [];
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7)));
  for (let i = weeks - 1; i >= 0; i -= 1) weekStarts.push(new Date(monday.getTime() - i * 7 * 86_400_000).toISOString().slice(0, 10));
  const byRepo = new Map<string, Map<string, number | null>>();
  for (const row of rows) {
    const series = byRepo.get(row.repo_id) ?? new Map<string, number | null>();
    series.set(row.week, row.lines > 0 ? (row.ai_lines / row.lines) * 100 : null);
    byRepo.set(row.repo_id, series);
  }
  return Object.fromEntries([...byRepo].map(([repoId, series]) => [repoId, weekStarts.map((week) => ({ week, aiShare: series.get(week) ?? null }))]));
}
