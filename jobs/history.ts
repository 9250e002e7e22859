import type { JobQueue } from "../domain/ports.ts";
import type { Database } from "../infrastructure/db/client.ts";
import { resolveGitHubApi, type GitHubApiSource } from "../infrastructure/github/api-source.ts";
import { GitHubAccessError, type GitHubApi } from "../infrastructure/github/github-api.ts";
import { backfillRepository, fetchPushRange } from "../application/ingestion/github-history.ts";
import { PermanentJobError } from "../infrastructure/queue/index.ts";
import { enqueueCommitAnalysis } from "../application/analysis/enqueue-analysis.ts";
import { BACKFILL_REPOSITORY_JOB, FETCH_PUSH_RANGE_JOB, JOB_CATALOG } from "../application/job-catalog.ts";
import { defineJob } from "./router.ts";

export { BACKFILL_REPOSITORY_JOB, FETCH_PUSH_RANGE_JOB };

export interface PushRangeTarget {
  repoId: string;
  before: string;
  after: string;
  branch: string;
  onDefaultBranch: boolean;
}

export async function enqueuePushRange(queue: JobQueue, target: PushRangeTarget, deliveryId: string): Promise<void> {
  const job = JOB_CATALOG[FETCH_PUSH_RANGE_JOB];
  await queue.enqueue(job.queue, FETCH_PUSH_RANGE_JOB, target, { jobId: job.id(deliveryId) });
}

/** One backfill per repository and day: adding, removing and re-adding a repository within a day backfills once. */
export async function enqueueBackfill(queue: JobQueue, target: { repoId: string; days: number }, now: Date): Promise<void> {
  const since = new Date(now.getTime() - target.days * 86_400_000).toISOString().slice(0, 10);
  const job = JOB_CATALOG[BACKFILL_REPOSITORY_JOB];
  await queue.enqueue(job.queue, BACKFILL_REPOSITORY_JOB, { repoId: target.repoId, since }, { jobId: job.id(target.repoId, since) });
}

/** GitHub refusing the repository (a missing permission, SAML, not visible) does not pass with retries. */
async function failingForGoodWhenRefused<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof GitHubAccessError) throw new PermanentJobError(error.reason, { cause: error });
    throw error;
  }
}

export function createHistoryJobs(deps: { db: Database; queue: JobQueue; github: GitHubApiSource }) {
  async function requireGitHub(): Promise<GitHubApi> {
    const github = await resolveGitHubApi(deps.github);
    if (!github) throw new PermanentJobError("GitHub App credentials are not configured (register the App on /setup, or set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)");
    return github;
  }
  const enqueueAll = async (targets: Array<{ repoId: string; sha: string; trigger: "new" | "rescore" }>) => {
    for (const target of targets) await enqueueCommitAnalysis(deps.queue, target);
  };
  return {
    [FETCH_PUSH_RANGE_JOB]: defineJob({
      schema: JOB_CATALOG[FETCH_PUSH_RANGE_JOB].payload,
      async run(target, job) {
        const github = await requireGitHub();
        return failingForGoodWhenRefused(() =>
          fetchPushRange({ db: deps.db, github, onCommits: enqueueAll, onProgress: (progress) => job.updateProgress(progress) }, target),
        );
      },
    }),
    [BACKFILL_REPOSITORY_JOB]: defineJob({
      schema: JOB_CATALOG[BACKFILL_REPOSITORY_JOB].payload,
      async run(target, job) {
        const github = await requireGitHub();
        return failingForGoodWhenRefused(() =>
          backfillRepository(
            { db: deps.db, github, onCommits: enqueueAll, onProgress: (progress) => job.updateProgress(progress) },
            { repoId: target.repoId, since: new Date(`${target.since}T00:00:00Z`) },
          ),
        );
      },
    }),
  };
}
