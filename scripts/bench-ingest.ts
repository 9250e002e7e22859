/**
 * `npm run bench:ingest`: the ingestion goals of issue 4, measured on loopback against the real PostgreSQL and Redis
 * and a local GitHub fake. Prints:
 *   1. signed deliveries acknowledged per second (closed loop, keep-alive), and p50/p99 at a steady 1,000/s;
 *   2. pushes of 20 commits → attribution rows, commits per second end to end;
 *   3. `sentinel import` of a generated 5,000-commit repository.
 * The webhook server runs in a child process (this script with --serve) so the load generator does not share its
 * event loop. Everything it creates (a database, a Redis key prefix, a temp repository) is removed at the end.
 *
 * Options: --ack-requests N (default 10000), --rate-seconds N (default 5), --pushes N (default 10), --commits N (default 5000)
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { eq, sql } from "drizzle-orm";
import express from "express";
import { Redis } from "ioredis";
import postgres from "postgres";
import { startWorkers } from "../jobs/workers.ts";
import { createSessionStorage } from "../infrastructure/auth/session.ts";
import { parseEnv } from "../infrastructure/config/env.ts";
import { connectPostgres } from "../infrastructure/db/client.ts";
import { migrateDatabase } from "../infrastructure/db/migrate.ts";
import { commits, repositories } from "../infrastructure/db/schema/index.ts";
import { loadCorpusCommits } from "../infrastructure/github/corpus-fixture.ts";
import { startTestGitHub } from "../infrastructure/github/test-github.ts";
import { installationPayload, pushPayload, signDelivery } from "../infrastructure/github/webhook-fixtures.ts";
import { silentLogger } from "../infrastructure/logging/logger.ts";
import { createQueueRuntime } from "../infrastructure/queue/index.ts";
import { deleteKeys } from "../infrastructure/queue/test-support.ts";
import type { Services } from "../infrastructure/runtime/services.ts";

const { values } = parseArgs({
  options: {
    serve: { type: "boolean", default: false },
    "database-url": { type: "string" },
    prefix: { type: "string" },
    "ack-requests": { type: "string", default: "10000" },
    "rate-seconds": { type: "string", default: "5" },
    pushes: { type: "string", default: "10" },
    commits: { type: "string", default: "5000" },
  },
});

const POSTGRES = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const SECRET = "bench-secret";

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function createServices(databaseUrl: string, prefix: string): Promise<{ services: Services; close(): Promise<void> }> {
  const env = parseEnv({ NODE_ENV: "test", DATABASE_URL: databaseUrl, REDIS_URL: REDIS, REDIS_PREFIX: prefix, GITHUB_WEBHOOK_SECRET: SECRET, GITHUB_BACKFILL_DAYS: "0" });
  const database = connectPostgres(databaseUrl, { applicationName: "sentinel-bench", max: 10 });
  const runtime = createQueueRuntime({ redisUrl: REDIS, prefix, logger: silentLogger });
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
    startedAt: new Date(),
  };
  return {
    services,
    async close() {
      await runtime.close();
      await database.close();
    },
  };
}

/** A Remix build holding just the webhook route: the real route module behind the real express adapter. */
async function webhookOnlyBuild(): Promise<ServerBuild> {
  const route = await import("../app/routes/api.webhooks.github.ts");
  return {
    mode: "production",
    entry: { module: { default: () => new Response("not found", { status: 404 }) } },
    routes: {
      root: { id: "root", path: "", module: { default: () => null } },
      "routes/api.webhooks.github": { id: "routes/api.webhooks.github", parentId: "root", path: "api/webhooks/github", module: route },
    },
    assets: { entry: { imports: [], module: "" }, routes: {}, url: "", version: "bench" },
    publicPath: "/build/",
    assetsBuildDirectory: "public/build",
    future: {},
    isSpaMode: false,
    basename: undefined,
  } as unknown as ServerBuild;
}

async function serve(): Promise<void> {
  const { services } = await createServices(values["database-url"]!, values.prefix!);
  const app = express();
  app.all("*", createRequestHandler({ build: await webhookOnlyBuild(), mode: "production", getLoadContext: () => ({ services }) }));
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function postOnce(agent: http.Agent, port: number, delivery: { body: string; headers: Record<string, string> }): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: "127.0.0.1", port, path: "/api/webhooks/github", method: "POST", agent, headers: { ...delivery.headers, "content-length": Buffer.byteLength(delivery.body) } },
      (response) => {
        response.resume();
        response.on("end", () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    request.on("error", reject);
    request.end(delivery.body);
  });
}

function deliveries(count: number): Array<{ body: string; headers: Record<string, string> }> {
  const [record] = loadCorpusCommits(1);
  const payload = pushPayload({ installationId: 1, owner: { id: 1, login: "bench" }, repo: { id: 1, full_name: "bench/app" }, records: [record!] });
  const body = JSON.stringify(payload);
  return Array.from({ length: count }, () => signDelivery(SECRET, "push", body, randomUUID()));
}

async function benchAcknowledgements(databaseUrl: string, prefix: string): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve(import.meta.dirname, "bench-ingest.ts"), "--serve", "--database-url", databaseUrl, "--prefix", prefix], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim())));
      child.once("exit", (code) => reject(new Error(`webhook server exited with ${code}`)));
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    await Promise.all(deliveries(500).map((delivery) => postOnce(agent, port, delivery))); // warm-up

    const total = Number(values["ack-requests"]);
    const batch = deliveries(total);
    let next = 0;
    const statuses = new Map<number, number>();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < batch.length) {
          const { status } = await postOnce(agent, port, batch[next++]!);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`acknowledged:   ${Math.round(total / seconds).toLocaleString("en-US")} signed deliveries/s (${total.toLocaleString("en-US")} pushes, 64 keep-alive connections; statuses ${JSON.stringify(Object.fromEntries(statuses))})`);

    // Open loop at a steady 1,000/s: latency includes any queueing the server causes.
    const rateSeconds = Number(values["rate-seconds"]);
    const steady = deliveries(1000 * rateSeconds);
    const latencies: number[] = [];
    const errors = new Map<number, number>();
    const begin = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let index = 0; index < steady.length; index += 1) {
      const due = begin + index;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(
        postOnce(agent, port, steady[index]!).then(({ status, ms }) => {
          latencies.push(ms);
          if (status !== 202) errors.set(status, (errors.get(status) ?? 0) + 1);
        }),
      );
    }
    await Promise.all(inFlight);
    const achieved = steady.length / ((performance.now() - begin) / 1000);
    latencies.sort((a, b) => a - b);
    console.log(
      `at 1,000/s:     p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms ` +
        `(${steady.length.toLocaleString("en-US")} requests over ${rateSeconds} s, achieved ${Math.round(achieved)}/s, non-202: ${JSON.stringify(Object.fromEntries(errors))})`,
    );
    agent.destroy();
  } finally {
    child.kill("SIGTERM");
  }
}

async function benchPushes(databaseUrl: string, prefix: string): Promise<void> {
  const { services, close } = await createServices(databaseUrl, `${prefix}-push`);
  const { fake, api } = await startTestGitHub();
  try {
    await startWorkers(services, { github: api });
    const owner = { id: 4200, login: "bench-push" };
    const repo = { id: 4201, full_name: "bench-push/app", default_branch: "main" };
    const { handleGitHubWebhook } = await import("../infrastructure/ingest/github-webhook.server.ts");
    const { webhookRequest } = await import("../infrastructure/github/webhook-fixtures.ts");
    const install = signDelivery(SECRET, "installation", installationPayload("created", 4200, owner, [repo]));
    await handleGitHubWebhook(webhookRequest(install), services);
    let row: { id: string } | undefined;
    for (const deadline = Date.now() + 30_000; !row && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
      [row] = await services.db.select({ id: repositories.id }).from(repositories).where(eq(repositories.githubId, repo.id));
    }
    if (!row) throw new Error("the installation delivery was not processed within 30 s");

    const pushes = Number(values.pushes);
    const corpus = loadCorpusCommits();
    const records = corpus.slice(0, pushes * 20);
    fake.addCommits(records);
    const started = performance.now();
    for (let index = 0; index < pushes; index += 1) {
      const response = await handleGitHubWebhook(
        webhookRequest(signDelivery(SECRET, "push", pushPayload({ installationId: 4200, owner, repo, records: records.slice(index * 20, index * 20 + 20) }))),
        services,
      );
      if (response.status !== 202) throw new Error(`push answered ${response.status}`);
    }
    const deadline = Date.now() + 120_000;
    for (;;) {
      const [counts] = await services.db
        .select({ done: sql<number>`count(*) filter (where ${commits.analysisStatus} <> 'pending')::int` })
        .from(commits)
        .where(eq(commits.repoId, row!.id));
      if (counts!.done >= records.length) break;
      if (Date.now() > deadline) throw new Error(`only ${counts!.done} of ${records.length} commits analysed after 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const [attribution] = await services.database.sql<{ n: number }[]>`select count(*)::int as n from code_attribution where repo_id = ${row!.id}`;
    console.log(
      `push → rows:    ${Math.round(records.length / seconds)} commits/s end to end (${pushes} pushes × 20 commits, ${attribution!.n} attribution rows, ` +
        `${seconds.toFixed(2)} s; BullMQ, local GitHub fake)`,
    );
  } finally {
    await close();
    await fake.close();
  }
}

function generateRepository(count: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), "sentinel-bench-repo-"));
  execFileSync("git", ["init", "-q", "-b", "main", dir]);
  const lines: string[] = [];
  const start = Date.parse("2025-01-01T00:00:00Z") / 1000;
  for (let index = 1; index <= count; index += 1) {
    const file = `src/module${index % 200}.ts`;
    const content = Array.from({ length: 12 }, (_, line) => `export const value${index}_${line} = ${index * line};`).join("\n") + "\n";
    const message = index % 3 === 0 ? `Change ${index}\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n` : `Change ${index}\n`;
    const when = start + index * 600;
    lines.push(
      "commit refs/heads/main",
      `mark :${index}`,
      `author Dev ${index % 7} <dev${index % 7}@example.com> ${when} +0200`,
      `committer Dev ${index % 7} <dev${index % 7}@example.com> ${when} +0200`,
      `data ${Buffer.byteLength(message)}`,
      message,
      ...(index > 1 ? [`from :${index - 1}`] : []),
      `M 644 inline ${file}`,
      `data ${Buffer.byteLength(content)}`,
      content,
    );
  }
  const result = spawnSync("git", ["-C", dir, "fast-import", "--quiet"], { input: lines.join("\n") + "\n" });
  if (result.status !== 0) throw new Error(`git fast-import failed: ${result.stderr}`);
  execFileSync("git", ["-C", dir, "reset", "-q", "--hard", "main"]);
  return dir;
}

async function benchImport(databaseUrl: string): Promise<void> {
  const count = Number(values.commits);
  const dir = generateRepository(count);
  try {
    const cli = path.resolve(import.meta.dirname, "../bin/sentinel.js");
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" };
    delete env.REDIS_URL;
    for (const run of ["first", "second"]) {
      const started = performance.now();
      const output = execFileSync(process.execPath, [cli, "import", dir, "--repo", "bench/history", "--org", "bench-import"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      const seconds = (performance.now() - started) / 1000;
      console.log(`import (${run}): ${seconds.toFixed(1)} s for ${count.toLocaleString("en-US")} commits — ${output.trim()}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (values.serve) return serve();
  const suffix = randomBytes(4).toString("hex");
  const prefix = `sentinel-bench-${suffix}`;
  const admin = postgres(POSTGRES, { max: 1, onnotice: () => {} });
  // One database per part: the acknowledgement run leaves thousands of queued deliveries that a worker start
  // would otherwise re-queue into the push measurement.
  const names = ["ack", "push", "import"].map((part) => `sentinel_bench_${suffix}_${part}`);
  const urls: string[] = [];
  for (const name of names) {
    await admin.unsafe(`create database ${name}`);
    urls.push(withDatabase(POSTGRES, name));
    await migrateDatabase(urls.at(-1)!);
  }
  const load = loadavg().map((value) => value.toFixed(1)).join(" ");
  console.log(`Sentinel ingestion benchmark — ${new Date().toISOString()}, node ${process.version}, ${cpus().length} cores, load average ${load}, loopback only`);
  try {
    await benchAcknowledgements(urls[0]!, prefix);
    await benchPushes(urls[1]!, prefix);
    await benchImport(urls[2]!);
    console.log(`load average at the end: ${loadavg().map((value) => value.toFixed(1)).join(" ")} (other processes on the machine share its 2 cores)`);
  } finally {
    for (const name of names) await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    const redis = new Redis(REDIS);
    await deleteKeys(redis, `${prefix}*`);
    redis.disconnect();
  }
}

await main();
if (!values.serve) process.exit(0);
