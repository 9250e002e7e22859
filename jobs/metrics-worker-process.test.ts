import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeRepoMetricsRange, loadRepositoryScope } from "../application/metrics/repo-metrics.ts";
import { sleep, waitFor } from "../tests/support/queue.ts";
import type { Services } from "../application/services.ts";
import { TEST_REDIS_URL } from "../tests/support/config.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { COMPUTE_METRICS_DAILY, EVALUATE_ALERTS, periodJobId } from "./metrics.ts";
import { startWorkers } from "./workers.ts";

/**
 * Catalogue row 14 and issue 5's "a worker killed mid-job", on real worker processes (`start-worker.ts`) over the
 * real PostgreSQL and Redis. To catch a worker mid-job deterministically, the test holds a row lock on the
 * repo_metrics row the job is about to upsert: the job has taken the metrics lock, computed the day, and waits on
 * PostgreSQL until the test lets go.
 */

const PERIOD = "2026-03-19"; // a local day in America/Los_Angeles
const DAY_START = Date.parse("2026-03-19T07:00:00Z");

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let inspector: Queue;
const children: ChildProcess[] = [];

/** One repository with a day of commits: two files, AI and human lines, one rewrite of young lines (churn). */
async function seedRepository(name: string): Promise<string> {
  const sql = database.sql;
  const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name, timezone) values (${name}, ${name}, 'America/Los_Angeles') returning id`;
  const [repo] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name, source) values (${org!.id}, ${`${name}/app`}, 'local') returning id`;
  const orgId = org!.id;
  const repoId = repo!.id;
  const history = [
    { hoursBefore: 30, ai: true, path: "src/a.ts", status: "added", patch: "@@ -0,0 +1,4 @@\n+a1\n+a2\n+a3\n+a4", added: 4, deleted: 0 },
    { hoursBefore: 6, ai: false, path: "src/b.ts", status: "added", patch: "@@ -0,0 +1,3 @@\n+b1\n+b2\n+b3", added: 3, deleted: 0 },
    { hoursBefore: 3, ai: false, path: "src/a.ts", status: "modified", patch: "@@ -2,2 +2,1 @@\n-a2\n-a3\n+h2", added: 1, deleted: 2 },
    { hoursBefore: 1, ai: true, path: "src/b.ts", status: "modified", patch: "@@ -1,1 +1,2 @@\n-b1\n+x1\n+x2", added: 2, deleted: 1 },
  ];
  for (const [index, commit] of history.entries()) {
    const sha = createHash("sha1").update(`${name}-${index}`).digest("hex");
    const at = new Date(DAY_START + 24 * 3_600_000 - commit.hoursBefore * 3_600_000).toISOString();
    const confidence = commit.ai ? 0.9 : 0.1;
    await sql`insert into commits (org_id, repo_id, sha, authored_at, analysis_status, ai_confidence, on_default_branch, lines_added)
      values (${orgId}, ${repoId}, ${sha}, ${at}, 'analyzed', ${confidence}, true, ${commit.added})`;
    await sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier,
        lines_added, lines_deleted, detector_version, authored_at)
      values (${orgId}, ${repoId}, ${sha}, ${commit.path}, ${commit.status}, ${confidence}, 3, 3, ${commit.added}, ${commit.deleted}, 'test', ${at})`;
    await sql`insert into commit_file_patches (org_id, repo_id, commit_sha, file_path, status, patch, ai_authored, authored_at)
      values (${orgId}, ${repoId}, ${sha}, ${commit.path}, ${commit.status}, ${commit.patch}, ${commit.ai}, ${at})`;
  }
  // A stale row the job must overwrite; the test locks it to hold the job mid-write.
  await sql`insert into repo_metrics (org_id, repo_id, date, commits) values (${orgId}, ${repoId}, ${PERIOD}, 999)`;
  return repoId;
}

/** Holds `for update` on the day's row until `release` is called: the worker's upsert waits on it. */
async function holdMetricsRow(repoId: string): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const transaction = database.sql.begin(async (tx) => {
    await tx`select 1 from repo_metrics where repo_id = ${repoId} and date = ${PERIOD} for update`;
    locked();
    await released;
  });
  await isLocked;
  return {
    async release() {
      release();
      await transaction;
    },
  };
}

/** True while a worker process's query waits on a row lock in this test's database. */
async function workerWaitsOnRowLock(): Promise<boolean> {
  const [row] = await database.sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity
    where datname = ${database.name} and application_name = 'sentinel-worker' and wait_event_type = 'Lock'`;
  return row!.n > 0;
}

function startWorkerProcess(): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", "server/start-worker.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: services.env.REDIS_PREFIX,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function enqueueDaily(repoId: string): Promise<string> {
  const jobId = periodJobId(COMPUTE_METRICS_DAILY, repoId, PERIOD);
  await services.queue.enqueue("scheduled-jobs", COMPUTE_METRICS_DAILY, { repoId, period: PERIOD }, { jobId });
  return jobId;
}

async function storedRow(repoId: string) {
  const rows = await database.sql<Record<string, unknown>[]>`select * from repo_metrics where repo_id = ${repoId} and date = ${PERIOD}`;
  return rows;
}

/** The job's row must equal what a clean run computes: rerunning the computation leaves it untouched. */
async function expectSameAsCleanRun(repoId: string): Promise<void> {
  const [before, ...others] = await storedRow(repoId);
  expect(others).toHaveLength(0);
  expect(before!.commits).toBe(3); // the fourth commit was authored the day before
  const scope = await loadRepositoryScope(database.db, repoId);
  const [clean] = await computeRepoMetricsRange(database.db, scope!, { from: PERIOD, to: PERIOD });
  expect(before).toMatchObject({ commits: clean!.commits, ai_commits: clean!.aiCommits, lines_added: clean!.linesAdded, ai_churn_lines: clean!.aiChurnLines });
  expect(clean!.aiChurnLines).toBe(2); // a2, a3: AI lines rewritten 27 hours after birth
  expect(clean!.humanChurnLines).toBe(1); // b1
  const after = await storedRow(repoId);
  expect(after).toEqual([before]); // computed_at included: the clean rerun found nothing to change
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { queue: "bullmq" }));
  inspector = new Queue("scheduled-jobs", { connection: { url: TEST_REDIS_URL }, prefix: services.env.REDIS_PREFIX });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await inspector?.close();
  await close?.();
  await database?.drop();
});

describe("metrics jobs in worker processes", () => {
  it("row 14: SIGTERM while a metrics job runs — the job finishes, then the process exits 0", async () => {
    const repoId = await seedRepository("sigterm");
    const hold = await holdMetricsRow(repoId);
    const worker = startWorkerProcess();
    const exited = once(worker.child, "exit");
    try {
      const jobId = await enqueueDaily(repoId);
      await waitFor(workerWaitsOnRowLock, { timeoutMs: 60_000, intervalMs: 100, what: "the worker's metrics upsert waiting mid-job" }).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; worker output: ${worker.output().slice(0, 6000)}`);
      });
      worker.child.kill("SIGTERM");
      await waitFor(async () => worker.output().includes("shutting down: finishing active work"), { timeoutMs: 10_000, what: "the drain to start" });
      await sleep(500);
      expect(worker.child.exitCode).toBeNull(); // still draining: the job is not done
      await hold.release();
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      const job = await inspector.getJob(jobId);
      expect(await job!.getState(), worker.output()).toBe("completed");
      expect(job!.returnvalue).toMatchObject({ status: "computed", lockLost: false });
      await expectSameAsCleanRun(repoId);
    } finally {
      await hold.release();
    }
  }, 120_000);

  it("a worker SIGKILLed holding the metrics lock: the job completes once, elsewhere, after the lock expires", async () => {
    const repoId = await seedRepository("sigkill");
    const hold = await holdMetricsRow(repoId);
    const worker = startWorkerProcess();
    const exited = once(worker.child, "exit");
    let jobId: string;
    try {
      jobId = await enqueueDaily(repoId);
      await waitFor(workerWaitsOnRowLock, { timeoutMs: 60_000, intervalMs: 100, what: "the worker's metrics upsert waiting mid-job" }).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; worker output: ${worker.output().slice(0, 6000)}`);
      });
      worker.child.kill("SIGKILL");
      await exited;
    } finally {
      // The killed backend's transaction is gone with its connection; nothing blocks the next run.
      await hold.release();
    }
    const killedAt = Date.now();
    // (The killed worker's upsert may still land: PostgreSQL finishes a statement whose client has gone. The job
    // itself is not complete: nobody recorded it, and its alert evaluation was never enqueued.)

    // A second worker: it finds the job stalled (BullMQ's 30 s job lock), is refused the metrics lock while the
    // dead holder's token lives (up to its 60 s ttl), and runs the job once the lock has expired.
    await startWorkers(services, { github: null });
    await waitFor(async () => (await inspector.getJob(jobId))?.finishedOn !== undefined, {
      timeoutMs: 200_000,
      intervalMs: 1_000,
      what: "the metrics job to complete on the second worker",
    });
    const job = await inspector.getJob(jobId);
    expect(await job!.getState()).toBe("completed");
    expect(job!.returnvalue).toMatchObject({ status: "computed" });
    expect(job!.finishedOn! - killedAt).toBeGreaterThanOrEqual(30_000);
    await expectSameAsCleanRun(repoId);
    // Completed once: the alert evaluation it hands over to was enqueued under its single deterministic id.
    const alertJobs = (await inspector.getJobs(["completed", "waiting", "active", "delayed", "failed"])).filter((j) => j.name === EVALUATE_ALERTS && (j.data as { repoId?: string }).repoId === repoId);
    expect(alertJobs.map((j) => j.id)).toEqual([periodJobId(`${EVALUATE_ALERTS}-${COMPUTE_METRICS_DAILY}`, repoId, PERIOD)]);
  }, 300_000);
});
