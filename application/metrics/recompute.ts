import { CHURN_WINDOW_DAYS } from "../../domain/metrics/daily.ts";
import { addDays, daysBetween, localClock, localYesterday } from "../../domain/metrics/time.ts";
import type { DistributedLock } from "../../domain/ports.ts";
import type { Database } from "../../infrastructure/db/client.ts";
import type { QueueLogger } from "../../infrastructure/queue/index.ts";
import { acquireLock } from "./lock.ts";
import { computeRepoMetricsRange, loadRepositoryScope, SHARE_PRIOR_WINDOW_DAYS, type RepositoryScope } from "./repo-metrics.ts";
import { clearStaleRange, listStaleRanges } from "./stale-ranges.ts";
import { computeRepoSurvival } from "./survival.ts";
import { findRepositoryByFullName, listActiveRepositories, storedTimeZone } from "./targets.ts";

export const RECOMPUTE_LOCK_NAME = "recompute-metrics";

export type RecomputeResult =
  | { ok: true; repositories: { fullName: string; from: string; to: string; days: number; cohorts: number }[] }
  | { ok: false; code: "REPO_NOT_FOUND" | "EMPTY_RANGE"; message: string };

export interface RecomputeProgress {
  repository: string;
  done: number;
  total: number;
}

/**
 * `sentinel metrics recompute`: the scheduled job's code path (computeRepoMetricsRange) over a date range, under
 * the same kind of lock, followed by the survival cohorts as of the day after the range. Defaults: the 90 local
 * days up to yesterday in the organisation's zone.
 */
export async function recomputeMetrics(
  deps: { db: Database; lock: DistributedLock; now: Date },
  options: { repo?: string; from?: string; to?: string; /** Only this organisation's repositories. */ orgId?: string },
  onProgress: (progress: RecomputeProgress) => void = () => {},
): Promise<RecomputeResult> {
  let scopes: RepositoryScope[];
  if (options.repo) {
    const matches = await findRepositoryByFullName(deps.db, options.repo);
    scopes = (await Promise.all(matches.map((match) => loadRepositoryScope(deps.db, match.repoId)))).filter((s): s is RepositoryScope => s !== null);
    if (scopes.length === 0) return { ok: false, code: "REPO_NOT_FOUND", message: `no enabled repository named ${options.repo}` };
  } else {
    scopes = (await listActiveRepositories(deps.db, deps.now))
      .filter((repo) => options.orgId === undefined || repo.orgId === options.orgId)
      .map(({ repoId, orgId, fullName, timeZone }) => ({ repoId, orgId, fullName, timeZone }));
  }
  const repositories: Extract<RecomputeResult, { ok: true }>["repositories"] = [];
  for (const scope of scopes) {
    const to = options.to ?? localYesterday(deps.now, scope.timeZone);
    const from = options.from ?? addDays(to, -89);
    const days = daysBetween(from, to) + 1;
    if (days <= 0) return { ok: false, code: "EMPTY_RANGE", message: `--from ${from} is after --to ${to}` };
    const { cohorts } = await recomputeRepositoryRange(deps, scope, { from, to }, {
      survivalAsOf: addDays(to, 1),
      onDay: (done, total) => onProgress({ repository: scope.fullName, done, total }),
    });
    repositories.push({ fullName: scope.fullName, from, to, days, cohorts });
  }
  return { ok: true, repositories };
}

/** Longest range computed in one pass (one provenance replay): a long history is recomputed in slices of this. */
const RANGE_SLICE_DAYS = 92;

/**
 * One repository's daily metrics over [from, to] and its survival cohorts as of `survivalAsOf`, under the
 * (recompute-metrics, repo, range) lock: `sentinel metrics` and `sentinel rescore` share it. Each day's metrics
 * depend only on its own window, so slices give the same rows as one pass. Throws RetryLaterError when another
 * holder has the lock.
 */
export async function recomputeRepositoryRange(
  deps: { db: Database; lock: DistributedLock; logger?: QueueLogger },
  scope: RepositoryScope,
  range: { from: string; to: string },
  options: { survivalAsOf: string; onDay?: (done: number, total: number) => void },
): Promise<{ days: number; cohorts: number }> {
  const days = daysBetween(range.from, range.to) + 1;
  if (days <= 0) throw new RangeError(`empty range ${range.from}..${range.to}`);
  const { value } = await acquireLock(deps, { name: RECOMPUTE_LOCK_NAME, repoId: scope.repoId, period: `${range.from}-${range.to}` }, async () => {
    let done = 0;
    for (let from = range.from; from <= range.to; ) {
      const last = addDays(from, RANGE_SLICE_DAYS - 1);
      const to = last < range.to ? last : range.to;
      const before = done;
      await computeRepoMetricsRange(deps.db, scope, { from, to }, { onDay: (day) => options.onDay?.(before + day, days) });
      done += daysBetween(from, to) + 1;
      from = addDays(to, 1);
    }
    return computeRepoSurvival(deps.db, scope, { asOfDate: options.survivalAsOf });
  });
  return { days, cohorts: value.length };
}

export interface StaleMetricsRecompute {
  repoId: string;
  fullName: string;
  /** Null when only today's commits changed: nothing to recompute yet (the nightly job computes that day). */
  from: string | null;
  to: string | null;
  days: number;
  cohorts: number;
}

/**
 * Recomputes what re-scored verdicts changed (metrics_stale_ranges) for `repoIds`: the daily metrics of the days
 * whose commits were re-scored and of the churn window after them, up to yesterday in the organisation's zone, then
 * the survival cohorts as of today; then clears each mark. A run stopped midway leaves the marks of the repositories
 * it did not finish, so the next run (CLI or worker) recomputes them. Throws RetryLaterError when another recompute
 * holds a repository's lock (the marks stay).
 */
export async function recomputeStaleMetrics(
  deps: { db: Database; lock: DistributedLock; now: Date; logger?: QueueLogger },
  repoIds: readonly string[],
  onProgress: (progress: RecomputeProgress) => void = () => {},
): Promise<StaleMetricsRecompute[]> {
  const done: StaleMetricsRecompute[] = [];
  for (const mark of await listStaleRanges(deps.db, repoIds)) {
    const found = await loadRepositoryScope(deps.db, mark.repoId);
    if (!found) continue;
    const scope = { ...found, timeZone: storedTimeZone(found.timeZone) };
    const yesterday = localYesterday(deps.now, scope.timeZone);
    const from = localClock(mark.firstAuthoredAt, scope.timeZone).date;
    // Later days read the re-scored commits too: a day's churn counts the lines of the CHURN_WINDOW_DAYS before it, and
    // its AI share is estimated at a prior fitted over the SHARE_PRIOR_WINDOW_DAYS before it.
    const windowEnd = addDays(localClock(mark.lastAuthoredAt, scope.timeZone).date, Math.max(CHURN_WINDOW_DAYS, SHARE_PRIOR_WINDOW_DAYS - 1));
    const to = windowEnd < yesterday ? windowEnd : yesterday;
    let result = { repoId: scope.repoId, fullName: scope.fullName, from: null as string | null, to: null as string | null, days: 0, cohorts: 0 };
    if (from <= to) {
      const computed = await recomputeRepositoryRange(deps, scope, { from, to }, {
        survivalAsOf: addDays(yesterday, 1),
        onDay: (day, total) => onProgress({ repository: scope.fullName, done: day, total }),
      });
      result = { ...result, from, to, ...computed };
    }
    await clearStaleRange(deps.db, mark);
    done.push(result);
  }
  return done;
}
