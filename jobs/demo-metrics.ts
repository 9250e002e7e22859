import { and, eq, sql } from "drizzle-orm";
import type { DistributedLock, JobQueue } from "../domain/ports.ts";
import type { Database } from "../infrastructure/db/client.ts";
import { commits } from "../infrastructure/db/schema/index.ts";
import { localYesterday } from "../domain/metrics/time.ts";
import { recomputeMetrics } from "../application/metrics/recompute.ts";
import { RetryLaterError } from "../infrastructure/queue/index.ts";
import { COMPUTE_METRICS_DAILY, DEMO_METRICS_JOB, EVALUATE_ALERTS, JOB_CATALOG } from "../application/job-catalog.ts";
import { defineJob } from "./router.ts";

/**
 * The demo's 90 days of metrics, computed with the nightly job's code (`sentinel metrics recompute`), then the
 * alert rules for each repository — so a newcomer sees charts and alerts, not only raw events. Waits (without
 * using up attempts) while commits are still being analysed.
 */
export function createDemoJobs(deps: { db: Database; queue: JobQueue; lock: DistributedLock; now?: () => Date }) {
  return {
    [DEMO_METRICS_JOB]: defineJob({
      schema: JOB_CATALOG[DEMO_METRICS_JOB].payload,
      async run({ orgId }) {
        const [pending] = await deps.db
          .select({ count: sql<number>`count(*)::int` })
          .from(commits)
          .where(and(eq(commits.orgId, orgId), eq(commits.analysisStatus, "pending")));
        if ((pending?.count ?? 0) > 0) throw new RetryLaterError(5_000, `${pending!.count} demo commits still wait for analysis`);
        const now = deps.now?.() ?? new Date();
        const result = await recomputeMetrics({ db: deps.db, lock: deps.lock, now }, { orgId });
        if (!result.ok) return result;
        for (const repo of await deps.db.execute<{ id: string; timezone: string }>(
          sql`select r.id, o.timezone from repositories r join organizations o on o.id = r.org_id where r.org_id = ${orgId} and r.disabled_at is null`,
        )) {
          const period = localYesterday(now, repo.timezone);
          await deps.queue.enqueue(
            "scheduled-jobs",
            EVALUATE_ALERTS,
            { repoId: repo.id, source: COMPUTE_METRICS_DAILY, period },
            { jobId: JOB_CATALOG[EVALUATE_ALERTS].id(COMPUTE_METRICS_DAILY, repo.id, period) },
          );
        }
        return { status: "computed", repositories: result.repositories.length };
      },
    }),
  };
}
