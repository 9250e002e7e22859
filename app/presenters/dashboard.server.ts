import { sql, type SQL } from "drizzle-orm";
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
  /**
   * Share of changed lines spent reworking young AI code: the changed-lines-weighted mean of the nightly repo_metrics
   * rows in the window, as on the repository page (0.12 = 12 %); null before the first nightly run.
   */
  aiTax: number | null;
  /** Incidents started in the window and not resolved, as on the repository page. */
  openIncidents: number;
  lastActivityAt: string | null;
}

export interface DashboardData {
  repositories: RepositorySummary[];
  totals: {
    events: number;
    commits: number;
    analyzedCommits: number;
    pendingCommits: number;
    aiShare: number | null;
    /** Weighted by every repository's changed lines, so a busy repository counts for more than a quiet one. */
    aiTax: number | null;
    openIncidents: number;
  };
  windowDays: number;
}

/** AI confidence at or above which a file's added lines count as AI-written (DETECTION.md metric definition). */
export const AI_LINE_THRESHOLD = 0.5;

/** The first UTC day of a window of `days` calendar days that ends today (UTC): "the last 90 days" includes today. */
export function windowStartDay(now: Date, days: number): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1))).toISOString().slice(0, 10);
}

/**
 * How many counted files got AI-written code (confidence ≥ 0.5) while T3/T4 on `startDay` or later, for the repository
 * `repoId` (a value or a column such as `r.id`). One row per file from repo_high_risk_file_last_days; when a change in
 * the window took counts down (re-tiering, re-scoring, deletes), from the day rows instead: a day's changes of a file
 * sum to a count that is never below 0, so the window's sum is positive exactly when one of its days is (ADR 060).
 */
export function highRiskFilesSince(orgId: string, repoId: SQL, startDay: string): SQL {
  return sql`case
    when exists (select 1 from repo_high_risk_decrements x where x.org_id = ${orgId} and x.repo_id = ${repoId} and x.day >= ${startDay})
    then (select count(*) from (
      select f.file_path from repo_daily_high_risk_files f
      where f.org_id = ${orgId} and f.repo_id = ${repoId} and f.day >= ${startDay}
      group by f.file_path having sum(f.changes) > 0
    ) files)
    else (select count(distinct l.file_path) from repo_high_risk_file_last_days l
      where l.org_id = ${orgId} and l.repo_id = ${repoId} and l.last_day >= ${startDay})
  end::int`;
}

/** The sum of the per-tier line columns of repo_daily_activity (aliased `d`). */
const LINES = sql.raw("d.lines_t1 + d.lines_t2 + d.lines_t3 + d.lines_t4");
const AI_LINES = sql.raw("d.ai_lines_t1 + d.ai_lines_t2 + d.ai_lines_t3 + d.ai_lines_t4");

/**
 * The organisation's active repositories with their numbers over the last `windowDays` UTC days (today included),
 * read from the daily rollups the database keeps as rows arrive (ADR 060): a few thousand small rows, not millions
 * of events. A rollup day may have several rows (changes appended by different writers): always sum them. Every subquery is filtered by the organisation as well as the repository, so a wrong id can never
 * pull another tenant's rows.
 */
export async function getDashboard(db: Executor, orgId: string, now: Date, windowDays = 90): Promise<DashboardData> {
  const startDay = windowStartDay(now, windowDays);
  const since = `${startDay}T00:00:00.000Z`;
  // Three queries, run side by side: the day sums, the distinct high-risk files, and AI tax with open incidents.
  const [rows, highRisk, outcomes] = await Promise.all([
    db.execute<{
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
      last_activity_at: Date | string | null;
    }>(sql`
      select r.id, r.full_name, r.source,
        coalesce(a.events, 0)::int as events,
        a.last_activity_at,
        coalesce(a.commits, 0)::int as commits,
        coalesce(a.analyzed_commits, 0)::int as analyzed_commits,
        coalesce(a.pending_commits, 0)::int as pending_commits,
        coalesce(a.ai_commits, 0)::int as ai_commits,
        coalesce(a.lines_added, 0)::int as lines_added,
        coalesce(a.ai_lines_added, 0)::int as ai_lines_added
      from repositories r
      left join lateral (
        select sum(d.events) as events, max(d.last_event_at) as last_activity_at, sum(d.commits) as commits,
          sum(d.analyzed_commits) as analyzed_commits, sum(d.pending_commits) as pending_commits, sum(d.ai_commits) as ai_commits,
          sum(${LINES}) as lines_added, sum(${AI_LINES}) as ai_lines_added
        from repo_daily_activity d
        where d.org_id = ${orgId} and d.repo_id = r.id and d.day >= ${startDay}
      ) a on true
      where r.org_id = ${orgId} and r.disabled_at is null
      order by r.full_name
    `),
    db.execute<{ repo_id: string; files: number }>(sql`
      select r.id as repo_id, ${highRiskFilesSince(orgId, sql`r.id`, startDay)} as files
      from repositories r
      where r.org_id = ${orgId} and r.disabled_at is null
    `),
    // AI tax as numerator and weight, so the organisation's total is the same weighted mean over all its rows.
    db.execute<{ repo_id: string; weighted_tax: number | null; taxed_lines: number | null; open_incidents: number }>(sql`
      select r.id as repo_id, m.weighted_tax, m.taxed_lines,
        (select count(*) from incidents i
          where i.org_id = ${orgId} and i.repo_id = r.id and i.started_at >= ${since} and i.resolved_at is null)::int as open_incidents
      from repositories r
      left join lateral (
        select sum(m.ai_tax * (m.lines_added + m.lines_deleted))::float8 as weighted_tax,
          (sum(m.lines_added + m.lines_deleted) filter (where m.ai_tax is not null))::float8 as taxed_lines
        from repo_metrics m
        where m.org_id = ${orgId} and m.repo_id = r.id and m.date >= ${startDay}
      ) m on true
      where r.org_id = ${orgId} and r.disabled_at is null
    `),
  ]);
  const highRiskFiles = new Map(highRisk.map((row) => [row.repo_id, row.files]));
  const outcomeOf = new Map(outcomes.map((row) => [row.repo_id, row]));
  const taxOf = (weighted: number | null, lines: number | null) => (weighted !== null && lines ? weighted / lines : null);

  const repositories = rows.map((row) => {
    const outcome = outcomeOf.get(row.id);
    return {
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
      highRiskFiles: highRiskFiles.get(row.id) ?? 0,
      aiTax: taxOf(outcome?.weighted_tax ?? null, outcome?.taxed_lines ?? null),
      openIncidents: outcome?.open_incidents ?? 0,
      lastActivityAt: row.last_activity_at === null ? null : new Date(row.last_activity_at).toISOString(),
    };
  });
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
      aiTax: taxOf(
        outcomes.reduce((sum, row) => sum + (row.weighted_tax ?? 0), 0),
        outcomes.reduce((sum, row) => sum + (row.taxed_lines ?? 0), 0),
      ),
      openIncidents: outcomes.reduce((sum, row) => sum + row.open_incidents, 0),
    },
    windowDays,
  };
}

/**
 * Weekly AI shares per repository: the 12 week starts once, and per repository one number (or null) per week. Compact
 * on purpose: as objects per point, the sparklines were half of the overview's payload and of its serialising time.
 */
export type Sparklines = { weeks: string[]; aiShare: Record<string, (number | null)[]> };

/**
 * Weekly (UTC Monday) AI share of added lines per repository over the last `weeks` weeks, from the daily rollups of
 * the attribution rows (fresh as soon as a commit is analysed, unlike the nightly repo_metrics). Weeks without
 * counted lines are null.
 */
export async function getRepositorySparklines(db: Executor, orgId: string, now: Date, weeks = 12): Promise<Sparklines> {
  const weekStarts: string[] = [];
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7)));
  for (let i = weeks - 1; i >= 0; i -= 1) weekStarts.push(new Date(monday.getTime() - i * 7 * 86_400_000).toISOString().slice(0, 10));
  // Monday by date arithmetic, formatted once per group: date_trunc + to_char on every row doubled the query's time.
  const rows = await db.execute<{ repo_id: string; week: string; lines: number; ai_lines: number }>(sql`
    select w.repo_id, to_char(w.monday, 'YYYY-MM-DD') as week, w.lines, w.ai_lines from (
      select d.repo_id, d.day - (extract(isodow from d.day)::int - 1) as monday,
        sum(${LINES})::int as lines, sum(${AI_LINES})::int as ai_lines
      from repo_daily_activity d
      join repositories r on r.id = d.repo_id and r.org_id = ${orgId} and r.disabled_at is null
      where d.org_id = ${orgId} and d.day >= ${weekStarts[0]!}
      group by d.repo_id, 2
    ) w
  `);
  const byRepo = new Map<string, Map<string, number | null>>();
  for (const row of rows) {
    const series = byRepo.get(row.repo_id) ?? new Map<string, number | null>();
    // A sparkline is 28 pixels tall: a tenth of a percent is plenty, and 15 digits per point are not free to send.
    series.set(row.week, row.lines > 0 ? Math.round((row.ai_lines / row.lines) * 1000) / 10 : null);
    byRepo.set(row.repo_id, series);
  }
  return {
    weeks: weekStarts,
    aiShare: Object.fromEntries([...byRepo].map(([repoId, series]) => [repoId, weekStarts.map((week) => series.get(week) ?? null)])),
  };
}
