import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBullMqQueue, type BullMqJobQueue } from "./bullmq-queue.ts";
import { QueueUnavailableError, RedisEvictionPolicyError } from "./errors.ts";
import { queueContract } from "../../tests/contracts/queue-contract.ts";
import { deleteKeys, freePort, recordingLogger, startThrowawayRedis, waitFor } from "../../tests/support/queue.ts";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
// One prefix per test file, one sub-prefix per queue instance: tests never see each other's jobs.
const filePrefix = `sentinel-test-${randomUUID().slice(0, 8)}`;
let instance = 0;
const nextPrefix = () => `${filePrefix}-${++instance}`;

let admin: Redis;
beforeAll(() => {
  admin = new Redis(redisUrl);
});
afterAll(async () => {
  await deleteKeys(admin, `${filePrefix}-*`);
  await admin.quit();
});

queueContract("bullmq", () => createBullMqQueue({ redisUrl, prefix: nextPrefix() }));

describe("BullMQ queue", () => {
  it("catalogue row 29: a job running four times its lock duration keeps its lock and runs once, with a second worker checking for stalls", async () => {
    const prefix = nextPrefix();
    // A 1 s lock and a stalled-job check every 250 ms on both workers: if the running worker stopped renewing its
    // lock, the job would be taken back within about a second and run again on the other one.
    const options = { redisUrl, prefix, jobLockMs: 1_000, stalledCheckMs: 250 };
    const first = createBullMqQueue({ ...options, workerName: "first" });
    const second = createBullMqQueue({ ...options, workerName: "second" });
    const runs: string[] = [];
    const inspector = new Queue("analysis", { connection: { url: redisUrl }, prefix });
    try {
      const slowJob = (worker: string) => async () => {
        runs.push(worker);
        await new Promise((resolve) => setTimeout(resolve, 4_000));
      };
      await first.startWorker("analysis", slowJob("first"), { concurrency: 1 });
      await second.startWorker("analysis", slowJob("second"), { concurrency: 1 });
      const { jobId } = await first.enqueue("analysis", "long", {});
      await waitFor(async () => (await inspector.getJob(jobId))?.finishedOn !== undefined, { timeoutMs: 15_000, what: "the long job to finish" });
      const job = await inspector.getJob(jobId);
      expect(await job!.getState()).toBe("completed");
      expect(runs).toHaveLength(1);
      expect(job!.attemptsMade).toBe(1);
      // BullMQ counts a job taken back from a stalled worker.
      expect(job!.stalledCounter ?? 0).toBe(0);
    } finally {
      await inspector.close();
      await Promise.all([first.close(), second.close()]);
    }
  }, 30_000);

  it("stores the production defaults on each job: 5 attempts, exponential backoff, bounded retention", async () => {
    const prefix = nextPrefix();
    const queue = createBullMqQueue({ redisUrl, prefix });
    const inspector = new Queue("analysis", { connection: { url: redisUrl }, prefix });
    try {
      const { jobId } = await queue.enqueue("analysis", "x", {});
      const job = await inspector.getJob(jobId);
      expect(job?.opts).toMatchObject({
        attempts: 5,
        backoff: { type: "exponential", delay: 1000 },
        removeOnComplete: { age: 86_400, count: 1000 },
        removeOnFail: { age: 604_800 },
      });
    } finally {
      await inspector.close();
      await queue.close();
    }
  });

  it("keeps one scheduler when five processes upsert the same schedule at once", async () => {
    const prefix = nextPrefix();
    const replicas = Array.from({ length: 5 }, () => createBullMqQueue({ redisUrl, prefix }));
    const inspector = new Queue("scheduled-jobs", { connection: { url: redisUrl }, prefix });
    try {
      await Promise.all(
        replicas.map((replica) =>
          replica.upsertSchedule({
            id: "purge-old-events",
            queue: "scheduled-jobs",
            pattern: "0 4 * * *",
            tz: "UTC",
            job: { name: "purge", data: {} },
          }),
        ),
      );
      expect(await inspector.getJobSchedulersCount()).toBe(1);
      expect(await replicas[0]!.counts("scheduled-jobs")).toMatchObject({ delayed: 1 });
    } finally {
      await inspector.close();
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });

  it("rejects an enqueue within 1 s when Redis is unreachable", async () => {
    const port = await freePort();
    const logger = recordingLogger();
    const queue = createBullMqQueue({ redisUrl: `redis://127.0.0.1:${port}`, prefix: nextPrefix(), logger });
    try {
      const startedAt = Date.now();
      const outcome = await queue.enqueue("webhooks", "github-delivery", {}, { jobId: "d1" }).catch((error: unknown) => error);
      const elapsed = Date.now() - startedAt;

      expect(outcome).toBeInstanceOf(QueueUnavailableError);
      expect(elapsed).toBeLessThan(1000);
      expect(await queue.ping()).toBe(false);
    } finally {
      await queue.close();
    }
  });

  describe("with a throwaway redis-server", () => {
    it("refuses to start workers on a Redis whose maxmemory-policy evicts, naming the policy", async () => {
      const redis = await startThrowawayRedis({ maxmemoryPolicy: "allkeys-lru" });
      const queue = createBullMqQueue({ redisUrl: redis.url, prefix: nextPrefix() });
      try {
        await expect(queue.assertReady()).rejects.toThrow(RedisEvictionPolicyError);
        await expect(queue.startWorker("analysis", async () => {})).rejects.toThrow(/"allkeys-lru".*"noeviction"/);
      } finally {
        await queue.close();
        await redis.stop();
      }
    });

    it("reads the policy from INFO when CONFIG is forbidden, and still refuses an evicting one", async () => {
      const redis = await startThrowawayRedis({ maxmemoryPolicy: "volatile-lru", disabledCommands: ["CONFIG"] });
      const queue = createBullMqQueue({ redisUrl: redis.url, prefix: nextPrefix() });
      try {
        await expect(queue.assertReady()).rejects.toThrow(/"volatile-lru"/);
      } finally {
        await queue.close();
        await redis.stop();
      }
    });

    it("accepts a Redis with noeviction", async () => {
      const redis = await startThrowawayRedis({ maxmemoryPolicy: "noeviction" });
      const queue = createBullMqQueue({ redisUrl: redis.url, prefix: nextPrefix() });
      try {
        await expect(queue.assertReady()).resolves.toBeUndefined();
      } finally {
        await queue.close();
        await redis.stop();
      }
    });

    it("keeps workers processing after Redis restarts, without restarting the worker", async () => {
      let redis = await startThrowawayRedis();
      const port = redis.port;
      const logger = recordingLogger();
      const queue: BullMqJobQueue = createBullMqQueue({ redisUrl: redis.url, prefix: nextPrefix(), logger });
      const processed: unknown[] = [];
      try {
        await queue.startWorker("webhooks", async (job) => {
          processed.push(job.data);
        });
        await queue.enqueue("webhooks", "before", { n: 1 });
        await waitFor(() => processed.length === 1, { what: "the job before the restart" });

        await redis.stop();
        const outageStartedAt = Date.now();
        await expect(queue.enqueue("webhooks", "during", { n: 2 })).rejects.toThrow(QueueUnavailableError);
        expect(Date.now() - outageStartedAt).toBeLessThan(1000);
        redis = await startThrowawayRedis({ port });

        // The producer reconnects by itself; the first enqueues may still see the old socket.
        await waitFor(() => queue.enqueue("webhooks", "after", { n: 3 }).then(() => true, () => false), {
          timeoutMs: 8000,
          intervalMs: 100,
          what: "the producer to reconnect",
        });
        await waitFor(() => processed.length === 2, { timeoutMs: 8000, what: "the job after the restart" });
        expect(processed).toEqual([{ n: 1 }, { n: 3 }]);
      } finally {
        await queue.close();
        await redis.stop();
      }
    }, 30_000);
  });
});
