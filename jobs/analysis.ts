import type { Database } from "../infrastructure/db/client.ts";
import { analyzeStoredCommit, createContextReader, type CommitSourceResolver } from "../application/analysis/analyze-stored-commit.ts";
import { databaseRefusal, recordAnalysisFailure } from "../application/ingestion/commit-failures.ts";
import { CommitSourceUnavailableError } from "../application/analysis/commit-sources.ts";
import { createVerdictWriter } from "../application/analysis/verdict-writer.ts";
import { GitHubAccessError, GitHubInstallationMissingError } from "../infrastructure/github/github-api.ts";
import { PermanentJobError } from "../infrastructure/queue/index.ts";
import { ANALYZE_COMMIT_JOB, JOB_CATALOG } from "../application/job-catalog.ts";
import { defineJob } from "./router.ts";

export { ANALYZE_COMMIT_JOB };

export function createAnalysisJobs(deps: { db: Database; resolveSource: CommitSourceResolver }) {
  // The jobs running at once in this process read their commits' context and write their verdicts together (ADR 022).
  const grouped = { readContext: createContextReader(deps.db), write: createVerdictWriter(deps.db) };
  return {
    [ANALYZE_COMMIT_JOB]: defineJob({
      schema: JOB_CATALOG[ANALYZE_COMMIT_JOB].payload,
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
