import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createBullMqQueue } from "../infrastructure/queue/bullmq-queue.ts";
import type { QueueLogger } from "../infrastructure/queue/logger.ts";
import { startThrowawayRedis, type ThrowawayRedis } from "../tests/support/queue.ts";
import { registerSchedulesWhenReachable, SCHEDULES } from "./schedules.ts";

/**
 * Found by the chaos run: Redis restarting between "workers started" and "schedules registered" made the worker exit.
 * Registering the schedules must wait out the outage in the background instead.
 */

function recordingLogger(): QueueLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (_fields, message) => void warnings.push(message), error: () => undefined };
}

let redis: ThrowawayRedis | undefined;
const closers: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  await redis?.stop();
  redis = undefined;
});

async function storedSchedulerIds(url: string, prefix: string): Promise<string[]> {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue("scheduled-jobs", { connection, prefix });
  try {
    return (await queue.getJobSchedulers()).map((scheduler) => scheduler.key).sort();
  } finally {
    await queue.close();
    await connection.quit();
  }
}

describe("registering the schedules at worker start", () => {
  it("with Redis down, start-up carries on and the schedules are registered once Redis is back", async () => {
    redis = await startThrowawayRedis();
    const prefix = `sched-${randomBytes(3).toString("hex")}`;
    const queue = createBullMqQueue({ redisUrl: redis.url, prefix, startupTimeoutMs: 5_000 });
    closers.push(() => queue.close());
    await queue.assertReady();
    const logger = recordingLogger();

    await redis.stop();
    const { registered } = await registerSchedulesWhenReachable(queue, logger, { minRetryMs: 200 });
    expect(logger.warnings.join("\n")).toMatch(/could not register the schedules at start/);

    redis = await startThrowawayRedis({ port: redis.port });
    await expect(registered).resolves.toBe(true);
    const expected = SCHEDULES.filter((schedule) => schedule.job.queue === "scheduled-jobs").map((schedule) => schedule.id).sort();
    expect(await storedSchedulerIds(redis.url, prefix)).toEqual(expected);
  }, 60_000);

  it("a queue closed while Redis is down stops the retries instead of retrying forever", async () => {
    redis = await startThrowawayRedis();
    const queue = createBullMqQueue({ redisUrl: redis.url, prefix: `sched-${randomBytes(3).toString("hex")}`, startupTimeoutMs: 5_000 });
    await queue.assertReady();
    await redis.stop();
    const { registered } = await registerSchedulesWhenReachable(queue, recordingLogger(), { minRetryMs: 200 });
    await queue.close();
    await expect(registered).resolves.toBe(false);
  }, 60_000);
});
