import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBullMqQueue } from "./bullmq-queue.ts";
import { deleteKeys, waitFor } from "../../tests/support/queue.ts";

/**
 * Catalogue row 30: 100,000 completed jobs leave Redis memory bounded. Sentinel runs for months; without retention
 * every finished job would stay a hash in Redis (which keeps everything in memory, and must not evict: noeviction).
 */

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `sentinel-test-memory-${randomUUID().slice(0, 8)}`;
const JOBS = 100_000;

let admin: Redis;
beforeAll(() => {
  admin = new Redis(redisUrl);
});
afterAll(async () => {
  await deleteKeys(admin, `${prefix}*`);
  await admin.quit();
});

/** Bytes Redis holds for every key under the prefix (MEMORY USAGE, sampled exactly for small keys). */
async function footprint(): Promise<{ keys: number; bytes: number }> {
  let cursor = "0";
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await admin.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    const pipeline = admin.pipeline();
    for (const key of batch) pipeline.memory("USAGE", key);
    for (const [, size] of (await pipeline.exec()) ?? []) bytes += Number(size ?? 0);
    keys += batch.length;
  } while (cursor !== "0");
  return { keys, bytes };
}

describe("Redis memory under a long run (catalogue row 30)", () => {
  it("100,000 completed jobs: at most 1,000 are kept and the queue's keys stay small", async () => {
    const queue = createBullMqQueue({ redisUrl, prefix });
    try {
      let done = 0;
      await queue.startWorker(
        "analysis",
        async () => {
          done += 1;
        },
        { concurrency: 50 },
      );
      // Data the size of a real analysis job, so "bounded" is measured against what 100k jobs would weigh.
      const data = (n: number) => ({ repoId: randomUUID(), sha: n.toString(16).padStart(40, "0") });
      for (let start = 0; start < JOBS; start += 1000) {
        await queue.enqueueBulk(
          "analysis",
          Array.from({ length: 1000 }, (_, offset) => ({ name: "analyze-commit", data: data(start + offset), options: { jobId: `memory-${start + offset}` } })),
        );
      }
      await waitFor(() => done >= JOBS, { timeoutMs: 240_000, intervalMs: 250, what: `${JOBS} jobs to complete` });
      await waitFor(async () => (await queue.counts("analysis")).completed <= 1000, { timeoutMs: 10_000, what: "retention to trim completed jobs" });

      const counts = await queue.counts("analysis");
      const { keys, bytes } = await footprint();
      expect(done).toBe(JOBS);
      expect(counts).toMatchObject({ waiting: 0, active: 0, failed: 0 });
      expect(counts.completed).toBeLessThanOrEqual(1000);
      // 1,000 kept job hashes plus the queue's own structures; 100,000 kept jobs would be ~100 times more keys.
      expect(keys).toBeLessThan(1100);
      // Each kept job weighs well under 1 KB here; all 100,000 would be tens of megabytes.
      expect(bytes).toBeLessThan(3 * 1024 * 1024);
    } finally {
      await queue.close();
    }
  }, 300_000);
});
