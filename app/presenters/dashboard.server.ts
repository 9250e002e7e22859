import { sql, type SQL } from "drizzle-orm";
import { DETECTOR_TRAINING_PRIOR } from "../../domain/detection/version.ts";
import { combineShares, estimateShareFromBins, newestDetectorVersionsFirst } from "../../domain/metrics/share-bins.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import {
  detectorVersionsOrCurrent,
  parseShareBins,
  shareBinsSql,
  unpackNumbers,
  type PackedShareBins,
} from "./ai-share.server.ts";

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
  /** Added lines of counted files (lockfiles, generated and vendored files left out). */
  linesAdded: number;
  /** Written lines of the analysed commits: what AI share is a share of (ADR 033). */
  writtenLines: number;
  /** Expected AI-written lines of those (the estimate's numerator), rounded. */
  aiLines: number;
  /**
   * Estimated AI share of written lines, a fraction 0–1 like every share the API answers, with its plausible range; null until an analysed
   * commit has written lines. The repository's own prior is fitted over the window (ADR 033).
   */
  aiShare: number | null;
  aiShareLow: number | null;
  aiShareHigh: number | null;
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
    /** Σ repositories' expected AI lines ÷ Σ their written lines, a fraction 0–1; each repository keeps its own prior. */
    aiShare: number | null;
    aiShareLow: number | null;
    aiShareHigh: number | null;
    /** Weighted by every repository's changed lines, so a busy repository counts for more than a quiet one. */
    aiTax: number | null;
    openIncidents: number;
  };
  /** The detector versions whose verdicts the window's shares rest on, newest first (the running one if none). */
  detectorVersions: string[];
  /** Weekly AI share per repository over the last 12 weeks. */
  sparklines: Sparklines;
  windowDays: number;
}

/**
 * Weekly AI shares per repository: the 12 week starts once, and per repository one number (or null) per week. Compact
 * on purpose: as objects per point, the sparklines were half of the overview's payload and of its serialising time.
 */
export type Sparklines = { weeks: string[]; aiShare: Record<string, (number | null)[]> };

const SPARKLINE_WEEKS = 12;

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

/**
 * The organisation's active repositories with their numbers over the last `windowDays` UTC days (today included),
 * and each one's weekly AI share over the last 12 weeks, read from the rollups the database keeps as rows arrive
 * (ADR 060, ADR 033): a few thousand small rows, not millions of events. A rollup key may have several rows (changes
 * appended by different writers): always sum them. Every subquery is filtered by the organisation as well as the
 * repository, so a wrong id can never pull another tenant's rows.
 */
export async function getDashboard(db: Executor, orgId: string, now: Date, windowDays = 90): Promise<DashboardData> {
  const startDay = windowStartDay(now, windowDays);
  const since = `${startDay}T00:00:00.000Z`;
  // Four queries, run side by side: the day sums, the share bins (then, at the priors fitted over them, the weekly
  // shares of the sparklines), the distinct high-risk files, and AI tax with open incidents.
  const [rows, share, highRisk, outcomes] = await Promise.all([
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
      last_activity_at: Date | string | null;
    }>(sql`
      select r.id, r.full_name, r.source,
        coalesce(a.events, 0)::int as events,
        a.last_activity_at,
        coalesce(a.commits, 0)::int as commits,
        coalesce(a.analyzed_commits, 0)::int as analyzed_commits,
        coalesce(a.pending_commits, 0)::int as pending_commits,
        coalesce(a.ai_commits, 0)::int as ai_commits,
        coalesce(a.lines_added, 0)::int as lines_added
      from repositories r
      left join lateral (
        select sum(d.events) as events, max(d.last_event_at) as last_activity_at, sum(d.commits) as commits,
          sum(d.analyzed_commits) as analyzed_commits, sum(d.pending_commits) as pending_commits, sum(d.ai_commits) as ai_commits,
          sum(${LINES}) as lines_added
        from repo_daily_activity d
        where d.org_id = ${orgId} and d.repo_id = r.id and d.day >= ${startDay}
      ) a on true
      where r.org_id = ${orgId} and r.disabled_at is null
      order by r.full_name
    `),
    // Each repository's share bins of the window, merged by bin and packed (shareBinsSql, ADR 033), its estimate, and
    // the sparklines at each repository's prior just fitted: one more query, while the others may still run.
    db
      .execute<PackedShareBins & { repo_id: string }>(sql`
        select r.id as repo_id, b.bins, b.versions from repositories r
        cross join lateral (${shareBinsSql(orgId, sql`r.id`, { from: startDay, to: null })}) b
        where r.org_id = ${orgId} and r.disabled_at is null
      `)
      .then(async (shareRows) => {
        const estimates = new Map(shareRows.map((row) => [row.repo_id, estimateShareFromBins(parseShareBins(row.bins))]));
        const priors = new Map([...estimates].flatMap(([repoId, estimate]) => (estimate.commits > 0 ? [[repoId, estimate.prior] as const] : [])));
        const versions = newestDetectorVersionsFirst(shareRows.flatMap((row) => row.versions ?? []));
        return { estimates, versions, sparklines: await getWeeklyShares(db, orgId, now, priors) };
      }),
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

  const estimates = rows.map((row) => share.estimates.get(row.id) ?? estimateShareFromBins([]));
  const repositories = rows.map((row, index): RepositorySummary => {
    const outcome = outcomeOf.get(row.id);
    const estimate = estimates[index]!;
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
      writtenLines: estimate.lines,
      aiLines: Math.round(estimate.aiLines),
      aiShare: estimate.share,
      aiShareLow: estimate.low,
      aiShareHigh: estimate.high,
      highRiskFiles: highRiskFiles.get(row.id) ?? 0,
      aiTax: taxOf(outcome?.weighted_tax ?? null, outcome?.taxed_lines ?? null),
      openIncidents: outcome?.open_incidents ?? 0,
      lastActivityAt: row.last_activity_at === null ? null : new Date(row.last_activity_at).toISOString(),
    };
  });
  const organisation = combineShares(estimates);
  return {
    repositories,
    totals: {
      events: repositories.reduce((sum, repo) => sum + repo.events, 0),
      commits: repositories.reduce((sum, repo) => sum + repo.commits, 0),
      analyzedCommits: repositories.reduce((sum, repo) => sum + repo.analyzedCommits, 0),
      pendingCommits: repositories.reduce((sum, repo) => sum + repo.pendingCommits, 0),
      aiShare: organisation.share,
      aiShareLow: organisation.low,
      aiShareHigh: organisation.high,
      aiTax: taxOf(
        outcomes.reduce((sum, row) => sum + (row.weighted_tax ?? 0), 0),
        outcomes.reduce((sum, row) => sum + (row.taxed_lines ?? 0), 0),
      ),
      openIncidents: outcomes.reduce((sum, row) => sum + row.open_incidents, 0),
    },
    detectorVersions: detectorVersionsOrCurrent(share.versions),
    sparklines: share.sparklines,
    windowDays,
  };
}

/** The Mondays (UTC) of the last `weeks` weeks, this week's last. */
function sparklineWeekStarts(now: Date, weeks: number): string[] {
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7)));
  const starts: string[] = [];
  for (let i = weeks - 1; i >= 0; i -= 1) starts.push(new Date(monday.getTime() - i * 7 * 86_400_000).toISOString().slice(0, 10));
  return starts;
}

/**
 * A confidence calibrated at the detector's training prior re-weighted to a repository's prior, in SQL: the formula of
 * adjustConfidence (domain/metrics/ai-share.ts) on the odds, confidences kept off 0 and 1 as there. `priorOdds` is
 * the prior's odds divided by the training prior's. The presenter tests hold it to the TypeScript one.
 */
function confidenceAtPriorSql(confidence: SQL, priorOdds: SQL): SQL {
  const p = sql`least(greatest(${confidence}, 1e-6), 1 - 1e-6)`;
  return sql`(${priorOdds} * ${p} / (${priorOdds} * ${p} + (1 - ${p})))`;
}

/**
 * Weekly (UTC Monday) estimated AI share of written lines per repository over the last 12 weeks, from the weekly share
 * bins, at each repository's prior (fitted by the caller over the overview's window: one prior for all weeks, so a quiet
 * week's three commits do not fit a prior of their own; ADR 033). Computed in PostgreSQL and sent as 12 numbers per
 * repository: sending the weeks' bins took longer than reading them. Weeks without written lines are null; a
 * sparkline is 28 pixels tall, so a tenth of a percent is plenty.
 */
/** A prior's odds over the training prior's: p′ = odds·p ÷ (odds·p + 1 − p) is adjustConfidence's re-weighting. */
function priorOdds(prior: number): number {
  return prior / (1 - prior) / (DETECTOR_TRAINING_PRIOR / (1 - DETECTOR_TRAINING_PRIOR));
}

async function getWeeklyShares(db: Executor, orgId: string, now: Date, priorOf: ReadonlyMap<string, number>): Promise<Sparklines> {
  const weeks = sparklineWeekStarts(now, SPARKLINE_WEEKS);
  const sparklines: Sparklines = { weeks, aiShare: {} };
  const priors = [...priorOf].map(([repoId, prior]) => ({ repoId, prior }));
  if (priors.length === 0) return sparklines;
  // Each rollup row at its own mean confidence: a week's bin split over several rows (writers that overlapped, or two
  // detector versions) is not merged first — merging per repository, week and bin doubled the query's time, and rows
  // of one bin differ by less than its width. A row whose commits cancelled out takes its bin's middle.
  const rows = await db.execute<{ repo_id: string; shares: string | null }>(sql`
    select g.repo_id, string_agg(concat_ws(',', g.week, g.ai_lines / g.lines), ',') as shares
    from (
      select k.repo_id, (w.week - ${weeks[0]!}::date) / 7 as week, sum(w.written_lines)::float8 as lines,
        sum(w.written_lines * ${confidenceAtPriorSql(sql`case when w.commits > 0 then w.confidence_sum / w.commits else (w.bin + 0.5) / 20 end`, sql`k.odds`)}) as ai_lines
      from unnest(${`{${priors.map((entry) => entry.repoId).join(",")}}`}::uuid[], ${`{${priors.map((entry) => priorOdds(entry.prior)).join(",")}}`}::float8[])
        as k(repo_id, odds)
      join repositories r on r.id = k.repo_id and r.org_id = ${orgId}
      join repo_weekly_share_bins w on w.org_id = ${orgId} and w.repo_id = k.repo_id and w.week >= ${weeks[0]!}
      group by k.repo_id, w.week
      having sum(w.written_lines) > 0
    ) g
    group by g.repo_id
  `);
  for (const row of rows) {
    const numbers = unpackNumbers(row.shares);
    if (numbers.length === 0) continue;
    const series: (number | null)[] = weeks.map(() => null);
    for (let at = 0; at + 1 < numbers.length; at += 2) series[numbers[at]!] = Math.round(numbers[at + 1]! * 1000) / 10;
    sparklines.aiShare[row.repo_id] = series;
  }
  return sparklines;
}
