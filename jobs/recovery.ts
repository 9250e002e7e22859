import { and, asc, eq, lt, sql } from "drizzle-orm";
import type { JobQueue } from "../domain/ports.ts";
import type { Database } from "../infrastructure/db/client.ts";
import { commits, webhookDeliveries } from "../infrastructure/db/schema/index.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { resolveGitHubApi, type GitHubApiSource } from "../infrastructure/github/api-source.ts";
import { redeliverFailedDeliveries } from "../application/ingestion/github-history.ts";
import { enqueueCommitAnalysis } from "../application/analysis/enqueue-analysis.ts";
import { defineJob } from "./router.ts";
import { JOB_CATALOG, PROCESS_DELIVERY_JOB, RECOVER_DELIVERIES_JOB } from "../application/job-catalog.ts";

const BATCH = 5_000;

/**
 * PostgreSQL, not the queue, is the record of what still has to be done: deliveries still "queued" and commits
 * still "pending". At worker start they are queued again, which covers jobs lost with an in-process queue when
 * the process stopped, or with a Redis that lost its data. Deterministic job ids make this a no-op when the jobs
 * are in fact still queued.
 */
export async function requeueUnfinishedWork(
  deps: { db: Database; queue: JobQueue; logger: Logger },
  options: { olderThan?: Date } = {},
): Promise<{ deliveries: number; commits: number }> {
  const cutoff = options.olderThan ?? new Date();
  const deliveries = await deps.db
    .select({ deliveryId: webhookDeliveries.deliveryId })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.status, "queued"), lt(webhookDeliveries.receivedAt, cutoff)))
    .orderBy(asc(webhookDeliveries.receivedAt))
    .limit(BATCH);
  for (const { deliveryId } of deliveries) {
    await deps.queue.enqueue("webhooks", PROCESS_DELIVERY_JOB, { deliveryId }, { jobId: JOB_CATALOG[PROCESS_DELIVERY_JOB].id(deliveryId) });
  }
  const pending = await deps.db
    .select({ repoId: commits.repoId, sha: commits.sha })
    .from(commits)
    .where(sql`${commits.analysisStatus} = 'pending'`)
    .orderBy(asc(commits.authoredAt))
    .limit(BATCH);
  for (const target of pending) await enqueueCommitAnalysis(deps.queue, { ...target, trigger: "new" });
  if (deliveries.length + pending.length > 0) {
    deps.logger.info({ deliveries: deliveries.length, commits: pending.length }, "re-queued unfinished work");
  }
  return { deliveries: deliveries.length, commits: pending.length };
}

export { RECOVER_DELIVERIES_JOB };

/**
 * The hourly recovery: deliveries GitHub failed to hand over (Sentinel answered 503 or was down) are redelivered,
 * and deliveries recorded but never queued (the queue was down after the row was written) are queued again.
 */
export function createRecoveryJobs(deps: { db: Database; queue: JobQueue; logger: Logger; github: GitHubApiSource; now?: () => Date }) {
  return {
    [RECOVER_DELIVERIES_JOB]: defineJob({
      schema: JOB_CATALOG[RECOVER_DELIVERIES_JOB].payload,
      async run() {
        const now = deps.now?.() ?? new Date();
        const requeued = await requeueUnfinishedWork(deps, { olderThan: new Date(now.getTime() - 5 * 60_000) });
        const github = await resolveGitHubApi(deps.github);
        if (!github) return { requeued, redelivery: "GitHub App not configured" };
        const redelivery = await redeliverFailedDeliveries({ db: deps.db, github }, { now });
        if (redelivery.redelivered.length > 0) {
          deps.logger.info({ redelivered: redelivery.redelivered.length, listed: redelivery.listed }, "asked GitHub to redeliver failed deliveries");
        }
        return { requeued, redelivery };
      },
    }),
  };
}
