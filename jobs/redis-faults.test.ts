import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionStorage } from "../infrastructure/auth/session.ts";
import { parseEnv } from "../infrastructure/config/env.ts";
import { codeEvents, webhookDeliveries } from "../infrastructure/db/schema/index.ts";
import { loadCorpusCommits } from "../tests/fixtures/corpus.ts";
import { installationPayload, pushPayload, signDelivery, webhookRequest } from "../tests/fixtures/webhooks.ts";
import { handleGitHubWebhook } from "../app/webhooks/github-webhook.server.ts";
import { silentLogger } from "../infrastructure/logging/logger.ts";
import { createQueueRuntime, type QueueRuntime } from "../infrastructure/queue/index.ts";
import { startThrowawayRedis, waitFor, type ThrowawayRedis } from "../tests/support/queue.ts";
import { systemClock } from "../server/services.ts";
import type { Services } from "../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { startRecordingWorkers } from "../tests/support/recording-workers.ts";

/**
 * Catalogue rows 12 and 15 on a Redis of the test's own: killed during a POST (503 within a second, the delivery is
 * not lost) and restarted (the same workers resume, no process restart).
 */

const SECRET = "redis-fault-secret";
const OWNER = { id: 77001, login: "fault-org" };
const REPO = { id: 77002, full_name: "fault-org/svc", default_branch: "main" };

let database: TestDatabase;
let redis: ThrowawayRedis;
let runtime: QueueRuntime;
let services: Services;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = await startThrowawayRedis();
  const env = parseEnv({ NODE_ENV: "test", DATABASE_URL: database.url, REDIS_URL: redis.url, GITHUB_WEBHOOK_SECRET: SECRET });
  runtime = createQueueRuntime({ redisUrl: redis.url, prefix: `fault-${randomBytes(3).toString("hex")}`, logger: silentLogger });
  await runtime.assertReady();
  services = {
    env,
    logger: silentLogger,
    role: "all",
    database,
    db: database.db,
    queue: runtime.queue,
    lock: runtime.lock,
    sessionStorage: createSessionStorage(env),
    clock: systemClock,
    startedAt: new Date(),
  };
});

afterAll(async () => {
  await runtime?.close();
  await redis?.stop();
  await database?.drop();
});

async function status(deliveryId: string) {
  const [row] = await database.db.select({ status: webhookDeliveries.status }).from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
  return row?.status;
}

describe("Redis faults", () => {
  it("row 12 + 15: Redis down during a POST → 503 within 1 s; after a restart the same workers resume and the redelivery is processed", async () => {
    await startRecordingWorkers(services, null, { queues: ["webhooks"] });
    const install = signDelivery(SECRET, "installation", installationPayload("created", 9901, OWNER, [REPO]));
    expect((await handleGitHubWebhook(webhookRequest(install), services)).status).toBe(202);
    await waitFor(async () => (await status(install.deliveryId)) === "processed", { timeoutMs: 10_000, what: "installation processed" });

    await redis.stop();
    const records = loadCorpusCommits(4);
    const push = signDelivery(SECRET, "push", pushPayload({ installationId: 9901, owner: OWNER, repo: REPO, records }));
    const started = performance.now();
    const response = await handleGitHubWebhook(webhookRequest(push), services);
    const elapsed = performance.now() - started;
    expect(response.status).toBe(503);
    expect(elapsed).toBeLessThan(1000);
    // Recorded, not queued: the hourly recovery (or GitHub's redelivery) picks it up; nothing is lost.
    expect(await status(push.deliveryId)).toBe("queued");

    redis = await startThrowawayRedis({ port: redis.port });
    // GitHub (asked by the recovery job) sends the same delivery again.
    await waitFor(
      async () => {
        const again = await handleGitHubWebhook(webhookRequest(push), services);
        return again.status === 200;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: "redelivery accepted after the Redis restart" },
    );
    await waitFor(async () => (await status(push.deliveryId)) === "processed", { timeoutMs: 20_000, what: "push processed by the resumed worker" });
    const events = await database.db.select({ key: codeEvents.eventKey }).from(codeEvents).where(eq(codeEvents.deliveryId, push.deliveryId));
    expect(events).toHaveLength(records.length);

    // And new deliveries keep flowing through the same worker.
    const later = signDelivery(SECRET, "push", pushPayload({ installationId: 9901, owner: OWNER, repo: REPO, records: loadCorpusCommits(6).slice(4) }));
    expect((await handleGitHubWebhook(webhookRequest(later), services)).status).toBe(202);
    await waitFor(async () => (await status(later.deliveryId)) === "processed", { timeoutMs: 10_000, what: "later push processed" });
  }, 60_000);
});
