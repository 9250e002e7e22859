import type { AddressInfo } from "node:net";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { parseEnv } from "../config/env.ts";
import { createBullMqQueue } from "../queue/bullmq-queue.ts";
import { startThrowawayRedis, type ThrowawayRedis } from "../queue/test-support.ts";
import { createExpressApp, loadRemixBuild } from "../runtime/http-server.ts";
import type { Services } from "../runtime/services.ts";
import { checkReadiness } from "./endpoints.ts";

const TOKEN = "scrape-token-0123456789";

async function serve(services: Services): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(createExpressApp(services, await loadRemixBuild()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("operator endpoints", () => {
  let database: TestDatabase;
  let services: Services;
  let closeServices: () => Promise<void>;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    database = await createTestDatabase();
    const created = await createTestServices(database, { queue: "bullmq", env: { METRICS_TOKEN: TOKEN } });
    services = created.services;
    closeServices = created.close;
    server = await serve(services);
  });
  afterAll(async () => {
    await server.close();
    await closeServices();
    await database.drop();
  });

  it("/readyz checks the database, the migrations and Redis' eviction policy", async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ready: true,
      checks: {
        database: { ready: true, detail: "PostgreSQL answers" },
        migrations: { ready: true, detail: "all migrations applied" },
        queue: { ready: true, detail: "Redis answers with maxmemory-policy noeviction" },
      },
    });
  });

  it("/metrics needs the bearer token and then exposes queue depth, job and HTTP series", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { Authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    await fetch(`${server.url}/healthz`);
    const response = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('sentinel_queue_jobs{queue="analysis",state="waiting"} 0');
    expect(text).toMatch(/sentinel_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="2xx"\} \d+/);
    expect(text).toContain("# TYPE sentinel_webhook_deliveries gauge");
  });

  it("/metrics is off (404) when no token is configured", async () => {
    const open = await serve({ ...services, env: parseEnv({ DATABASE_URL: database.url }) });
    expect((await fetch(`${open.url}/metrics`)).status).toBe(404);
    await open.close();
  });

  describe("with a Redis that evicts keys", () => {
    let redis: ThrowawayRedis;
    beforeAll(async () => {
      redis = await startThrowawayRedis({ maxmemoryPolicy: "allkeys-lru" });
    });
    afterAll(async () => {
      await redis.stop();
    });

    it("is not ready, and says why", async () => {
      const queue = createBullMqQueue({ redisUrl: redis.url, prefix: "sentinel-test-readyz" });
      const report = await checkReadiness({ database, queue });
      await queue.close();
      expect(report.ready).toBe(false);
      expect(report.checks.queue).toEqual({ ready: false, detail: "Redis maxmemory-policy is allkeys-lru; it must be noeviction" });
    });
  });
});
