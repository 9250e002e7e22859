/**
 * The scheduled jobs' work as the benchmarks time it (scripts/bench.ts, scripts/bench-metrics.ts): the same
 * functions the workers call, with the workers' fan-out.
 */
import { sql } from "drizzle-orm";
import { addDays } from "../domain/metrics/time.ts";
import type { Executor } from "../infrastructure/db/client.ts";
import { computeRepoMetricsRange, loadRepositoryScope, type DayMetricsRow, type RepositoryScope } from "../application/metrics/repo-metrics.ts";
import { computeRepoSurvival } from "../application/metrics/survival.ts";
import { inParallel } from "./measure.ts";

/** Repositories at once in the daily fan-out, as the scheduled-jobs queue's worker concurrency allows. */
export const DAILY_FAN_OUT = 8;

/** The organisation's enabled repositories, as the jobs see them. */
export async function repositoryScopes(db: Executor, orgId: string): Promise<RepositoryScope[]> {
  const rows = await db.execute<{ id: string }>(sql`select id from repositories where org_id = ${orgId} and disabled_at is null order by full_name`);
  return (await Promise.all(rows.map((row) => loadRepositoryScope(db, row.id)))).filter((scope): scope is RepositoryScope => scope !== null);
}

/** The 02:00 run: one day's `repo_metrics` for every repository, `DAILY_FAN_OUT` at a time. */
export async function runDailyMetrics(
  db: Executor,
  scopes: readonly RepositoryScope[],
  day: string,
  options: { focusedReplay?: boolean } = {},
): Promise<Map<string, DayMetricsRow[]>> {
  const rows = new Map<string, DayMetricsRow[]>();
  await inParallel(scopes, DAILY_FAN_OUT, async (scope) => {
    rows.set(scope.repoId, await computeRepoMetricsRange(db, scope, { from: day, to: day }, { focusedReplay: options.focusedReplay }));
  });
  return rows;
}

/** `sentinel metrics recompute` of one repository over `days` days up to `lastDay`, then its survival cohorts. */
export async function runFullRecompute(db: Executor, scope: RepositoryScope, lastDay: string, days: number): Promise<void> {
  await computeRepoMetricsRange(db, scope, { from: addDays(lastDay, -(days - 1)), to: lastDay });
  await computeRepoSurvival(db, scope, { asOfDate: addDays(lastDay, 1) });
}

/** The Sunday run: survival cohorts of every repository as of `asOfDate`, `DAILY_FAN_OUT` at a time. */
export async function runWeeklySurvival(db: Executor, scopes: readonly RepositoryScope[], asOfDate: string): Promise<void> {
  await inParallel(scopes, DAILY_FAN_OUT, (scope) => computeRepoSurvival(db, scope, { asOfDate }));
}
