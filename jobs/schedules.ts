import type { JobQueue, QueueName } from "../domain/ports.ts";
import { METRICS_SCHEDULES } from "./metrics.ts";
import { RECOVER_DELIVERIES_JOB } from "./recovery.ts";
import { RESCORE_SCHEDULES } from "./rescore.ts";
import { RETENTION_SCHEDULES } from "./retention.ts";

/**
 * Every recurring job, as data. Registered with upsertSchedule at each worker start (the same id replaces, never
 * duplicates, so five workers starting together still make one job per tick) and never removed on shutdown.
 */
export interface ScheduleEntry {
  id: string;
  pattern: string;
  tz: string;
  job: { queue: QueueName; name: string; data?: Record<string, unknown> };
}

export const SCHEDULES: readonly ScheduleEntry[] = [
  // Minute 17, not 0: GitHub's and everyone else's hourly jobs pile up on the hour.
  { id: "recover-webhook-deliveries", pattern: "17 * * * *", tz: "UTC", job: { queue: "scheduled-jobs", name: RECOVER_DELIVERIES_JOB } },
  // Daily metrics, weekly survival, hourly review-queue saturation: hourly ticks that pick organisations by local time (ADR 031).
  ...METRICS_SCHEDULES,
  // Stored commits scored by another detector version (a rolling deploy's stragglers): re-scored (issue 15).
  ...RESCORE_SCHEDULES,
  // Removed repositories purged after the grace period, old payloads and patches dropped (issue 16).
  ...RETENTION_SCHEDULES,
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
