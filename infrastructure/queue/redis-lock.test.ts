import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockContract } from "../../tests/contracts/lock-contract.ts";
import { createRedisLock } from "./redis-lock.ts";
import { deleteKeys } from "../../tests/support/queue.ts";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const filePrefix = `sentinel-test-lock-${randomUUID().slice(0, 8)}`;
// Fail fast like production's lock connection; with no offline queue it must be connected before use.
const redis = new Redis(redisUrl, { enableOfflineQueue: false, lazyConnect: true });
let instance = 0;

beforeAll(async () => {
  await redis.connect();
});

afterAll(async () => {
  await deleteKeys(redis, `${filePrefix}-*`);
  await redis.quit();
});

// Each lock instance gets its own key prefix, so tests that reuse key names do not collide.
lockContract("redis", () => createRedisLock(redis, { prefix: `${filePrefix}-${++instance}` }));

describe("redis lock", () => {
  it("stores the token under the prefixed key with a PX expiry", async () => {
    const prefix = `${filePrefix}-${++instance}`;
    const held = await createRedisLock(redis, { prefix }).acquire("repo-9", 10_000);
    expect(await redis.get(`${prefix}:repo-9`)).toBe(held!.token);
    const ttl = await redis.pttl(`${prefix}:repo-9`);
    expect(ttl).toBeGreaterThan(9_000);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });
});
