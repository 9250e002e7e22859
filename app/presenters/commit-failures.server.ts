import type { Executor } from "../../infrastructure/db/client.ts";
import { listCommitFailures } from "../../application/ingestion/commit-failures.ts";

export interface CommitFailureView {
  sha: string;
  stage: "import" | "backfill" | "analysis";
  reason: string;
  failedAt: string;
}

/** The commits of a repository that an import, a backfill or an analysis could not store, latest first. */
export async function getCommitFailures(db: Executor, orgId: string, repoId: string): Promise<CommitFailureView[]> {
  const rows = await listCommitFailures(db, { orgId, repoId });
  return rows.map((row) => ({ sha: row.sha, stage: row.stage, reason: row.reason, failedAt: row.failedAt.toISOString() }));
}
