/**
 * Re-scoring stored history after an upgrade changed the detector (issue 15): at worker start and once a day, the
 * organisations with commits from another detector version get one `rescore-organization` job each (its id carries
 * the organisation and the version, so every worker starting after a deploy queues it once). The job re-scores their
 * commits in batches from storage — `sentinel rescore`'s code path — then recomputes the metrics they changed.
 */
import { DETECTOR_VERSION } from "../domain/detection/index.ts";
import type { DistributedLock, JobQueue } from "../domain/ports.ts";
import type { Database } from "../infrastructure/db/client.ts";
import {
  describeRebuilt,
  describeUnrebuildable,
  organizationsNeedingRescore,
  rescoreStoredCommits,
  resolveRescoreScope,
  unrebuildableTotal,
} from "../application/analysis/rescore.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { recomputeStaleMetrics } from "../application/metrics/recompute.ts";
import { RetryLaterError } from "../infrastructure/queue/index.ts";
import { JOB_CATALOG, RESCORE_CHECK_JOB, RESCORE_ORGANIZATION_JOB } from "../application/job-catalog.ts";
import { defineJob } from "./router.ts";

export { RESCORE_ORGANIZATION_JOB };
export const rescoreJobId = JOB_CATALOG[RESCORE_ORGANIZATION_JOB].id;

/** -1, 0, 1 as `a` is older than, the same as, or newer than `b` ("sentinel-detector-1.2.3"); unparseable: 0 if equal, else 1. */
export function compareDetectorVersions(a: string, b: string): number {
  const parse = (version: string) => /(\d+)\.(\d+)\.(\d+)$/.exec(version)?.slice(1).map(Number);
  const [left, right] = [parse(a), parse(b)];
  if (!left || !right) return a === b ? 0 : 1;
  for (let index = 0; index < 3; index += 1) {
    if (left[index]! !== right[index]!) return left[index]! < right[index]! ? -1 : 1;
  }
  return 0;
}

export interface RescoreJobDeps {
  db: Database;
  queue: JobQueue;
  lock: DistributedLock;
  logger: Logger;
  now?: () => Date;
  /** Commits per transaction. Default 100. */
  batchSize?: number;
}

/**
 * Queues a rescore for every organisation with commits from another detector version (or metrics a stopped rescore
 * left stale). Deterministic ids make a repeat a no-op while the first job is kept.
 */
export async function enqueueStaleDetectorRescores(deps: Pick<RescoreJobDeps, "db" | "queue" | "logger">): Promise<{ organizations: number; commits: number; enqueued: number }> {
  const organizations = await organizationsNeedingRescore(deps.db);
  let enqueued = 0;
  for (const { orgId } of organizations) {
    const result = await deps.queue.enqueue(
      "scheduled-jobs",
      RESCORE_ORGANIZATION_JOB,
      { orgId, detectorVersion: DETECTOR_VERSION },
      { jobId: JOB_CATALOG[RESCORE_ORGANIZATION_JOB].id(orgId, DETECTOR_VERSION) },
    );
    if (result.created) enqueued += 1;
  }
  const commits = organizations.reduce((sum, org) => sum + org.commits, 0);
  if (enqueued > 0) {
    deps.logger.info(
      { organizations: organizations.length, commits, detectorVersion: DETECTOR_VERSION },
      `${commits.toLocaleString("en-US")} stored commit(s) were scored by another detector version: re-scoring them with ${DETECTOR_VERSION} (${enqueued} organisation job(s) queued)`,
    );
  }
  return { organizations: organizations.length, commits, enqueued };
}

/** Progress lines at most every 10 % or every 30 s, whichever comes first. */
function progressLogger(logger: Logger, orgId: string) {
  let lastDecile = -1;
  let lastAt = 0;
  return (done: number, total: number) => {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    const decile = Math.floor(percent / 10);
    if (decile === lastDecile && Date.now() - lastAt < 30_000 && done < total) return;
    lastDecile = decile;
    lastAt = Date.now();
    logger.info({ orgId, done, total }, `re-scored ${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} commits (${percent} %)`);
  };
}

export function createRescoreJobs(deps: RescoreJobDeps) {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger.child({ component: "rescore" });
  return {
    [RESCORE_CHECK_JOB]: defineJob({
      schema: JOB_CATALOG[RESCORE_CHECK_JOB].payload,
      run: () => enqueueStaleDetectorRescores({ ...deps, logger }),
    }),

    [RESCORE_ORGANIZATION_JOB]: defineJob({
      schema: JOB_CATALOG[RESCORE_ORGANIZATION_JOB].payload,
      async run({ orgId, detectorVersion }, job) {
        const order = compareDetectorVersions(detectorVersion, DETECTOR_VERSION);
        // A newer worker queued it during a rolling deploy: leave it to a worker of that version.
        if (order > 0) throw new RetryLaterError(5 * 60_000, `job is for ${detectorVersion}; this worker runs ${DETECTOR_VERSION}`);
        // An older worker's job: a job for this version covers the same commits.
        if (order < 0) return { status: "superseded", detectorVersion: DETECTOR_VERSION };

        const scope = await resolveRescoreScope(deps.db, { orgId });
        const repositories = scope.ok ? scope.repositories : [];
        const started = performance.now();
        const logProgress = progressLogger(logger, orgId);
        const result = await rescoreStoredCommits(deps.db, repositories, {
          batchSize: deps.batchSize,
          now,
          onProgress: ({ done, total }) => {
            logProgress(done, total);
            void job.updateProgress({ done, total }).catch(() => {});
          },
        });
        // A recompute of the same range elsewhere throws RetryLaterError: the job runs again later, finds every commit
        // current, and recomputes what the marks (metrics_stale_ranges) still hold.
        const metrics = await recomputeStaleMetrics(
          { db: deps.db, lock: deps.lock, now: now(), logger },
          repositories.map((repository) => repository.repoId),
        );
        const days = metrics.reduce((sum, repository) => sum + repository.days, 0);
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        const unrebuildable = unrebuildableTotal(result.unrebuildable);
        logger.info(
          { orgId, ...result, repositories: result.repositories.length, metricsDays: days, seconds },
          `re-scored ${result.rescored} commit(s) with ${DETECTOR_VERSION} (${result.changed} changed) in ${result.repositories.length} repository(ies)` +
            (result.rescored > 0 ? ` (${describeRebuilt(result.rebuilt)})` : "") +
            `, recomputed ${days} day(s) of metrics in ${seconds} s` +
            (unrebuildable > 0 ? `; ${unrebuildable} commit(s) cannot be rebuilt without GitHub and keep their verdict (${describeUnrebuildable(result.unrebuildable)})` : ""),
        );
        return {
          status: "rescored",
          rescored: result.rescored,
          rebuilt: result.rebuilt,
          changed: result.changed,
          deferred: result.deferred,
          unrebuildable: result.unrebuildable,
          repositories: result.repositories.map((repository) => repository.fullName),
          metricsDays: days,
        };
      },
    }),
  };
}
