import type { JobQueue } from "../domain/ports.ts";
import { DEMO_METRICS_JOB, JOB_CATALOG } from "../application/job-catalog.ts";

/**
 * Queued once by the demo seeding: its metrics are computed when the workers have analysed every commit
 * (jobs/demo-metrics.ts runs it).
 */
export async function enqueueDemoMetrics(queue: JobQueue, orgId: string): Promise<void> {
  await queue.enqueue("scheduled-jobs", DEMO_METRICS_JOB, { orgId }, { jobId: JOB_CATALOG[DEMO_METRICS_JOB].id(orgId), attempts: 3 });
}
