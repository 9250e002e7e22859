import { randomBytes } from "node:crypto";
import type { Clock } from "../../domain/ports.ts";
import { createSessionStorage } from "../../infrastructure/auth/session.ts";
import { parseEnv, type Env } from "../../infrastructure/config/env.ts";
import { silentLogger } from "../../infrastructure/logging/logger.ts";
import { createQueueRuntime } from "../../infrastructure/queue/index.ts";
import { systemClock } from "../../server/services.ts";
import type { Services } from "../../application/services.ts";
import { TEST_REDIS_URL } from "./config.ts";
import type { TestDatabase } from "./database.ts";

/**
 * Services wired to a test database, with either the in-process queue or BullMQ on the real Redis under a key
 * prefix of the test's own. Tests that call routes reading "the last N days" pass `clock: fixedClock(...)` (the
 * `now` their data was generated for), so the outcome does not depend on the day the suite runs.
 */
export async function createTestServices(
  database: TestDatabase,
  options: { queue?: "in-process" | "bullmq"; env?: Record<string, string>; clock?: Clock } = {},
): Promise<{ services: Services; close(): Promise<void> }> {
  const useRedis = options.queue === "bullmq";
  const prefix = `sentinel-test-${randomBytes(4).toString("hex")}`;
  const env: Env = parseEnv({
    NODE_ENV: "test",
    DATABASE_URL: database.url,
    ...(useRedis ? { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix } : {}),
    ...options.env,
  });
  const runtime = createQueueRuntime({ redisUrl: env.REDIS_URL, prefix, logger: silentLogger });
  await runtime.assertReady();
  const services: Services = {
    env,
    logger: silentLogger,
    role: "all",
    database,
    db: database.db,
    queue: runtime.queue,
    lock: runtime.lock,
    sessionStorage: createSessionStorage(env),
    clock: options.clock ?? systemClock,
    startedAt: new Date(),
  };
  return { services, close: () => runtime.close() };
}
