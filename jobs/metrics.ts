/**
 * Scheduled analysis (issue 5): three hourly ticks pick the organisations whose local time calls for work
 * (ADR 031) and fan out one job per repository and period; each per-repository job holds the (name, repo,
 * period) lock, writes idempotently, then hands the repository to the alert evaluation.
 */
import { z } from "zod";
import { localYesterday } from "../domain/metrics/time.ts";
import type { DistributedLock, JobQueue } from "../domain/ports.ts";
import type { Database } from "../infrastructure/db/client.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { acquireLock } from "../infrastructure/metrics/lock.ts";
import { computeRepoMetricsRange, loadRepositoryScope } from "../infrastructure/metrics/repo-metrics.ts";
import { snapshotReviewQueue, truncateToHour } from "../infrastructure/metrics/review-queue.ts";
import { computeRepoSurvival } from "../infrastructure/metrics/survival.ts";
import { listActiveRepositories, repositoriesMissingDay } from "../infrastructure/metrics/targets.ts";
import { defineJob } from "./router.ts";
import type { ScheduleEntry } from "./schedules.ts";

export const COMPUTE_METRICS_DAILY = "compute-metrics-daily";
export const TRACK_SURVIVAL_WEEKLY = "track-survival-weekly";
export const MONITOR_SATURATION_HOURLY = "monitor-saturation-hourly";
export const EVALUATE_ALERTS = "evaluate-alerts";
const tick = (job: string) => `${job}-tick`;

/** Local time that triggers each job, read in every organisation's own zone. */
export const DAILY_METRICS_LOCAL_HOUR = 2;
export const SURVIVAL_LOCAL = { weekday: 0, hour: 3 } as const;
export const SATURATION_LOCAL = { weekdays: [1, 2, 3, 4, 5], fromHour: 9, toHour: 18 } as const;

/**
 * One job scheduler per job, ticking on the hour in UTC; the tick selects organisations by local time. (A
 * scheduler per organisation time zone would have to be added and removed as organisations change zones.)
 */
export const METRICS_SCHEDULES: readonly ScheduleEntry[] = [
  { id: COMPUTE_METRICS_DAILY, pattern: "0 * * * *", tz: "UTC", job: { queue: "scheduled-jobs", name: tick(COMPUTE_METRICS_DAILY) } },
  { id: TRACK_SURVIVAL_WEEKLY, pattern: "0 * * * *", tz: "UTC", job: { queue: "scheduled-jobs", name: tick(TRACK_SURVIVAL_WEEKLY) } },
  { id: MONITOR_SATURATION_HOURLY, pattern: "0 * * * *", tz: "UTC", job: { queue: "scheduled-jobs", name: tick(MONITOR_SATURATION_HOURLY) } },
];

/** Job ids carry job, repository and period, and never a ':' (BullMQ reserves it). */
export function periodJobId(job: string, repoId: string, period: string): string {
  return `${job}-${repoId}-${period}`.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** "2026-03-03T17": the UTC hour a saturation snapshot describes, usable in ids. */
export function hourPeriod(at: Date): string {
  return truncateToHour(at).toISOString().slice(0, 13);
}

export interface AlertEvaluationRequest {
  repoId: string;
  /** Which metrics were just written. */
  source: typeof COMPUTE_METRICS_DAILY | typeof TRACK_SURVIVAL_WEEKLY | typeof MONITOR_SATURATION_HOURLY;
  period: string;
}

/** Extension point for the alerts work: rule evaluation for one repository after its metrics were written. */
export type EvaluateAlerts = (request: AlertEvaluationRequest) => Promise<unknown>;

export interface MetricsJobDeps {
  db: Database;
  queue: JobQueue;
  lock: DistributedLock;
  logger: Logger;
  now?: () => Date;
  /** Runs inside the `evaluate-alerts` job. Until alert rules exist, the job records that nothing was evaluated. */
  evaluateAlerts?: EvaluateAlerts;
}

async function enqueueAlertEvaluation(queue: JobQueue, request: AlertEvaluationRequest): Promise<void> {
  await queue.enqueue("scheduled-jobs", EVALUATE_ALERTS, request, {
    jobId: periodJobId(`${EVALUATE_ALERTS}-${request.source}`, request.repoId, request.period),
  });
}

const repoPeriod = <T extends z.ZodType>(period: T) => z.object({ repoId: z.string().uuid(), period });
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");
const utcHour = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/, "must be an hour YYYY-MM-DDTHH");

export function createMetricsJobs(deps: MetricsJobDeps) {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger.child({ component: "metrics" });

  async function fanOut(job: string, targets: { repoId: string; period: string; idSuffix?: string }[]): Promise<{ enqueued: number }> {
    let enqueued = 0;
    for (const { idSuffix, ...target } of targets) {
      // A failing enqueue fails the tick, which is retried; the deterministic ids make the repeats no-ops.
      const jobId = periodJobId(job, target.repoId, idSuffix ? `${target.period}-${idSuffix}` : target.period);
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
    [tick(COMPUTE_METRICS_DAILY)]: defineJob({
      schema: z.object({}).passthrough(),
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
      schema: repoPeriod(localDate),
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

    [tick(TRACK_SURVIVAL_WEEKLY)]: defineJob({
      schema: z.object({}).passthrough(),
      async run() {
        const repos = await listActiveRepositories(deps.db, now());
        const due = repos.filter((repo) => repo.local.weekday === SURVIVAL_LOCAL.weekday && repo.local.hour === SURVIVAL_LOCAL.hour);
        return fanOut(TRACK_SURVIVAL_WEEKLY, due.map((repo) => ({ repoId: repo.repoId, period: repo.local.date })));
      },
    }),

    [TRACK_SURVIVAL_WEEKLY]: defineJob({
      schema: repoPeriod(localDate),
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

    [tick(MONITOR_SATURATION_HOURLY)]: defineJob({
      schema: z.object({}).passthrough(),
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
      schema: repoPeriod(utcHour),
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
      schema: z.object({
        repoId: z.string().uuid(),
        source: z.enum([COMPUTE_METRICS_DAILY, TRACK_SURVIVAL_WEEKLY, MONITOR_SATURATION_HOURLY]),
        period: z.string().min(1).max(40),
      }),
      async run(request) {
        if (!deps.evaluateAlerts) return { status: "no-alert-rules" };
        return { status: "evaluated", result: await deps.evaluateAlerts(request) };
      },
    }),
  };
}
