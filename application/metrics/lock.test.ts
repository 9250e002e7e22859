import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_REDIS_URL } from "../../tests/support/config.ts";
import { RetryLaterError } from "../../infrastructure/queue/index.ts";
import { createRedisLock } from "../../infrastructure/queue/redis-lock.ts";
import { deferred, deleteKeys, sleep } from "../../tests/support/queue.ts";
import { acquireLock, metricsLockKey } from "./lock.ts";

const prefix = `sentinel-test-metrics-lock-${randomUUID().slice(0, 8)}`;
const redis = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false, lazyConnect: true });
const lock = createRedisLock(redis, { prefix });
const repoId = "5f0c6c1e-0000-4000-8000-000000000001";

beforeAll(() => redis.connect());
afterAll(async () => {
  await deleteKeys(redis, `${prefix}:*`);
  await redis.quit();
});

describe("acquireLock(name, repo, period) on Redis", () => {
  it("builds keys from job, repository and period without ':'", () => {
    expect(metricsLockKey("compute-metrics-daily", repoId, "2026-03-03")).toBe(`metrics-compute-metrics-daily-${repoId}-2026-03-03`);
    expect(metricsLockKey("monitor", repoId, "2026-03-03T10:00")).not.toContain(":");
  });

  // Catalogue row 23.
  it("lets exactly one of 10 contenders run; the others are told to retry after the ttl", async () => {
    const gate = deferred();
    let running = 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        acquireLock({ lock }, { name: "row23", repoId, period: "2026-03-03", ttlMs: 5_000 }, async () => {
          running += 1;
          await gate.promise;
          return "ran";
        }),
      ).map((promise, index) => {
        if (index === 9) setTimeout(() => gate.resolve(), 100);
        return promise;
      }),
    );
    const ran = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(running).toBe(1);
    expect(ran).toHaveLength(1);
    expect(refused).toHaveLength(9);
    for (const outcome of refused) {
      expect(outcome.reason).toBeInstanceOf(RetryLaterError);
      expect((outcome.reason as RetryLaterError).delayMs).toBe(5_000);
    }
    // Released afterwards: the next run goes ahead.
    await expect(acquireLock({ lock }, { name: "row23", repoId, period: "2026-03-03" }, async () => "again")).resolves.toMatchObject({ value: "again" });
  });

  // Catalogue row 24.
  it("keeps the lock when someone releases it with a foreign token", async () => {
    const inside = deferred();
    const finish = deferred();
    const holder = acquireLock({ lock }, { name: "row24", repoId, period: "2026-03-03", ttlMs: 5_000 }, async () => {
      inside.resolve();
      await finish.promise;
    });
    await inside.promise;
    const key = metricsLockKey("row24", repoId, "2026-03-03");
    const impostor = lock.adopt(key, randomUUID(), 5_000);
    expect(await impostor.release()).toBe(false);
    expect(await redis.exists(`${prefix}:${key}`)).toBe(1);
    await expect(acquireLock({ lock }, { name: "row24", repoId, period: "2026-03-03" }, async () => "stolen")).rejects.toBeInstanceOf(RetryLaterError);
    finish.resolve();
    await expect(holder).resolves.toMatchObject({ lockLost: false });
    expect(await redis.exists(`${prefix}:${key}`)).toBe(0);
  });

  // Catalogue row 29.
  it("renews a lock held longer than its ttl, so no second worker starts the same work", async () => {
    const contenders: unknown[] = [];
    const outcome = await acquireLock({ lock }, { name: "row29", repoId, period: "2026-03-03", ttlMs: 300 }, async () => {
      for (let i = 0; i < 4; i += 1) {
        await sleep(250);
        contenders.push(
          await acquireLock({ lock }, { name: "row29", repoId, period: "2026-03-03", ttlMs: 300 }, async () => "second").catch((error: unknown) => error),
        );
      }
      return "long";
    });
    expect(outcome).toEqual({ value: "long", lockLost: false });
    expect(contenders).toHaveLength(4);
    for (const contender of contenders) expect(contender).toBeInstanceOf(RetryLaterError);
  });
});
