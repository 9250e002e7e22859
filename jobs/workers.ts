import type { QueueName } from "../domain/ports.ts";
import type { Env } from "../infrastructure/config/env.ts";
import { githubApiSourceFor, resolveGitHubApi, type GitHubApiSource } from "../infrastructure/github/api-source.ts";
import type { GitHubApi } from "../infrastructure/github/github-api.ts";
import { createCommitSourceResolver } from "../application/analysis/commit-sources.ts";
import type { Services } from "../application/services.ts";
import { createAlertJobs } from "./alerts.ts";
import { createDigestJobs } from "./digest.ts";
import { createAnalysisJobs } from "./analysis.ts";
import { BACKFILL_REPOSITORY_JOB, createHistoryJobs, FETCH_PUSH_RANGE_JOB } from "./history.ts";
import { createMetricsJobs } from "./metrics.ts";
import { createRecoveryJobs, requeueUnfinishedWork } from "./recovery.ts";
import { createRetentionJobs } from "./retention.ts";
import { createRescoreJobs, enqueueStaleDetectorRescores } from "./rescore.ts";
import { createDemoJobs } from "./demo-metrics.ts";
import { createJobRouter, type JobHandler } from "./router.ts";
import { registerSchedulesWhenReachable } from "./schedules.ts";
import { createWebhookJobs } from "./webhooks.ts";
import { createTeamsJobs } from "./teams.ts";
import { createPullRequestTimesJobs } from "./pull-request-times.ts";

/**
 * Per-queue concurrency: analysis is CPU-light but waits on GitHub; PGlite runs one query at a time anyway.
 * Defaults; WORKER_CONCURRENCY_<QUEUE> overrides one per process.
 */
const CONCURRENCY: Record<QueueName, number> = {
  webhooks: 4,
  analysis: 16,
  "scheduled-jobs": 2,
  notifications: 4,
};

function concurrencyOf(env: Env, queue: QueueName): number {
  const configured: Record<QueueName, number | undefined> = {
    webhooks: env.WORKER_CONCURRENCY_WEBHOOKS,
    analysis: env.WORKER_CONCURRENCY_ANALYSIS,
    "scheduled-jobs": env.WORKER_CONCURRENCY_SCHEDULED_JOBS,
    notifications: env.WORKER_CONCURRENCY_NOTIFICATIONS,
  };
  return configured[queue] ?? CONCURRENCY[queue];
}

/**
 * History is backfilled only when the GitHub API can be reached. With the App resolved per use, that is asked per
 * delivery; a stored App that cannot be decrypted means no backfill (the delivery itself is still ingested, and the
 * jobs that need GitHub report the key problem).
 */
function backfillDaysFor(github: GitHubApiSource, days: number): number | null | (() => Promise<number | null>) {
  if (typeof github !== "function") return github ? days : null;
  return async () => ((await github().catch(() => null)) ? days : null);
}

export function createJobHandlers(services: Services, github: GitHubApiSource): Record<QueueName, Record<string, JobHandler>> {
  const logger = services.logger.child({ component: "jobs" });
  const base = { db: services.db, queue: services.queue, logger };
  const history = createHistoryJobs({ db: services.db, queue: services.queue, github });
  const alerts = createAlertJobs({ ...base, env: services.env });
  const digest = createDigestJobs({ db: services.db, queue: services.queue, env: services.env, now: () => services.clock.now() });
  return {
    webhooks: {
      ...createWebhookJobs({ ...base, backfillDays: backfillDaysFor(github, services.env.GITHUB_BACKFILL_DAYS) }),
      [FETCH_PUSH_RANGE_JOB]: history[FETCH_PUSH_RANGE_JOB],
    },
    analysis: {
      ...createAnalysisJobs({ db: services.db, resolveSource: createCommitSourceResolver(services.db, github) }),
      [BACKFILL_REPOSITORY_JOB]: history[BACKFILL_REPOSITORY_JOB],
    },
    "scheduled-jobs": {
      ...createRecoveryJobs({ ...base, github }),
      ...createMetricsJobs({ ...base, lock: services.lock, evaluateAlerts: alerts.evaluateAlerts }),
      ...alerts.scheduled,
      ...createDemoJobs({ db: services.db, queue: services.queue, lock: services.lock, now: () => services.clock.now() }),
      ...createRescoreJobs({ ...base, lock: services.lock, now: () => services.clock.now() }),
      ...createRetentionJobs({ db: services.db, lock: services.lock, logger, env: services.env, now: () => services.clock.now() }),
      ...createTeamsJobs({ ...base, github, now: () => services.clock.now() }),
      ...digest.scheduled,
      ...createPullRequestTimesJobs({ db: services.db, logger }),
    },
    notifications: { ...alerts.notifications, ...digest.notifications },
  };
}

/**
 * Starts one worker per queue, each with its own concurrency, so a slow or failing queue never blocks another;
 * registers the schedules; re-queues what PostgreSQL says is unfinished. The GitHub client comes from the
 * environment or, without GITHUB_APP_* there, from the App registered on /setup, looked up when a job needs it
 * (so registering the App needs no restart). `github` overrides it (tests and the benchmark use a local fake).
 */
export async function startWorkers(services: Services, options: { github?: GitHubApi | null } = {}): Promise<void> {
  const github = options.github !== undefined ? options.github : githubApiSourceFor(services);
  try {
    if (!(await resolveGitHubApi(github))) {
      services.logger.info("GitHub App not configured yet: GitHub repositories are not analysed until it is (register it on /setup); demo and `sentinel import` work without it");
    }
  } catch (error) {
    // A stored App whose secrets SENTINEL_SECRET_KEY cannot open: the jobs that need GitHub fail with this message.
    services.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "the GitHub App cannot be used");
  }
  const handlers = createJobHandlers(services, github);
  for (const [queue, queueHandlers] of Object.entries(handlers) as [QueueName, Record<string, JobHandler>][]) {
    await services.queue.startWorker(queue, createJobRouter(queue, queueHandlers), { concurrency: concurrencyOf(services.env, queue) });
  }
  await registerSchedulesWhenReachable(services.queue, services.logger.child({ component: "schedules" }));
  await atStartOrLater(services, "recovery", requeueUnfinishedWork, "could not re-queue unfinished work at start; the hourly recovery will");
  // After an upgrade that changed the detector: re-score the stored history in the background.
  await atStartOrLater(
    services,
    "rescore",
    enqueueStaleDetectorRescores,
    "could not check for commits scored by another detector version at start; the daily rescore check will",
  );
}

/**
 * Start-up work that a scheduled job repeats. A transient outage at start (Redis restarting, connections dropped)
 * must not stop the worker (found by the chaos run): a failure is logged, and the scheduled job does the same work.
 */
async function atStartOrLater(
  services: Services,
  component: string,
  work: (deps: Pick<Services, "db" | "queue" | "logger">) => Promise<unknown>,
  whenItFails: string,
): Promise<void> {
  const logger = services.logger.child({ component });
  try {
    await work({ db: services.db, queue: services.queue, logger });
  } catch (error) {
    logger.warn({ error: error instanceof Error ? error.message : String(error) }, whenItFails);
  }
}
