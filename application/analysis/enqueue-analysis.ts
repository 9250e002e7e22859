import type { JobQueue } from "../../domain/ports.ts";
import type { CommitToAnalyze } from "../ingestion/apply-webhook-plan.ts";
import { ANALYZE_COMMIT_JOB, JOB_CATALOG } from "../job-catalog.ts";

/**
 * One job per repository and commit. A re-score (new PR context) gets its own id, because the first job may
 * still be kept as completed and would swallow a second enqueue with the same id.
 */
export async function enqueueCommitAnalysis(queue: JobQueue, target: CommitToAnalyze, deliveryId?: string): Promise<void> {
  await enqueueCommitAnalyses(queue, [target], deliveryId);
}

/** All of a push's commits in one round trip to the queue. */
export async function enqueueCommitAnalyses(queue: JobQueue, targets: CommitToAnalyze[], deliveryId?: string): Promise<void> {
  await queue.enqueueBulk(
    "analysis",
    targets.map((target) => ({
      name: ANALYZE_COMMIT_JOB,
      data: { repoId: target.repoId, sha: target.sha },
      options: { jobId: JOB_CATALOG[ANALYZE_COMMIT_JOB].id(target.repoId, target.sha, target.trigger === "rescore" ? deliveryId : undefined) },
    })),
  );
}
