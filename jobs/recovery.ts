import { and, asc, eq, lt, sql } from "drizzle-orm";
import type { JobQueue } from "../domain/ports.ts";
import type { Database } from "../infrastructure/db/client.ts";
import { commits, webhookDeliveries } from "../infrastructure/db/schema/index.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { enqueueCommitAnalysis } from "./analysis.ts";
import { deliveryJobId, PROCESS_DELIVERY_JOB } from "./webhooks.ts";

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
    await deps.queue.enqueue("webhooks", PROCESS_DELIVERY_JOB, { deliveryId }, { jobId: deliveryJobId(deliveryId) });
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
