import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DistributedLock, JobContext, JobQueue } from "../domain/ports.ts";
import { seedDemoOrganization } from "../demo/seed.ts";
import { acquireLock } from "../application/metrics/lock.ts";
import { computeRepoMetricsRange, loadRepositoryScope } from "../application/metrics/repo-metrics.ts";
import { createBullMqQueue } from "../infrastructure/queue/bullmq-queue.ts";
import { createRedisLock } from "../infrastructure/queue/redis-lock.ts";
import { deleteKeys, sleep, waitFor } from "../tests/support/queue.ts";
import type { Services } from "../application/services.ts";
import { TEST_REDIS_URL } from "../tests/support/config.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import {
  COMPUTE_METRICS_DAILY,
  createMetricsJobs,
  EVALUATE_ALERTS,
  MONITOR_SATURATION_HOURLY,
  TRACK_SURVIVAL_WEEKLY,
  type AlertEvaluationRequest,
} from "./metrics.ts";
import { createJobRouter } from "./router.ts";
import { METRICS_SCHEDULES, registerSchedules } from "./schedules.ts";

const SEEDED_AT = new Date("2026-03-20T18:00:00Z");
// Friday 2026-03-20, 02:00 in Los Angeles (PDT, UTC−7) = 09:00 UTC = 18:00 in Tokyo.
const LA_2AM = new Date("2026-03-20T09:00:00Z");
const filePrefix = `sentinel-test-metrics-jobs-${randomUUID().slice(0, 8)}`;

let database: TestDatabase;
let services: Services;
let closeServices: () => Promise<void>;
let demoRepoIds: string[];
let tokyoRepoId: string;
const redis = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false, lazyConnect: true });

beforeAll(async () => {
  await redis.connect();
  database = await createTestDatabase();
  ({ services, close: closeServices } = await createTestServices(database));
  await seedDemoOrganization({ db: services.db, queue: services.queue, logger: services.logger }, { analysis: "inline", days: 14, now: SEEDED_AT, metrics: false });
  demoRepoIds = (await database.sql<{ id: string }[]>`select id from repositories order by full_name`).map((row) => row.id);
  const [org] = await database.sql<{ id: string }[]>`insert into organizations (slug, name, timezone) values ('tokyo', 'Tokyo KK', 'Asia/Tokyo') returning id`;
  const [repo] = await database.sql<{ id: string }[]>`insert into repositories (org_id, full_name, source) values (${org!.id}, 'tokyo/app', 'local') returning id`;
  tokyoRepoId = repo!.id;
}, 240_000);

afterAll(async () => {
  await closeServices?.();
  await database?.drop();
  await deleteKeys(redis, `${filePrefix}*`);
  await redis.quit();
});

/** A worker on `queue` running the metrics jobs with a fixed clock; records every job it runs. */
async function startMetricsWorker(queue: JobQueue, lock: DistributedLock, now: () => Date) {
  const runs: JobContext[] = [];
  const alerts: AlertEvaluationRequest[] = [];
  const handlers = createMetricsJobs({
    db: services.db,
    queue,
    lock,
    logger: services.logger,
    now,
    evaluateAlerts: async (request) => {
      alerts.push(request);
    },
  });
  const route = createJobRouter("scheduled-jobs", handlers);
  await queue.startWorker(
    "scheduled-jobs",
    async (job) => {
      runs.push(job);
      return route(job);
    },
    { concurrency: 2 },
  );
  return { runs, alerts };
}

describe("scheduled analysis through the queue", () => {
  it("fans the 02:00 tick out to one job per repository of the organisations at 02:00, then evaluates alerts", async () => {
    let clock = LA_2AM;
    const { runs, alerts } = await startMetricsWorker(services.queue, services.lock, () => clock);
    await services.queue.enqueue("scheduled-jobs", `${COMPUTE_METRICS_DAILY}-tick`, {});
    await waitFor(() => alerts.length === demoRepoIds.length + 1, { timeoutMs: 30_000, what: "alert evaluation per repository" });

    // Los Angeles repositories because it is 02:00 there; Tokyo (18:00) because it is past 02:00 and has no row for
    // its yesterday yet — the catch-up that also covers a tick missed while workers were down.
    const computed = runs.filter((job) => job.name === COMPUTE_METRICS_DAILY);
    expect(computed.map((job) => job.id).sort()).toEqual(
      [...demoRepoIds.map((id) => `compute-metrics-daily-${id}-2026-03-19`), `compute-metrics-daily-${tokyoRepoId}-2026-03-19-catchup-2026-03-20T09`].sort(),
    );
    for (const job of runs) if (job.name !== `${COMPUTE_METRICS_DAILY}-tick`) expect(job.id).not.toContain(":");
    expect(alerts.every((request) => request.source === COMPUTE_METRICS_DAILY && request.period === "2026-03-19")).toBe(true);
    const rows = await database.sql`select repo_id, date::text from repo_metrics where date = '2026-03-19'`;
    expect(rows.map((row) => row.repo_id).sort()).toEqual([...demoRepoIds, tokyoRepoId].sort());

    // The same tick again within the hour: ids dedupe, rows exist, nothing new runs.
    const settled = runs.length;
    await services.queue.enqueue("scheduled-jobs", `${COMPUTE_METRICS_DAILY}-tick`, {}, { jobId: "second-tick" });
    await waitFor(() => runs.some((job) => job.id === "second-tick"), { what: "second tick" });
    await sleep(200);
    expect(runs.slice(settled).map((job) => job.name)).toEqual([`${COMPUTE_METRICS_DAILY}-tick`]);

    // A missed 02:00 tick is caught up later in the day, only for repositories without yesterday's row.
    await database.sql`delete from repo_metrics where repo_id = ${demoRepoIds[0]!} and date = '2026-03-19'`;
    // Tokyo's 02:00 is 17:00 UTC, i.e. 10:00 in Los Angeles, still Friday the 20th there.
    clock = new Date("2026-03-20T17:00:00Z");
    const before = runs.length;
    await services.queue.enqueue("scheduled-jobs", `${COMPUTE_METRICS_DAILY}-tick`, {});
    await waitFor(() => runs.filter((job, index) => index >= before && job.name === COMPUTE_METRICS_DAILY).length === 2, {
      timeoutMs: 30_000,
      what: "catch-up and Tokyo jobs",
    });
    await waitFor(async () => (await database.sql`select 1 from repo_metrics where date = '2026-03-19'`).length === 4, { timeoutMs: 10_000 });
    const later = runs.slice(before).filter((job) => job.name === COMPUTE_METRICS_DAILY).map((job) => job.data);
    expect(later).toEqual(expect.arrayContaining([{ repoId: demoRepoIds[0], period: "2026-03-19" }, { repoId: tokyoRepoId, period: "2026-03-20" }]));
    expect(later).toHaveLength(2);

    // Review queue: Friday 10:00 in Los Angeles is inside 09–18 Mon–Fri; 02:00 in Tokyo Saturday is not.
    await services.queue.enqueue("scheduled-jobs", `${MONITOR_SATURATION_HOURLY}-tick`, {});
    await waitFor(async () => (await database.sql`select 1 from review_queue_snapshots where taken_at = '2026-03-20T17:00:00Z'`).length === 3, {
      timeoutMs: 30_000,
      what: "three saturation snapshots",
    });
    expect((await database.sql`select 1 from review_queue_snapshots where repo_id = ${tokyoRepoId}`).length).toBe(0);

    // Survival: Sunday 03:00 in Los Angeles.
    clock = new Date("2026-03-22T10:00:00Z");
    await services.queue.enqueue("scheduled-jobs", `${TRACK_SURVIVAL_WEEKLY}-tick`, {});
    await waitFor(() => alerts.filter((request) => request.source === TRACK_SURVIVAL_WEEKLY).length === 3, { timeoutMs: 30_000, what: "survival per repository" });
    const survival = await database.sql`select distinct repo_id from line_survival`;
    expect(survival.length).toBeGreaterThan(0);
    expect(runs.filter((job) => job.name === EVALUATE_ALERTS).length).toBe(alerts.length);
  }, 90_000);

  // Catalogue row 25.
  it("lets a second worker run when the holder pauses past the ttl; both write, and the rows count everything once", async () => {
    const repoId = demoRepoIds[1]!;
    const scope = (await loadRepositoryScope(services.db, repoId))!;
    const period = "2026-03-18";
    const metricColumns = "commits, ai_commits, lines_added, ai_lines_added, lines_deleted, ai_percentage, lines_by_tier, ai_lines_by_tier, high_risk_files, ai_churn_lines, human_churn_lines, ai_tax, human_tax, prs_opened, prs_merged, review_queue_depth, median_pickup_minutes, deployments, incidents_opened, change_failure_rate";
    const read = () => database.sql.unsafe(`select ${metricColumns} from repo_metrics where repo_id = $1 and date = $2`, [repoId, period]);
    await computeRepoMetricsRange(services.db, scope, { from: period, to: period });
    const once = await read();
    expect(once).toHaveLength(1);
    expect(once[0]!.commits).toBeGreaterThan(0);
    await database.sql`delete from repo_metrics where repo_id = ${repoId} and date = ${period}`;

    const redisLock = createRedisLock(redis, { prefix: `${filePrefix}-lock` });
    // A paused process renews nothing: its lock handle never extends.
    const paused: DistributedLock = {
      async acquire(key, ttlMs) {
        const held = await redisLock.acquire(key, ttlMs);
        return held && { ...held, key: held.key, token: held.token, extend: async () => true, release: () => held.release() };
      },
    };
    const scopeOfLock = { name: COMPUTE_METRICS_DAILY, repoId, period, ttlMs: 300 };
    const first = acquireLock({ lock: paused }, scopeOfLock, async () => {
      await sleep(800); // paused (GC, SIGSTOP, a slow disk) well past the ttl
      return computeRepoMetricsRange(services.db, scope, { from: period, to: period });
    });
    await sleep(450);
    const second = await acquireLock({ lock: redisLock }, scopeOfLock, () => computeRepoMetricsRange(services.db, scope, { from: period, to: period }));
    expect(second.lockLost).toBe(false);
    const firstOutcome = await first;
    // The first holder finds its lock gone when it releases: it knows another may have run.
    expect(firstOutcome.lockLost).toBe(true);
    expect(await read()).toEqual(once);
  });
});

// Catalogue row 26.
describe("five worker processes starting together", () => {
  it("register one scheduler per schedule and run each tick, and each repository's day, exactly once", async () => {
    const prefix = `${filePrefix}-bull`;
    const replicas = Array.from({ length: 5 }, () => createBullMqQueue({ redisUrl: TEST_REDIS_URL, prefix }));
    const lock = createRedisLock(redis, { prefix: `${filePrefix}-bull-lock` });
    const inspector = new Queue("scheduled-jobs", { connection: { url: TEST_REDIS_URL }, prefix });
    try {
      await Promise.all(replicas.map((replica) => registerSchedules(replica, METRICS_SCHEDULES)));
      expect(await inspector.getJobSchedulersCount()).toBe(METRICS_SCHEDULES.length);
      expect((await replicas[0]!.counts("scheduled-jobs")).delayed).toBe(METRICS_SCHEDULES.length);

      // The same schedules ticking every second, as if the hour came round quickly; the clock says 02:00 LA.
      const fast = METRICS_SCHEDULES.filter((s) => s.id === COMPUTE_METRICS_DAILY).map((s) => ({ ...s, pattern: "* * * * * *" }));
      await Promise.all(replicas.map((replica) => registerSchedules(replica, fast)));
      expect(await inspector.getJobSchedulersCount()).toBe(METRICS_SCHEDULES.length);
      const workers = await Promise.all(replicas.map((replica) => startMetricsWorker(replica, lock, () => LA_2AM)));
      await sleep(3_500);
      await inspector.removeJobScheduler(COMPUTE_METRICS_DAILY);
      await sleep(500);
      const runs = workers.flatMap((worker) => worker.runs);
      const ticks = runs.filter((job) => job.name === `${COMPUTE_METRICS_DAILY}-tick`).map((job) => job.id);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(new Set(ticks).size).toBe(ticks.length);
      // Several ticks, five workers: still one job per repository and day (deterministic ids), one alert evaluation each.
      const daily = runs.filter((job) => job.name === COMPUTE_METRICS_DAILY && !job.id.includes("catchup")).map((job) => job.id);
      expect(daily.sort()).toEqual(demoRepoIds.map((id) => `compute-metrics-daily-${id}-2026-03-19`).sort());
      const alerts = workers.flatMap((worker) => worker.alerts);
      expect(alerts.filter((request) => demoRepoIds.includes(request.repoId))).toHaveLength(demoRepoIds.length);
    } finally {
      await inspector.close();
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  }, 30_000);
});
