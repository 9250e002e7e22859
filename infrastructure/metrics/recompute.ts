import { addDays, daysBetween, localYesterday } from "../../domain/metrics/time.ts";
import type { DistributedLock } from "../../domain/ports.ts";
import type { Database } from "../db/client.ts";
import { acquireLock } from "./lock.ts";
import { computeRepoMetricsRange, loadRepositoryScope, type RepositoryScope } from "./repo-metrics.ts";
import { computeRepoSurvival } from "./survival.ts";
import { findRepositoryByFullName, listActiveRepositories } from "./targets.ts";

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
    const { value } = await acquireLock({ lock: deps.lock }, { name: RECOMPUTE_LOCK_NAME, repoId: scope.repoId, period: `${from}-${to}` }, async () => {
      await computeRepoMetricsRange(deps.db, scope, { from, to }, { onDay: (done, total) => onProgress({ repository: scope.fullName, done, total }) });
      return computeRepoSurvival(deps.db, scope, { asOfDate: addDays(to, 1) });
    });
    repositories.push({ fullName: scope.fullName, from, to, days, cohorts: value.length });
  }
  return { ok: true, repositories };
}
