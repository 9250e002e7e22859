import pRetry from "p-retry";
import type { JobQueue, QueueName } from "../domain/ports.ts";
import { QueueClosedError } from "../infrastructure/queue/errors.ts";
import { describeError, type QueueLogger } from "../infrastructure/queue/logger.ts";
import {
  COMPUTE_METRICS_DAILY,
  COMPUTE_METRICS_DAILY_TICK,
  FOLD_PULL_REQUEST_TIMES_JOB,
  JOB_CATALOG,
  MONITOR_SATURATION_HOURLY,
  MONITOR_SATURATION_HOURLY_TICK,
  RECOVER_DELIVERIES_JOB,
  RESCORE_CHECK_JOB,
  RETENTION_JOB,
  SEND_WEEKLY_DIGEST_TICK,
  SYNC_GITHUB_TEAMS_TICK,
  TRACK_SURVIVAL_WEEKLY,
  TRACK_SURVIVAL_WEEKLY_TICK,
  type JobName,
} from "../application/job-catalog.ts";

/**
 * Every recurring job, as data. Registered with upsertSchedule at each worker start (the same id replaces, never
 * duplicates, so five workers starting together still make one job per tick) and never removed on shutdown.
 */
export interface ScheduleEntry {
  id: string;
  pattern: string;
  tz: string;
  job: { queue: QueueName; name: JobName; data?: Record<string, unknown> };
}

/** A schedule of a cataloged job, on the queue the catalog gives it. */
const every = (id: string, pattern: string, name: JobName): ScheduleEntry => ({ id, pattern, tz: "UTC", job: { queue: JOB_CATALOG[name].queue, name } });

/**
 * Daily metrics, weekly survival, hourly review-queue saturation (issue 5): one job scheduler per job, ticking on the
 * hour in UTC; the tick selects organisations by local time (ADR 031). (A scheduler per organisation time zone would
 * have to be added and removed as organisations change zones.)
 */
export const METRICS_SCHEDULES: readonly ScheduleEntry[] = [
  every(COMPUTE_METRICS_DAILY, "0 * * * *", COMPUTE_METRICS_DAILY_TICK),
  every(TRACK_SURVIVAL_WEEKLY, "0 * * * *", TRACK_SURVIVAL_WEEKLY_TICK),
  every(MONITOR_SATURATION_HOURLY, "0 * * * *", MONITOR_SATURATION_HOURLY_TICK),
];

export const SCHEDULES: readonly ScheduleEntry[] = [
  // Minute 17, not 0: GitHub's and everyone else's hourly jobs pile up on the hour.
  every(RECOVER_DELIVERIES_JOB, "17 * * * *", RECOVER_DELIVERIES_JOB),
  ...METRICS_SCHEDULES,
  // Daily, besides the check at worker start: commits written by a worker still running the old detector version
  // during a rolling deploy (after the new one checked) are re-scored (issue 15).
  every(RESCORE_CHECK_JOB, "41 4 * * *", RESCORE_CHECK_JOB),
  // Removed repositories purged after the grace period, old payloads and patches dropped (issue 16). 03:53 UTC: away
  // from the hour and from the other nightly jobs.
  every(RETENTION_JOB, "53 3 * * *", RETENTION_JOB),
  // GitHub teams and members (ADR 076), daily at 02:29 UTC, away from the hour; webhooks keep them current in between.
  every(SYNC_GITHUB_TEAMS_TICK, "29 2 * * *", SYNC_GITHUB_TEAMS_TICK),
  // The weekly digest (issue 18, ADR 077): hourly, the tick picks the organisations at Monday 08:xx local time. Minute 5,
  // off the hour's pile-up; any minute works for every zone offset, half-hour ones included (one tick per local hour).
  every(SEND_WEEKLY_DIGEST_TICK, "5 * * * *", SEND_WEEKLY_DIGEST_TICK),
  // The pull-request comparison's per-day histograms (ADR 084): every minute, so readers rarely have queued pull
  // requests to add up themselves.
  every(FOLD_PULL_REQUEST_TIMES_JOB, "* * * * *", FOLD_PULL_REQUEST_TIMES_JOB),
];

export async function registerSchedules(queue: JobQueue, schedules: readonly ScheduleEntry[] = SCHEDULES): Promise<void> {
  for (const schedule of schedules) {
    await queue.upsertSchedule({
      id: schedule.id,
      queue: schedule.job.queue,
      pattern: schedule.pattern,
      tz: schedule.tz,
      job: { name: schedule.job.name, data: schedule.job.data ?? {} },
    });
  }
}

/**
 * Registers the schedules at worker start without letting an outage stop the worker: found by the chaos run, a
 * Redis restart between starting the workers and registering the schedules made `upsertSchedule` fail ("Reached the
 * max retries per request limit") and the worker exit. Resolves after the first attempt; when it failed, the
 * registration is tried again in the background (1 s, 2 s, 4 s … at most 30 s apart, timers that do not keep the
 * process alive) until it succeeds or the queue is closed. The schedulers already stored in Redis keep ticking
 * meanwhile. `registered` settles when the schedules are in place (or the queue was closed first).
 */
export async function registerSchedulesWhenReachable(
  queue: JobQueue,
  logger: QueueLogger,
  options: { schedules?: readonly ScheduleEntry[]; minRetryMs?: number } = {},
): Promise<{ registered: Promise<boolean> }> {
  const schedules = options.schedules ?? SCHEDULES;
  const attempt = () => registerSchedules(queue, schedules);
  try {
    await attempt();
    return { registered: Promise.resolve(true) };
  } catch (error) {
    if (error instanceof QueueClosedError) return { registered: Promise.resolve(false) };
    logger.warn({ error: describeError(error) }, "could not register the schedules at start (Redis unreachable?); trying again in the background");
  }
  const registered = pRetry(attempt, {
    forever: true,
    unref: true,
    minTimeout: options.minRetryMs ?? 1_000,
    maxTimeout: 30_000,
    shouldRetry: (error) => !(error instanceof QueueClosedError),
    onFailedAttempt: (error) => {
      if (error.attemptNumber % 5 === 0) logger.warn({ attempts: error.attemptNumber, error: error.message }, "still cannot register the schedules");
    },
  }).then(
    () => {
      logger.info({ schedules: schedules.length }, "schedules registered");
      return true;
    },
    () => false,
  );
  return { registered };
}
