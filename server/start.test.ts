import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_REDIS_URL } from "../tests/support/config.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { startWorkerProcess } from "../tests/support/worker-process.ts";
import { createBullMqQueue } from "../infrastructure/queue/bullmq-queue.ts";
import { freePort, startThrowawayRedis, waitFor, type ThrowawayRedis } from "../tests/support/queue.ts";

const TSX = "node_modules/.bin/tsx";

function startProcess(entry: string, env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn("node", [TSX, entry], { env: { ...process.env, ...env } });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function waitForOutput(output: () => string, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = output().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("process entry points", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it("npm start on PostgreSQL and Redis serves /healthz, and SIGTERM drains and exits 0", async () => {
    const { child, output } = startProcess("server/start-all.ts", {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: `sentinel-test-start-${process.pid}`,
      PORT: "0",
      SENTINEL_DEMO_DATA: "off",
      LOG_LEVEL: "info",
      NODE_ENV: "development",
    });
    try {
      const [, url] = await waitForOutput(output, /Sentinel is running at (http:\/\/[^\s"]+)/);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: "ok",
        checks: { database: { state: "up", kind: "PostgreSQL" }, queue: { state: "up", kind: "BullMQ on Redis" } },
      });
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code).toBe(0);
      expect(output()).toContain("shutting down: finishing active work");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("a worker stopped with SIGTERM while still starting (waiting for Redis) finishes starting, drains and exits 0", async () => {
    // Found by the chaos run: an orchestrator stopping a worker it had just restarted killed it by the signal, since
    // the handler was installed only once start-up was over.
    const port = await freePort();
    const worker = startWorkerProcess({ DATABASE_URL: database.url, REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: `sentinel-test-early-term-${process.pid}` });
    let redis: ThrowawayRedis | undefined;
    try {
      await waitForOutput(worker.output, /Redis connection error/);
      worker.child.kill("SIGTERM");
      await waitForOutput(worker.output, /signal during start-up/);
      redis = await startThrowawayRedis({ port });
      const [code, signal] = (await once(worker.child, "exit")) as [number | null, NodeJS.Signals | null];
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(worker.output()).toContain("shutting down: finishing active work");
    } finally {
      if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
      await redis?.stop();
    }
  });

  it("start:worker with WORKER_METRICS_PORT serves /healthz and the job series it records on /metrics, behind METRICS_TOKEN", async () => {
    const prefix = `sentinel-test-worker-metrics-${process.pid}`;
    const token = "worker-scrape-token-0123456789";
    const worker = startWorkerProcess({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, WORKER_METRICS_PORT: "0", METRICS_TOKEN: token });
    const producer = createBullMqQueue({ redisUrl: TEST_REDIS_URL, prefix });
    try {
      await worker.running();
      const [, url] = await waitForOutput(worker.output, /worker metrics listener at (http:\/\/[^\s"]+)/);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", checks: { database: { state: "up" }, queue: { state: "up" } } });
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      // A job the worker must fail (no handler accepts its data), run by that process and only visible there.
      await producer.enqueue("notifications", "deliver-alert", { alertId: 42 }, { jobId: "worker-metrics-broken", attempts: 1 });
      const scrape = async () => (await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).text();
      const text = await waitFor(async () => {
        const body = await scrape();
        return body.includes('sentinel_jobs_total{job="deliver-alert",outcome="failed",queue="notifications"} 1') ? body : null;
      }, { timeoutMs: 15_000, what: "the worker's failed-job series" });
      expect(text).toMatch(/^sentinel_job_duration_seconds_count\{job="deliver-alert",outcome="failed",queue="notifications"\} 1$/m);
      expect(text).toContain('sentinel_queue_jobs{queue="notifications",state="failed"} 1');
      await worker.stop();
      expect(worker.child.exitCode).toBe(0);
    } finally {
      await producer.close();
      await worker.stop(2_000);
    }
  });

  it("start:web refuses to run on the embedded database, saying why", async () => {
    const { child, output } = startProcess("server/start-web.ts", {
      DATABASE_URL: "",
      REDIS_URL: "",
      SENTINEL_DATA_DIR: "/tmp/sentinel-never-created",
      LOG_LEVEL: "info",
    });
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(1);
    expect(output()).toContain("needs DATABASE_URL");
  });

  it("a bad setting stops the process with a message naming the variable", async () => {
    const { child, output } = startProcess("server/start-all.ts", { PORT: "not-a-port" });
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(1);
    expect(output()).toMatch(/Invalid configuration:\s+- PORT /);
  });
});
