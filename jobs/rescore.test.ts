import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DETECTOR_VERSION } from "../domain/detection/index.ts";
import type { JobContext } from "../domain/ports.ts";
import { recomputeStaleMetrics } from "../application/metrics/recompute.ts";
import { markMetricsStale } from "../application/metrics/stale-ranges.ts";
import { RetryLaterError } from "../infrastructure/queue/index.ts";
import { deleteKeys, waitFor } from "../tests/support/queue.ts";
import type { Services } from "../application/services.ts";
import { TEST_REDIS_URL } from "../tests/support/config.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { captureLogger } from "../tests/support/logs.ts";
import {
  HISTORY_NOW,
  rewindToOldDetector,
  seedAnalysedHistory,
  snapshotMetrics,
  snapshotVerdicts,
  type AnalysedHistory,
} from "../tests/support/rescore-history.ts";
import { fixedClock } from "../tests/support/clock.ts";
import { createTestServices } from "../tests/support/services.ts";
import { createJobRouter } from "./router.ts";
import { compareDetectorVersions, createRescoreJobs, enqueueStaleDetectorRescores, RESCORE_ORGANIZATION_JOB, rescoreJobId } from "./rescore.ts";
import { SCHEDULES } from "./schedules.ts";
import { startWorkers } from "./workers.ts";

let database: TestDatabase;
let history: AnalysedHistory;
let fresh: Awaited<ReturnType<typeof snapshotVerdicts>>;
let freshMetrics: Awaited<ReturnType<typeof snapshotMetrics>>;
const opened: Array<{ services: Services; close(): Promise<void> }> = [];
const redis = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false, lazyConnect: true });

async function bullmqServices() {
  const handle = await createTestServices(database, { queue: "bullmq", clock: fixedClock(HISTORY_NOW) });
  opened.push(handle);
  return handle.services;
}

async function staleLeft(): Promise<{ commits: number; marks: number }> {
  const [row] = await database.sql<{ commits: number; marks: number }[]>`
    select (select count(*)::int from commits where repo_id = ${history.repoId} and detector_version <> ${DETECTOR_VERSION}) as commits,
           (select count(*)::int from metrics_stale_ranges where repo_id = ${history.repoId}) as marks`;
  return row!;
}

beforeAll(async () => {
  await redis.connect();
  database = await createTestDatabase();
  history = await seedAnalysedHistory(database.db, "job-rescore", { owner: 93001, repo: 93002, installation: 9301 });
  fresh = await snapshotVerdicts(database.sql, history.repoId);
  await markMetricsStale(database.db, { orgId: history.orgId, repoId: history.repoId, first: "2026-06-01T00:00:00Z", last: "2026-06-10T23:00:00Z" });
  const services = await bullmqServices();
  await recomputeStaleMetrics({ db: database.db, lock: services.lock, now: HISTORY_NOW }, [history.repoId]);
  freshMetrics = await snapshotMetrics(database.sql, history.repoId);
}, 60_000);

afterAll(async () => {
  for (const handle of opened) {
    await handle.close();
    await deleteKeys(redis, `${handle.services.env.REDIS_PREFIX}*`);
  }
  await redis.quit();
  await database?.drop();
});

describe("the rescore job", () => {
  it("is queued once per organisation and detector version, re-scores in batches with readable progress, and recomputes the metrics", async () => {
    await rewindToOldDetector(database.sql, history.repoId);
    const services = await bullmqServices();
    const { logger, lines } = captureLogger();
    expect(await enqueueStaleDetectorRescores({ db: database.db, queue: services.queue, logger })).toEqual({ organizations: 1, commits: 24, enqueued: 1 });
    // A second worker starting, or the daily check: the same id, nothing new.
    expect(await enqueueStaleDetectorRescores({ db: database.db, queue: services.queue, logger })).toEqual({ organizations: 1, commits: 24, enqueued: 0 });
    expect(lines().filter((line) => String(line.msg).includes("scored by another detector version"))).toHaveLength(1);

    const runs: Array<{ job: JobContext; outcome?: unknown; error?: unknown }> = [];
    const router = createJobRouter("scheduled-jobs", createRescoreJobs({ db: database.db, queue: services.queue, lock: services.lock, logger, now: () => HISTORY_NOW, batchSize: 5 }));
    await services.queue.startWorker("scheduled-jobs", async (job) => {
      const run: (typeof runs)[number] = { job };
      runs.push(run);
      try {
        return (run.outcome = await router(job));
      } catch (error) {
        run.error = error;
        throw error;
      }
    });
    await waitFor(() => runs.some((run) => run.outcome !== undefined || run.error !== undefined), { timeoutMs: 20_000, what: "the rescore job" });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.job.id).toBe(rescoreJobId(history.orgId, DETECTOR_VERSION));
    expect(runs[0]!.outcome).toEqual({
      status: "rescored",
      rescored: 24,
      rebuilt: { "stored-input": 24, "demo-dataset": 0, "push-payload": 0 },
      changed: 24,
      deferred: 0,
      unrebuildable: {},
      repositories: [history.fullName],
      // Up to the day before the test's fixed now: the days after the re-scored ones read them in their prior window.
      metricsDays: 30,
    });
    expect(await staleLeft()).toEqual({ commits: 0, marks: 0 });
    expect(await snapshotVerdicts(database.sql, history.repoId)).toEqual(fresh);
    expect(await snapshotMetrics(database.sql, history.repoId)).toEqual(freshMetrics);

    const messages = lines().map((line) => String(line.msg));
    expect(messages).toContain("re-scored 24 of 24 commits (100 %)");
    expect(messages.some((message) => /^re-scored 24 commit\(s\) with \S+ \(24 changed\) in 1 repository\(ies\) \(24 from stored input\), recomputed 30 day\(s\) of metrics in [\d.]+ s$/.test(message))).toBe(true);
    expect(await enqueueStaleDetectorRescores({ db: database.db, queue: services.queue, logger })).toEqual({ organizations: 0, commits: 0, enqueued: 0 });
  });

  it("starts by itself when a worker starts after the detector changed", async () => {
    await rewindToOldDetector(database.sql, history.repoId);
    // A new deployment: its own queue namespace, so the earlier test's completed job does not hold the id.
    const services = await bullmqServices();
    await startWorkers(services, { github: null });
    await waitFor(async () => {
      const left = await staleLeft();
      return left.commits === 0 && left.marks === 0;
    }, { timeoutMs: 30_000, what: "the worker to re-score the history and recompute its metrics" });
    expect(await snapshotVerdicts(database.sql, history.repoId)).toEqual(fresh);
    // Metrics recomputed from the first re-scored day up to the day before the services' clock (HISTORY_NOW), and no
    // further.
    const [row] = await database.sql<{ days: number; last: string }[]>`
      select count(*)::int as days, max(date)::text as last from repo_metrics where repo_id = ${history.repoId} and date >= '2026-06-01'`;
    expect(row).toEqual({ days: 30, last: "2026-06-30" });
    expect(SCHEDULES.map((schedule) => schedule.job.name)).toContain("rescore-check");
  });

  it("leaves a newer version's job to a newer worker, and skips an older version's", async () => {
    const services = await bullmqServices();
    const handlers = createRescoreJobs({ db: database.db, queue: services.queue, lock: services.lock, logger: captureLogger().logger, now: () => HISTORY_NOW });
    const job = (detectorVersion: string): JobContext => ({
      id: "1",
      name: RESCORE_ORGANIZATION_JOB,
      queue: "scheduled-jobs",
      data: { orgId: history.orgId, detectorVersion },
      attemptsMade: 0,
      updateProgress: async () => {},
    });
    const router = createJobRouter("scheduled-jobs", handlers);
    await expect(router(job("sentinel-detector-99.0.0"))).rejects.toBeInstanceOf(RetryLaterError);
    await expect(router(job("sentinel-detector-0.1.0"))).resolves.toEqual({ status: "superseded", detectorVersion: DETECTOR_VERSION });
    expect(compareDetectorVersions("sentinel-detector-1.2.10", "sentinel-detector-1.10.0")).toBe(-1);
    expect(compareDetectorVersions("sentinel-detector-2.0.0", "sentinel-detector-1.10.0")).toBe(1);
    expect(compareDetectorVersions(DETECTOR_VERSION, DETECTOR_VERSION)).toBe(0);
  });
});
