import { z } from "zod";
import type { JobQueue } from "../domain/ports.ts";
import type { Database } from "../infrastructure/db/client.ts";
import { resolveGitHubApi, type GitHubApiSource } from "../infrastructure/github/api-source.ts";
import { GitHubAccessError, type GitHubApi } from "../infrastructure/github/github-api.ts";
import { backfillRepository, fetchPushRange } from "../infrastructure/ingest/github-history.ts";
import { PermanentJobError } from "../infrastructure/queue/index.ts";
import { enqueueCommitAnalysis } from "./analysis.ts";
import { defineJob } from "./router.ts";

export const FETCH_PUSH_RANGE_JOB = "fetch-push-range";
export const BACKFILL_REPOSITORY_JOB = "backfill-repository";

const sha = z.string().regex(/^[0-9a-f]{7,64}$/i, "must be a commit sha");

export interface PushRangeTarget {
  repoId: string;
  before: string;
  after: string;
  branch: string;
  onDefaultBranch: boolean;
}

function safeId(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, "_");
}

export async function enqueuePushRange(queue: JobQueue, target: PushRangeTarget, deliveryId: string): Promise<void> {
  // On the webhooks queue: it finishes ingesting the delivery, and must not wait behind thousands of analyses.
  await queue.enqueue("webhooks", FETCH_PUSH_RANGE_JOB, target, { jobId: `push-range-${safeId(deliveryId)}` });
}

/** One backfill per repository and day: adding, removing and re-adding a repository within a day backfills once. */
export async function enqueueBackfill(queue: JobQueue, target: { repoId: string; days: number }, now: Date): Promise<void> {
  const since = new Date(now.getTime() - target.days * 86_400_000).toISOString().slice(0, 10);
  await queue.enqueue("analysis", BACKFILL_REPOSITORY_JOB, { repoId: target.repoId, since }, { jobId: `backfill-${target.repoId}-${since}` });
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
      schema: z.object({ repoId: z.string().uuid(), before: sha, after: sha, branch: z.string().min(1), onDefaultBranch: z.boolean() }),
      async run(target, job) {
        const github = await requireGitHub();
        return failingForGoodWhenRefused(() =>
          fetchPushRange({ db: deps.db, github, onCommits: enqueueAll, onProgress: (progress) => job.updateProgress(progress) }, target),
        );
      },
    }),
    [BACKFILL_REPOSITORY_JOB]: defineJob({
      schema: z.object({ repoId: z.string().uuid(), since: z.iso.date() }),
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
