import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createQueueRuntime, withLock } from "./index.ts";
import { deleteKeys, sleep, startThrowawayRedis, waitFor } from "../../tests/support/queue.ts";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `sentinel-test-runtime-${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  const admin = new Redis(redisUrl);
  await deleteKeys(admin, `${prefix}*`);
  await admin.quit();
});

describe("createQueueRuntime", () => {
  it("uses the in-process queue and memory lock without a Redis URL", async () => {
    const runtime = createQueueRuntime({});
    await runtime.assertReady();
    expect(runtime.queue.kind).toBe("in-process");
    expect((await withLock(runtime.lock, "k", 1000, async () => "done")).ran).toBe(true);
    await runtime.close();
  });

  it("uses BullMQ and the Redis lock with a Redis URL", async () => {
    const runtime = createQueueRuntime({ redisUrl, prefix });
    try {
      await runtime.assertReady();
      expect(runtime.queue.kind).toBe("bullmq");
      const held = await runtime.lock.acquire("daily", 5000);
      expect(held).not.toBeNull();
      expect(await runtime.lock.acquire("daily", 5000)).toBeNull();

      const seen: unknown[] = [];
      await runtime.queue.startWorker("analysis", async (job) => {
        seen.push(job.data);
      });
      await runtime.queue.enqueue("analysis", "x", { ok: true });
      await waitFor(() => seen.length === 1);
      expect(seen).toEqual([{ ok: true }]);
    } finally {
      await runtime.close();
    }
  });

  it("a process starting while Redis restarts waits for it instead of exiting (chaos run: worker started during a Redis restart)", async () => {
    const redis = await startThrowawayRedis();
    const { port } = redis;
    await redis.stop();
    const runtime = createQueueRuntime({ redisUrl: redis.url, prefix });
    let restarted: Awaited<ReturnType<typeof startThrowawayRedis>> | undefined;
    try {
      const ready = runtime.assertReady();
      await sleep(700);
      restarted = await startThrowawayRedis({ port });
      await expect(ready).resolves.toBeUndefined();
      expect(await runtime.lock.acquire("after-restart", 5000)).not.toBeNull();
    } finally {
      await runtime.close();
      await restarted?.stop();
    }
  });

  it("still refuses to start when Redis stays down past the startup timeout", async () => {
    const redis = await startThrowawayRedis();
    await redis.stop();
    const runtime = createQueueRuntime({ redisUrl: redis.url, prefix, startupTimeoutMs: 1_000 });
    try {
      await expect(runtime.assertReady()).rejects.toThrow(/not reachable/);
    } finally {
      await runtime.close();
    }
  });
});
