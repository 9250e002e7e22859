/**
 * Scheduled analysis (issue 5): three hourly ticks pick the organisations whose local time calls for work
 * (ADR 031) and fan out one job per repository and period; each per-repository job holds the (name, repo,
 * period) lock, writes idempotently, then hands the repository to the alert evaluation.
 */
import { localYesterday } from "../domain/metrics/time.ts";
import type { DistributedLock, JobQueue } from "../domain/ports.ts";
import type { Database } from "../infrastructure/db/client.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { acquireLock } from "../application/metrics/lock.ts";
import { computeRepoMetricsRange, loadRepositoryScope } from "../application/metrics/repo-metrics.ts";
import { snapshotReviewQueue, truncateToHour } from "../application/metrics/review-queue.ts";
import { computeRepoSurvival } from "../application/metrics/survival.ts";
import { listActiveRepositories, repositoriesMissingDay } from "../application/metrics/targets.ts";
import {
  COMPUTE_METRICS_DAILY,
  COMPUTE_METRICS_DAILY_TICK,
  EVALUATE_ALERTS,
  JOB_CATALOG,
  MONITOR_SATURATION_HOURLY,
  MONITOR_SATURATION_HOURLY_TICK,
  TRACK_SURVIVAL_WEEKLY,
  TRACK_SURVIVAL_WEEKLY_TICK,
  type MetricsSource,
} from "../application/job-catalog.ts";
import { defineJob } from "./router.ts";

export { COMPUTE_METRICS_DAILY, EVALUATE_ALERTS, MONITOR_SATURATION_HOURLY, periodJobId, TRACK_SURVIVAL_WEEKLY } from "../application/job-catalog.ts";

/** Local time that triggers each job, read in every organisation's own zone. */
export const DAILY_METRICS_LOCAL_HOUR = 2;
export const SURVIVAL_LOCAL = { weekday: 0, hour: 3 } as const;
export const SATURATION_LOCAL = { weekdays: [1, 2, 3, 4, 5], fromHour: 9, toHour: 18 } as const;


/** "2026-03-03T17": the UTC hour a saturation snapshot describes, usable in ids. */
export function hourPeriod(at: Date): string {
  return truncateToHour(at).toISOString().slice(0, 13);
}

export interface AlertEvaluationRequest {
  repoId: string;
  /** Which metrics were just written. */
  source: MetricsSource;
  period: string;
}

/** Rule evaluation for one repository after its metrics were written (createAlertJobs' evaluateAlerts). */
export type EvaluateAlerts = (request: AlertEvaluationRequest) => Promise<unknown>;

export interface MetricsJobDeps {
  db: Database;
  queue: JobQueue;
  lock: DistributedLock;
  logger: Logger;
  now?: () => Date;
  /** Runs inside the `evaluate-alerts` job. */
  evaluateAlerts: EvaluateAlerts;
}

async function enqueueAlertEvaluation(queue: JobQueue, request: AlertEvaluationRequest): Promise<void> {
  await queue.enqueue("scheduled-jobs", EVALUATE_ALERTS, request, { jobId: JOB_CATALOG[EVALUATE_ALERTS].id(request.source, request.repoId, request.period) });
}


export function createMetricsJobs(deps: MetricsJobDeps) {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger.child({ component: "metrics" });

  async function fanOut(job: MetricsSource, targets: { repoId: string; period: string; idSuffix?: string }[]): Promise<{ enqueued: number }> {
    let enqueued = 0;
    for (const { idSuffix, ...target } of targets) {
      // A failing enqueue fails the tick, which is retried; the deterministic ids make the repeats no-ops.
      const jobId = JOB_CATALOG[job].id(target.repoId, idSuffix ? `${target.period}-${idSuffix}` : target.period);
      const result = await deps.queue.enqueue("scheduled-jobs", job, target, { jobId });
      if (result.created) enqueued += 1;
    }
    return { enqueued };
  }

  async function scopeOrSkip(repoId: string) {
    const scope = await loadRepositoryScope(deps.db, repoId);
    if (!scope) logger.info({ repoId }, "repository no longer exists; metrics skipped");
    return scope;
  }

  return {
    [COMPUTE_METRICS_DAILY_TICK]: defineJob({
      schema: JOB_CATALOG[COMPUTE_METRICS_DAILY_TICK].payload,
      async run() {
        const at = now();
        const repos = await listActiveRepositories(deps.db, at);
        const due = repos.filter((repo) => repo.local.hour >= DAILY_METRICS_LOCAL_HOUR);
        const targets: { repoId: string; period: string; idSuffix?: string }[] = [];
        for (const repo of due.filter((r) => r.local.hour === DAILY_METRICS_LOCAL_HOUR)) targets.push({ repoId: repo.repoId, period: localYesterday(at, repo.timeZone) });
        // Catch-up: a repository whose yesterday has no row yet (the 02:00 tick was missed: workers were down).
        const late = due.filter((repo) => repo.local.hour > DAILY_METRICS_LOCAL_HOUR);
        const byDate = new Map<string, string[]>();
        for (const repo of late) {
          const date = localYesterday(at, repo.timeZone);
          byDate.set(date, [...(byDate.get(date) ?? []), repo.repoId]);
        }
        for (const [date, repoIds] of byDate) {
          // Its own id per hour: the first job may still be kept (completed, or failed for 7 days) and would
          // swallow an enqueue under the same id. The lock and the idempotent write make the extra run harmless.
          for (const repoId of await repositoriesMissingDay(deps.db, repoIds, date)) {
            targets.push({ repoId, period: date, idSuffix: `catchup-${hourPeriod(at)}` });
          }
        }
        return fanOut(COMPUTE_METRICS_DAILY, targets);
      },
    }),

    [COMPUTE_METRICS_DAILY]: defineJob({
      schema: JOB_CATALOG[COMPUTE_METRICS_DAILY].payload,
      async run({ repoId, period }) {
        const scope = await scopeOrSkip(repoId);
        if (!scope) return { status: "skipped" };
        const { value, lockLost } = await acquireLock({ lock: deps.lock, logger }, { name: COMPUTE_METRICS_DAILY, repoId, period }, () =>
          computeRepoMetricsRange(deps.db, scope, { from: period, to: period }),
        );
        await enqueueAlertEvaluation(deps.queue, { repoId, source: COMPUTE_METRICS_DAILY, period });
        return { status: "computed", lockLost, aiPercentage: value[0]?.aiPercentage ?? null };
      },
    }),

    [TRACK_SURVIVAL_WEEKLY_TICK]: defineJob({
      schema: JOB_CATALOG[TRACK_SURVIVAL_WEEKLY_TICK].payload,
      async run() {
        const repos = await listActiveRepositories(deps.db, now());
        const due = repos.filter((repo) => repo.local.weekday === SURVIVAL_LOCAL.weekday && repo.local.hour === SURVIVAL_LOCAL.hour);
        return fanOut(TRACK_SURVIVAL_WEEKLY, due.map((repo) => ({ repoId: repo.repoId, period: repo.local.date })));
      },
    }),

    [TRACK_SURVIVAL_WEEKLY]: defineJob({
      schema: JOB_CATALOG[TRACK_SURVIVAL_WEEKLY].payload,
      async run({ repoId, period }) {
        const scope = await scopeOrSkip(repoId);
        if (!scope) return { status: "skipped" };
        const { value } = await acquireLock({ lock: deps.lock, logger }, { name: TRACK_SURVIVAL_WEEKLY, repoId, period }, () =>
          computeRepoSurvival(deps.db, scope, { asOfDate: period }),
        );
        await enqueueAlertEvaluation(deps.queue, { repoId, source: TRACK_SURVIVAL_WEEKLY, period });
        return { status: "computed", cohorts: value.length };
      },
    }),

    [MONITOR_SATURATION_HOURLY_TICK]: defineJob({
      schema: JOB_CATALOG[MONITOR_SATURATION_HOURLY_TICK].payload,
      async run() {
        const at = now();
        const repos = await listActiveRepositories(deps.db, at);
        const due = repos.filter(
          (repo) =>
            (SATURATION_LOCAL.weekdays as readonly number[]).includes(repo.local.weekday) &&
            repo.local.hour >= SATURATION_LOCAL.fromHour &&
            repo.local.hour <= SATURATION_LOCAL.toHour,
        );
        return fanOut(MONITOR_SATURATION_HOURLY, due.map((repo) => ({ repoId: repo.repoId, period: hourPeriod(at) })));
      },
    }),

    [MONITOR_SATURATION_HOURLY]: defineJob({
      schema: JOB_CATALOG[MONITOR_SATURATION_HOURLY].payload,
      async run({ repoId, period }) {
        const scope = await scopeOrSkip(repoId);
        if (!scope) return { status: "skipped" };
        const at = new Date(`${period}:00:00Z`);
        const { value } = await acquireLock({ lock: deps.lock, logger }, { name: MONITOR_SATURATION_HOURLY, repoId, period }, () =>
          snapshotReviewQueue(deps.db, scope, at),
        );
        await enqueueAlertEvaluation(deps.queue, { repoId, source: MONITOR_SATURATION_HOURLY, period });
        return { status: "computed", ...value };
      },
    }),

    [EVALUATE_ALERTS]: defineJob({
      schema: JOB_CATALOG[EVALUATE_ALERTS].payload,
      async run(request) {
        return { status: "evaluated", result: await deps.evaluateAlerts(request) };
      },
    }),
  };
}
