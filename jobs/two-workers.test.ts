import { execFileSync } from "node:child_process";
import { Queue, type Job } from "bullmq";
import { eq, sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeAttribution, codeEvents, commits, repositories, webhookDeliveries } from "../infrastructure/db/schema/index.ts";
import { loadCorpusCommits } from "../tests/fixtures/corpus.ts";
import type { FakeGitHub } from "../tests/fakes/github.ts";
import { startTestGitHub, testPrivateKey } from "../tests/fakes/github-client.ts";
import { installationPayload, pushPayload, signDelivery, webhookRequest } from "../tests/fixtures/webhooks.ts";
import { handleGitHubWebhook } from "../app/webhooks/github-webhook.server.ts";
import { deleteKeys, waitFor } from "../tests/support/queue.ts";
import type { Services } from "../application/services.ts";
import { TEST_REDIS_URL } from "../tests/support/config.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { startWorkerProcess, type WorkerProcess } from "../tests/support/worker-process.ts";
import { deliveryJobId } from "./webhooks.ts";

/**
 * Issue 8, "scale out": two real worker processes (`npm run start:worker`: the compiled bundle, built here first) on
 * one Redis and one PostgreSQL share
 * the work of 20 pushes (300 commits) and do none of it twice. Who ran a job is what BullMQ recorded on it
 * (`processedBy`, the process's `<hostname>:<pid>`), and how often it was started is BullMQ's own count.
 */

const SECRET = "two-workers-secret";
const OWNER = { id: 66001, login: "scale-org" };
const REPO = { id: 66002, full_name: "scale-org/app", default_branch: "main" };
const INSTALLATION_ID = 6601;
const PUSHES = 20;
const COMMITS_PER_PUSH = 15; // under GitHub's 20-commit payload limit: every commit arrives in its push

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let fake: FakeGitHub;
let redis: Redis;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  // What `npm run start:worker` runs, from these sources (esbuild, about a second).
  execFileSync("npm", ["run", "build:server", "--silent"], { stdio: "inherit" });
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { queue: "bullmq", env: { GITHUB_WEBHOOK_SECRET: SECRET } }));
  // A little latency, as from a real network: jobs overlap in time, as they do in production.
  ({ fake } = await startTestGitHub({ latencyMs: 10 }));
  redis = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await close?.();
  await fake?.close();
  if (redis) {
    await deleteKeys(redis, `${services.env.REDIS_PREFIX}:*`);
    redis.disconnect();
  }
  await database?.drop();
});

/** Every job a queue holds, by state; the finished ones stay (up to 1,000 per queue) for 24 h. */
async function jobsOf(queueName: "webhooks" | "analysis"): Promise<{ completed: Job[]; unfinished: number }> {
  const inspector = new Queue(queueName, { connection: { url: TEST_REDIS_URL }, prefix: services.env.REDIS_PREFIX });
  try {
    const completed = await inspector.getJobs(["completed"], 0, -1);
    const counts = await inspector.getJobCounts("waiting", "active", "delayed", "failed", "prioritized", "waiting-children");
    return { completed, unfinished: Object.values(counts).reduce((sum, n) => sum + n, 0) };
  } finally {
    await inspector.close();
  }
}

function byWorker(jobs: Job[]): Map<string | undefined, number> {
  const counts = new Map<string | undefined, number>();
  for (const job of jobs) counts.set(job.processedBy, (counts.get(job.processedBy) ?? 0) + 1);
  return counts;
}

describe("two worker processes on one Redis and one database", () => {
  it("split the pushes and analyses between them and run each job once", async () => {
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: services.env.REDIS_PREFIX,
      GITHUB_APP_ID: "12345",
      GITHUB_APP_PRIVATE_KEY: testPrivateKey(),
      GITHUB_API_URL: fake.url,
      GITHUB_BACKFILL_DAYS: "0",
    };
    workers.push(startWorkerProcess(env, { compiled: true }), startWorkerProcess(env, { compiled: true }));
    await Promise.all(workers.map((worker) => worker.running()));
    const names = workers.map((worker) => worker.workerName);

    const install = signDelivery(SECRET, "installation", installationPayload("created", INSTALLATION_ID, OWNER, [REPO]));
    expect((await handleGitHubWebhook(webhookRequest(install), services)).status).toBe(202);
    const repo = await waitFor(
      async () => (await database.db.select({ id: repositories.id }).from(repositories).where(eq(repositories.githubId, REPO.id)))[0],
      { timeoutMs: 20_000, intervalMs: 50, what: "the installation to be processed by a worker process" },
    );

    const records = loadCorpusCommits().slice(1000, 1000 + PUSHES * COMMITS_PER_PUSH);
    expect(new Set(records.map((record) => record.sha)).size).toBe(records.length);
    fake.addCommits(records);
    const deliveryIds = [install.deliveryId];
    for (let index = 0; index < PUSHES; index += 1) {
      const batch = records.slice(index * COMMITS_PER_PUSH, (index + 1) * COMMITS_PER_PUSH);
      const push = signDelivery(SECRET, "push", pushPayload({ installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, records: batch }));
      expect((await handleGitHubWebhook(webhookRequest(push), services)).status).toBe(202);
      deliveryIds.push(push.deliveryId);
    }

    await waitFor(
      async () => {
        const [row] = await database.db
          .select({ done: sql<number>`count(*) filter (where ${commits.analysisStatus} <> 'pending')::int` })
          .from(commits)
          .where(eq(commits.repoId, repo.id));
        return row!.done === records.length;
      },
      { timeoutMs: 45_000, intervalMs: 100, what: `the ${records.length} commits to be analysed` },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; worker output: ${workers.map((worker) => worker.output().slice(-3000)).join("\n---\n")}`);
    });
    await waitFor(async () => (await jobsOf("analysis")).unfinished === 0 && (await jobsOf("webhooks")).unfinished === 0, {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: "the queues to drain",
    });

    // PostgreSQL: every delivery processed, every commit recorded and attributed once.
    const deliveries = await database.db.select({ id: webhookDeliveries.deliveryId, status: webhookDeliveries.status }).from(webhookDeliveries);
    expect(deliveries.map((row) => row.id).sort()).toEqual([...deliveryIds].sort());
    expect(new Set(deliveries.map((row) => row.status))).toEqual(new Set(["processed"]));
    const commitRows = await database.db.select({ sha: commits.sha, status: commits.analysisStatus }).from(commits).where(eq(commits.repoId, repo.id));
    expect(commitRows.map((row) => row.sha).sort()).toEqual(records.map((record) => record.sha).sort());
    expect(commitRows.every((row) => row.status === "analyzed")).toBe(true);
    const [events] = await database.db
      .select({ n: sql<number>`count(*)::int`, shas: sql<number>`count(distinct ${codeEvents.commitSha})::int` })
      .from(codeEvents)
      .where(sql`${codeEvents.repoId} = ${repo.id} and ${codeEvents.type} = 'commit'`);
    expect(events).toEqual({ n: records.length, shas: records.length });
    const [attribution] = await database.db
      .select({
        rows: sql<number>`count(*)::int`,
        files: sql<number>`count(distinct (${codeAttribution.commitSha}, ${codeAttribution.filePath}))::int`,
        commits: sql<number>`count(distinct ${codeAttribution.commitSha})::int`,
      })
      .from(codeAttribution)
      .where(eq(codeAttribution.repoId, repo.id));
    const filesPushed = new Set(records.flatMap((record) => (record.files as Array<{ filename: string }>).map((file) => `${record.sha}/${file.filename}`)));
    expect(attribution!.rows).toBe(attribution!.files);
    expect(attribution!.files).toBe(filesPushed.size);
    expect(attribution!.commits).toBe(records.filter((record) => (record.files as unknown[]).length > 0).length);

    // BullMQ: one job per delivery and per commit, each started once, by one of the two processes.
    const webhookJobs = (await jobsOf("webhooks")).completed;
    expect(webhookJobs.map((job) => job.id).sort()).toEqual(deliveryIds.map(deliveryJobId).sort());
    const analysisJobs = (await jobsOf("analysis")).completed;
    expect(analysisJobs.map((job) => job.id).sort()).toEqual(records.map((record) => `analyze-${repo.id}-${record.sha}`).sort());
    for (const job of [...webhookJobs, ...analysisJobs]) {
      expect({ id: job.id, attemptsStarted: job.attemptsStarted, stalled: job.stalledCounter }).toEqual({ id: job.id, attemptsStarted: 1, stalled: 0 });
      expect(names).toContain(job.processedBy);
    }

    // The split: each process did a substantial share of the analyses (an even split would be 150 each).
    const analyses = byWorker(analysisJobs);
    const deliveriesBy = byWorker(webhookJobs);
    const split = names.map((name) => ({ worker: name, analyses: analyses.get(name) ?? 0, deliveries: deliveriesBy.get(name) ?? 0 }));
    for (const share of split) {
      expect(share.analyses, JSON.stringify(split)).toBeGreaterThanOrEqual(records.length / 4);
      expect(share.deliveries, JSON.stringify(split)).toBeGreaterThanOrEqual(2);
    }
  }, 90_000);
});
