import { z } from "zod";
import type { JobQueue } from "../domain/ports.ts";
import type { Database } from "../infrastructure/db/client.ts";
import { analyzeStoredCommit, createContextReader, type CommitSourceResolver } from "../infrastructure/ingest/analyze-stored-commit.ts";
import type { CommitToAnalyze } from "../infrastructure/ingest/apply-webhook-plan.ts";
import { databaseRefusal, recordAnalysisFailure } from "../infrastructure/ingest/commit-failures.ts";
import { CommitSourceUnavailableError } from "../infrastructure/ingest/commit-sources.ts";
import { createVerdictWriter } from "../infrastructure/ingest/verdict-writer.ts";
import { GitHubAccessError, GitHubInstallationMissingError } from "../infrastructure/github/github-api.ts";
import { PermanentJobError } from "../infrastructure/queue/index.ts";
import { defineJob } from "./router.ts";

export const ANALYZE_COMMIT_JOB = "analyze-commit";

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
    targets.map((target) => {
      const suffix = target.trigger === "rescore" && deliveryId ? `-${deliveryId.replace(/[^A-Za-z0-9_-]/g, "_")}` : "";
      return {
        name: ANALYZE_COMMIT_JOB,
        data: { repoId: target.repoId, sha: target.sha },
        options: { jobId: `analyze-${target.repoId}-${target.sha}${suffix}` },
      };
    }),
  );
}

export function createAnalysisJobs(deps: { db: Database; resolveSource: CommitSourceResolver }) {
  // The jobs running at once in this process read their commits' context and write their verdicts together (ADR 022).
  const grouped = { readContext: createContextReader(deps.db), write: createVerdictWriter(deps.db) };
  return {
    [ANALYZE_COMMIT_JOB]: defineJob({
      schema: z.object({ repoId: z.string().uuid(), sha: z.string().regex(/^[0-9a-f]{7,64}$/, "must be a commit sha") }),
      async run(target) {
        try {
          return await analyzeStoredCommit(deps.db, deps.resolveSource, target, grouped);
        } catch (error) {
          // GitHub refusing the repository (a missing permission, SAML, not visible) does not pass with retries.
          if (error instanceof CommitSourceUnavailableError || error instanceof GitHubInstallationMissingError || error instanceof GitHubAccessError) {
            throw new PermanentJobError(error.message, { cause: error });
          }
          // PostgreSQL refused the commit's rows (a path too long for its index, one row twice): every retry would be
          // refused alike. Recorded for the repository page, and the job fails for good.
          const refused = databaseRefusal(error);
          if (refused !== null) {
            await recordAnalysisFailure(deps.db, target, refused);
            throw new PermanentJobError(refused, { cause: error });
          }
          throw error;
        }
      },
    }),
  };
}
