import fs from "node:fs";
import type { AddressInfo } from "node:net";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlertJobs } from "../jobs/alerts.ts";
import { createJobRouter } from "../jobs/router.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { captureLogger } from "../tests/support/logs.ts";
import { createTestServices } from "../tests/support/services.ts";
import { DELIVER_ALERT_JOB, enqueueAlertDeliveries } from "../application/alerts/enqueue.ts";
import { recordAlert } from "../application/alerts/record-alert.ts";
import { parseEnv } from "../infrastructure/config/env.ts";
import { MIGRATIONS_FOLDER } from "../infrastructure/db/migrate.ts";
import { startFakeChannels, type FakeChannels } from "../tests/fakes/channels.ts";
import { createNotifier } from "../infrastructure/notify/notifier.ts";
import { createBullMqQueue } from "../infrastructure/queue/bullmq-queue.ts";
import { startThrowawayRedis, waitFor, type ThrowawayRedis } from "../tests/support/queue.ts";
import { createExpressApp, loadRemixBuild } from "./http-server.ts";
import type { Services } from "../application/services.ts";
import { checkReadiness } from "./observability-endpoints.ts";

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

  it("/metrics counts job runs and durations per queue and outcome, and notification deliveries by channel and outcome", async () => {
    const fakes: FakeChannels = await startFakeChannels();
    try {
      const notifier = createNotifier({ slackApiUrl: fakes.slackApiUrl, slackBotToken: "xoxb-test", pagerDutyEventsUrl: fakes.pagerDutyEventsUrl, timeoutMs: 2_000 });
      const jobs = createAlertJobs({ db: services.db, queue: services.queue, logger: services.logger, env: services.env, notifier });
      await services.queue.startWorker("notifications", createJobRouter("notifications", jobs.notifications));
      // One delivery that succeeds (Slack, the local fake) ...
      const sql = database.sql;
      const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('metrics-org', 'Metrics') returning id`;
      const [repo] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name, source) values (${org!.id}, 'acme/metrics', 'local') returning id`;
      await sql`insert into notification_channels (org_id, kind, name, config) values (${org!.id}, 'slack', 'slack', ${JSON.stringify({ channelId: "C0METRICS1" })}::jsonb)`;
      const recorded = await recordAlert(
        services.db,
        org!.id,
        { rule: "ai_code_critical", severity: "critical", repoId: repo!.id, title: "AI-written critical code", message: "95 %", details: {} },
        new Date(),
      );
      if (!recorded.created) throw new Error("fixture alert was deduplicated");
      await enqueueAlertDeliveries(services.queue, recorded.alertId, recorded.channelIds);
      // ... and one job that fails: data no handler can accept.
      await services.queue.enqueue("notifications", DELIVER_ALERT_JOB, { alertId: 42 }, { jobId: "metrics-broken-delivery", attempts: 1 });
      await waitFor(
        async () => {
          const counts = await services.queue.counts("notifications");
          return counts.completed >= 1 && counts.failed >= 1;
        },
        { timeoutMs: 15_000, what: "one delivery to complete and one job to fail" },
      );
    } finally {
      await fakes.close();
    }
    const text = await (await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(text).toMatch(/^sentinel_jobs_total\{job="deliver-alert",outcome="completed",queue="notifications"\} 1$/m);
    expect(text).toMatch(/^sentinel_jobs_total\{job="deliver-alert",outcome="failed",queue="notifications"\} 1$/m);
    expect(text).toMatch(/^sentinel_job_duration_seconds_count\{job="deliver-alert",outcome="completed",queue="notifications"\} 1$/m);
    expect(text).toMatch(/^sentinel_job_duration_seconds_bucket\{job="deliver-alert",outcome="failed",queue="notifications",le="\+Inf"\} 1$/m);
    expect(text).toMatch(/^sentinel_notification_deliveries\{channel="slack",status="sent"\} 1$/m);
    expect(text).toMatch(/^sentinel_queue_jobs\{queue="notifications",state="failed"\} 1$/m);
  });

  it("log lines written while a request is handled carry its request id, not only the access-log line", async () => {
    const capture = captureLogger();
    const logged = await serve({ ...services, logger: capture.logger });
    let generatedId = "";
    try {
      // No webhook secret is configured here, so the webhook intake refuses the delivery and says so in the log.
      const offered = await fetch(`${logged.url}/api/webhooks/github`, { method: "POST", headers: { "x-request-id": "proxy-id-0001" }, body: "{}" });
      expect(offered.status).toBe(401);
      expect(offered.headers.get("x-request-id")).toBe("proxy-id-0001");
      const generated = await fetch(`${logged.url}/api/webhooks/github`, { method: "POST", headers: { "x-request-id": `spoofed "id" ${"x".repeat(200)}` }, body: "{}" });
      generatedId = generated.headers.get("x-request-id")!;
      expect(generatedId).toMatch(/^[0-9a-f-]{36}$/);
      await waitFor(() => capture.lines().filter((line) => line.msg === "request").length === 2, { what: "the access-log lines" });
    } finally {
      await logged.close();
    }
    const refusals = capture.lines().filter((line) => String(line.msg).startsWith("webhook refused: no webhook secret"));
    expect(refusals.map((line) => line.requestId)).toEqual(["proxy-id-0001", generatedId]);
    expect(capture.lines().filter((line) => line.msg === "request").map((line) => line.requestId)).toEqual(["proxy-id-0001", generatedId]);
  });

  it("/metrics is off (404) when no token is configured", async () => {
    const open = await serve({ ...services, env: parseEnv({ DATABASE_URL: database.url }) });
    expect((await fetch(`${open.url}/metrics`)).status).toBe(404);
    await open.close();
  });

  describe("with a database one migration behind", () => {
    let behind: TestDatabase;
    const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: { tag: string; when: number }[] };
    const newest = journal.entries.at(-1)!;
    beforeAll(async () => {
      behind = await createTestDatabase();
      // What a database migrated by the previous release looks like to drizzle's migrator: no row for the newest entry.
      await behind.sql`delete from drizzle.__drizzle_migrations where created_at = ${newest.when}`;
    });
    afterAll(async () => {
      await behind.drop();
    });

    it("/readyz answers 503 and names the pending migration", async () => {
      const lagging = await serve({ ...services, database: behind, db: behind.db });
      try {
        const response = await fetch(`${lagging.url}/readyz`);
        expect(response.status).toBe(503);
        expect(await response.json()).toMatchObject({
          ready: false,
          checks: {
            database: { ready: true },
            migrations: { ready: false, detail: `1 migration(s) pending (${newest.tag}): run sentinel migrate` },
            queue: { ready: true },
          },
        });
      } finally {
        await lagging.close();
      }
    });

    it("an older row missing is not pending: readiness follows drizzle's rule, so `sentinel migrate` would clear it", async () => {
      const gap = await createTestDatabase();
      try {
        await gap.sql`delete from drizzle.__drizzle_migrations where created_at = ${journal.entries[1]!.when}`;
        const report = await checkReadiness({ database: gap, queue: services.queue });
        expect(report.checks.migrations).toEqual({ ready: true, detail: "all migrations applied" });
      } finally {
        await gap.drop();
      }
    });
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
