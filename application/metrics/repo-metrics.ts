import { and, eq, gte, lt, sql } from "drizzle-orm";
import {
  CHURN_WINDOW_DAYS,
  computeDailyMetrics,
  failedDeployments,
  type DailyMetrics,
  type DayCommit,
  type DayFile,
  type DeploymentRecord,
  type IncidentRecord,
} from "../../domain/metrics/daily.ts";
import { churnByWindows, replayLineProvenance } from "../../domain/metrics/provenance.ts";
import { binCommits } from "../../domain/metrics/share-bins.ts";
import type { PullRequestTimeline } from "../../domain/metrics/review-queue.ts";
import { addDays, DAY_MS, daysBetween, localDayBounds, startOfLocalDay } from "../../domain/metrics/time.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { codeAttribution, commits, deployments, incidents, organizations, repoMetrics, repositories } from "../../infrastructure/db/schema/index.ts";
import { loadPatchEvents, loadPatchEventsDecidingFocus } from "./provenance-store.ts";
import { replaceWhenChanged } from "./upsert-changed.ts";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";

export interface RepositoryScope {
  repoId: string;
  orgId: string;
  fullName: string;
  timeZone: string;
}

export async function loadRepositoryScope(db: Executor, repoId: string): Promise<RepositoryScope | null> {
  const [row] = await db
    .select({ repoId: repositories.id, orgId: repositories.orgId, fullName: repositories.fullName, timeZone: organizations.timezone })
    .from(repositories)
    .innerJoin(organizations, eq(organizations.id, repositories.orgId))
    .where(eq(repositories.id, repoId));
  return row ?? null;
}

/** Up to this many days, the replay loads only the patches of files the range touched. */
const FOCUSED_REPLAY_MAX_DAYS = 7;

/**
 * A day's AI share re-weights its commits' confidences to a prior fitted over this many days ending with the day
 * (ADR 033): long enough that a day's three commits do not decide their own prior, short enough to follow adoption.
 */
export const SHARE_PRIOR_WINDOW_DAYS = 90;

export interface DayMetricsRow extends DailyMetrics {
  date: string;
}

/**
 * Computes `repo_metrics` for every local day in [from, to] from the raw tables, with one provenance replay for
 * the whole range, and upserts them. The scheduled job calls it with one day, `sentinel metrics recompute` with
 * many: the same code path. Rows are written with ON CONFLICT (repo_id, date) DO UPDATE, and only when a value
 * changed, so running it twice — concurrently, or after a crash — leaves exactly the same rows.
 */
export async function computeRepoMetricsRange(
  db: Executor,
  scope: RepositoryScope,
  range: { from: string; to: string },
  options: {
    onDay?: (done: number, total: number) => void;
    /** False replays every file of the window (the pre-ADR 032 path; the benchmark compares both). Default true. */
    focusedReplay?: boolean;
  } = {},
): Promise<DayMetricsRow[]> {
  const total = daysBetween(range.from, range.to) + 1;
  if (total <= 0) throw new RangeError(`empty range ${range.from}..${range.to}`);
  const start = startOfLocalDay(range.from, scope.timeZone);
  const end = startOfLocalDay(addDays(range.to, 1), scope.timeZone);
  const replayWindow = { from: new Date(start.getTime() - CHURN_WINDOW_DAYS * DAY_MS), to: end };
  // A short range (the daily job: one day) replays only the files its days touched (ADR 032); a long one touches
  // nearly every file, so it skips the rename walk. The raw rows and the patches load concurrently.
  const focused = total <= FOCUSED_REPLAY_MAX_DAYS && options.focusedReplay !== false;
  const priorStart = startOfLocalDay(addDays(range.from, -(SHARE_PRIOR_WINDOW_DAYS - 1)), scope.timeZone);
  const [inputs, events] = await Promise.all([
    loadRangeInputs(db, scope.repoId, { start, end }, priorStart),
    focused
      ? loadPatchEventsDecidingFocus(db, scope.repoId, replayWindow, { from: start, to: end })
      : loadPatchEvents(db, scope.repoId, replayWindow),
  ]);
  // Only fates are read here: no text check.
  const replay = replayLineProvenance(events, { checkText: false });
  const failed = failedDeployments(inputs.deployments, inputs.incidents);

  const dates = Array.from({ length: total }, (_, offset) => addDays(range.from, offset));
  const bounds = dates.map((date) => localDayBounds(date, scope.timeZone));
  const churn = churnByWindows(replay.fates, bounds.map((day) => ({ from: day.start.getTime(), to: day.end.getTime() })), CHURN_WINDOW_DAYS * DAY_MS);

  const rows: DayMetricsRow[] = [];
  // The commits before the range only feed the days' prior windows.
  let commitIndex = inputs.commits.findIndex((commit) => commit.at >= start.getTime());
  if (commitIndex < 0) commitIndex = inputs.commits.length;
  let windowIndex = 0;
  let fileIndex = 0;
  for (let offset = 0; offset < total; offset += 1) {
    const date = dates[offset]!;
    const day = bounds[offset]!;
    const windowStart = startOfLocalDay(addDays(date, -(SHARE_PRIOR_WINDOW_DAYS - 1)), scope.timeZone).getTime();
    while (windowIndex < inputs.commits.length && inputs.commits[windowIndex]!.at < windowStart) windowIndex += 1;
    const dayStartIndex = commitIndex;
    const dayCommits: DayCommit[] = [];
    while (commitIndex < inputs.commits.length && inputs.commits[commitIndex]!.at < day.end.getTime()) dayCommits.push(inputs.commits[commitIndex++]!);
    const priorWindow = binCommits(
      inputs.commits
        .slice(windowIndex, dayStartIndex)
        .flatMap((commit) => (commit.aiConfidence === null ? [] : [{ confidence: commit.aiConfidence, writtenLines: 0 }])),
    );
    const dayFiles: DayFile[] = [];
    while (fileIndex < inputs.files.length && inputs.files[fileIndex]!.at < day.end.getTime()) dayFiles.push(inputs.files[fileIndex++]!);
    const metrics = computeDailyMetrics({
      day,
      commits: dayCommits,
      files: dayFiles,
      priorWindow,
      churn: churn[offset]!,
      pullRequests: inputs.pullRequests,
      deployments: inputs.deployments,
      incidents: inputs.incidents,
      failedDeploymentIds: failed,
    });
    rows.push({ date, ...metrics });
    options.onDay?.(offset + 1, total);
  }
  await upsertRepoMetrics(db, scope, rows);
  return rows;
}

/** `commitsFrom`: commits are read from this earlier instant on, for the share's prior windows (ADR 033). */
async function loadRangeInputs(db: Executor, repoId: string, window: { start: Date; end: Date }, commitsFrom: Date) {
  // Independent reads: concurrently, each on a pooled connection.
  const [commitRows, fileRows, pullRequests, deploymentRows, incidentRows] = await Promise.all([
    db
      .select({ sha: commits.sha, aiConfidence: commits.aiConfidence, detectorVersion: commits.detectorVersion, authoredAt: commits.authoredAt })
      .from(commits)
      .where(and(eq(commits.repoId, repoId), eq(commits.analysisStatus, "analyzed"), gte(commits.authoredAt, commitsFrom), lt(commits.authoredAt, window.end)))
      .orderBy(commits.authoredAt),
    db
      .select({
        commitSha: codeAttribution.commitSha,
        path: codeAttribution.filePath,
        countsTowardShare: codeAttribution.countsTowardShare,
        aiConfidence: codeAttribution.aiConfidence,
        riskTier: codeAttribution.riskTier,
        linesAdded: codeAttribution.linesAdded,
        linesDeleted: codeAttribution.linesDeleted,
        writtenLines: codeAttribution.writtenLines,
        authoredAt: codeAttribution.authoredAt,
      })
      .from(codeAttribution)
      .where(and(eq(codeAttribution.repoId, repoId), gte(codeAttribution.authoredAt, window.start), lt(codeAttribution.authoredAt, window.end)))
      .orderBy(codeAttribution.authoredAt),
    loadPullRequestTimelines(db, repoId, window),
    db
      .select({
        id: deployments.id,
        isProduction: deployments.isProduction,
        status: deployments.status,
        createdAt: deployments.createdAt,
        finishedAt: deployments.finishedAt,
      })
      .from(deployments)
      .where(
        and(
          eq(deployments.repoId, repoId),
          eq(deployments.isProduction, true),
          sql`coalesce(${deployments.finishedAt}, ${deployments.createdAt}) >= ${window.start.toISOString()}`,
        ),
      ) as Promise<DeploymentRecord[]>,
    db
      .select({ startedAt: incidents.startedAt })
      .from(incidents)
      .where(and(eq(incidents.repoId, repoId), gte(incidents.startedAt, window.start))) as Promise<IncidentRecord[]>,
  ]);
  return {
    commits: commitRows.map((row) => ({ sha: row.sha, aiConfidence: row.aiConfidence, detectorVersion: row.detectorVersion, at: row.authoredAt.getTime() })),
    files: fileRows.map((row) => ({ ...row, at: row.authoredAt.getTime() })),
    pullRequests,
    deployments: deploymentRows,
    incidents: incidentRows,
  };
}

/**
 * PRs that can matter to [start, end): opened before its end and still open, or closed, merged or first reviewed
 * after its start. A PR is AI-flagged when its markers name an agent or one of its commits is AI-attributed.
 */
export async function loadPullRequestTimelines(db: Executor, repoId: string, window: { start: Date; end: Date }): Promise<PullRequestTimeline[]> {
  const rows = await db.execute<{
    opened_at: string;
    ready_for_review_at: string | null;
    first_review_at: string | null;
    merged_at: string | null;
    closed_at: string | null;
    ai_flagged: boolean;
  }>(sql`
    select pr.opened_at::text, pr.ready_for_review_at::text, pr.first_review_at::text, pr.merged_at::text, pr.closed_at::text,
      (jsonb_array_length(pr.ai_markers) > 0 or exists (
        select 1 from commits c where c.repo_id = pr.repo_id and c.pr_number = pr.number and c.ai_confidence >= ${AI_CONFIDENCE_THRESHOLD}
      )) as ai_flagged
    from pull_requests pr
    where pr.repo_id = ${repoId}
      and pr.opened_at < ${window.end.toISOString()}
      and (
        pr.state = 'open'
        or coalesce(pr.merged_at, pr.closed_at) >= ${window.start.toISOString()}
        or pr.first_review_at >= ${window.start.toISOString()}
      )`);
  const date = (value: string | null) => (value === null ? null : new Date(value));
  return rows.map((row) => ({
    openedAt: new Date(row.opened_at),
    readyForReviewAt: date(row.ready_for_review_at),
    firstReviewAt: date(row.first_review_at),
    mergedAt: date(row.merged_at),
    closedAt: date(row.closed_at),
    aiFlagged: row.ai_flagged,
  }));
}

const METRIC_COLUMNS = [
  "commits",
  "ai_commits",
  "lines_added",
  "written_lines",
  "ai_lines_added",
  "lines_deleted",
  "ai_percentage",
  "ai_share_low",
  "ai_share_high",
  "ai_prior",
  "detector_version",
  "lines_by_tier",
  "ai_lines_by_tier",
  "high_risk_files",
  "ai_churn_lines",
  "human_churn_lines",
  "ai_tax",
  "human_tax",
  "prs_opened",
  "prs_merged",
  "review_queue_depth",
  "median_pickup_minutes",
  "deployments",
  "incidents_opened",
  "change_failure_rate",
] as const;

const UPSERT_BATCH = 500;

export async function upsertRepoMetrics(db: Executor, scope: RepositoryScope, rows: readonly DayMetricsRow[]): Promise<void> {
  const onConflict = replaceWhenChanged(repoMetrics, METRIC_COLUMNS);
  for (let index = 0; index < rows.length; index += UPSERT_BATCH) {
    const batch = rows.slice(index, index + UPSERT_BATCH);
    await db
      .insert(repoMetrics)
      .values(batch.map((row) => ({ orgId: scope.orgId, repoId: scope.repoId, ...row })))
      .onConflictDoUpdate({ target: [repoMetrics.repoId, repoMetrics.date], ...onConflict });
  }
}
