/**
 * `npm run bench:ingest`: the ingestion goals of issue 4, measured on loopback against the real PostgreSQL and Redis
 * and a local GitHub fake. Prints:
 *   1. signed deliveries acknowledged per second (closed loop, keep-alive), and p50/p99 at a steady 1,000/s;
 *   2. pushes of 20 commits → attribution rows, commits per second end to end;
 *   3. `sentinel import` of a generated 5,000-commit repository.
 * The webhook server is the compiled production web server (`npm run build`) in a child process, so the load
 * generator does not share its event loop. Everything it creates (a database, a Redis key prefix, a temp repository) is removed at the end.
 *
 * Options: --ack-requests N (default 10000), --ack-rounds N (default 5), --rate-seconds N (default 5), --pushes N (default 10),
 *          --warmup-pushes N (default 40), --workers N (default 1), --commits N (default 5000),
 *          --only ack,push,import, --json (report on stdout, lines on stderr), --profile (CPU profiles in bench/profiles/)
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import postgres from "postgres";
import { createSessionStorage } from "../infrastructure/auth/session.ts";
import { parseEnv } from "../infrastructure/config/env.ts";
import { connectPostgres } from "../infrastructure/db/client.ts";
import { migrateDatabase } from "../infrastructure/db/migrate.ts";
import { commits, repositories } from "../infrastructure/db/schema/index.ts";
import { loadCorpusCommits } from "../tests/fixtures/corpus.ts";
import { startFakeGitHub } from "../tests/fakes/github.ts";
import { testPrivateKey } from "../tests/fakes/github-client.ts";
import { installationPayload, pushPayload, signDelivery } from "../tests/fixtures/webhooks.ts";
import { silentLogger } from "../infrastructure/logging/logger.ts";
import { createQueueRuntime } from "../infrastructure/queue/index.ts";
import { deleteKeys } from "../tests/support/queue.ts";
import { signWebhookBody } from "../application/ingestion/webhook-receiver.ts";
import { z } from "zod";
import { parseOptionsOrExit, readArgsOrExit, wholeNumber } from "./harness/options.ts";
import { productionCommand } from "./harness/production-command.ts";
import { systemClock } from "../server/services.ts";
import type { Services } from "../application/services.ts";

const USAGE =
  "npm run bench:ingest -- [--only ack,push,import] [--ack-requests 10000] [--ack-rounds 5] [--rate-seconds 5]\n" +
  "  [--pushes 10] [--warmup-pushes 40] [--workers 1] [--commits 5000] [--json] [--profile]";
/** The corpus served as the GitHub fake's commits holds 2,985; measured and warm-up pushes take 20 each. */
const MAX_PUSHES = 140;
const PARTS = ["ack", "push", "import"] as const;

const args = readArgsOrExit(
  "bench:ingest",
  {
    // The benchmark's own child processes (the floor server, the GitHub fake).
    "serve-floor": { type: "boolean", default: false },
    "serve-github": { type: "boolean", default: false },
    prefix: { type: "string" },
    "ack-requests": { type: "string" },
    "ack-rounds": { type: "string" },
    "rate-seconds": { type: "string" },
    pushes: { type: "string" },
    "warmup-pushes": { type: "string" },
    workers: { type: "string" },
    commits: { type: "string" },
    only: { type: "string" },
    /** Machine-readable: the report as JSON on stdout, the human lines on stderr (npm run bench uses this). */
    json: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
  },
  USAGE,
);
const values = parseOptionsOrExit(
  "bench:ingest",
  z
    .object({
      "serve-floor": z.boolean(),
      "serve-github": z.boolean(),
      prefix: z.string().optional(),
      "ack-requests": wholeNumber(1_000_000).default(10_000),
      "ack-rounds": wholeNumber(50).default(5),
      "rate-seconds": wholeNumber(600).default(5),
      pushes: wholeNumber(MAX_PUSHES).default(10),
      "warmup-pushes": z.coerce.number({ message: "must be a whole number" }).int("must be a whole number").min(0, "must be at least 0").max(MAX_PUSHES, `must be at most ${MAX_PUSHES}`).default(40),
      workers: wholeNumber(16).default(1),
      commits: wholeNumber(1_000_000).default(5_000),
      only: z
        .string()
        .default(PARTS.join(","))
        .transform((value) => value.split(",").map((part) => part.trim()).filter(Boolean))
        .pipe(z.array(z.enum(PARTS, { message: `takes a comma-separated list of ${PARTS.join(", ")}` })).min(1, "needs at least one part")),
      json: z.boolean(),
      profile: z.boolean(),
    })
    .refine((options) => options.pushes + options["warmup-pushes"] <= MAX_PUSHES, {
      message: `and --warmup-pushes together must be at most ${MAX_PUSHES} (20 commits each, from a corpus of 2,985)`,
      path: ["pushes"],
    }),
  args,
  USAGE,
);

// With --json, stdout carries only the JSON report.
if (values.json) console.log = (...args: unknown[]) => console.error(...args);

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
    clock: systemClock,
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

/**
 * The floor (issue 8): the least a webhook receiver can do — plain node:http, read the body, check the HMAC, push
 * it on a Redis list. No framework, no database, no job. Sentinel's figure divided by this one is what matters on a
 * machine whose speed and load vary.
 */
async function serveFloor(): Promise<void> {
  const redis = new Redis(REDIS);
  const key = `${values.prefix!}:floor`;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const header = String(request.headers["x-hub-signature-256"] ?? "");
      const expected = Buffer.from(signWebhookBody(SECRET, body));
      if (header.length !== expected.length || !timingSafeEqual(Buffer.from(header), expected)) {
        response.writeHead(401).end();
        return;
      }
      redis.lpush(key, body).then(
        () => response.writeHead(202, { "content-type": "application/json" }).end('{"ok":true}'),
        () => response.writeHead(503).end(),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
  process.once("SIGTERM", () => {
    server.closeAllConnections();
    server.close(() => void redis.quit().finally(() => process.exit(0)));
  });
}

function deliveries(count: number): Array<{ body: string; headers: Record<string, string> }> {
  const [record] = loadCorpusCommits(1);
  const payload = pushPayload({ installationId: 1, owner: { id: 1, login: "bench" }, repo: { id: 1, full_name: "bench/app" }, records: [record!] });
  const body = JSON.stringify(payload);
  return Array.from({ length: count }, () => signDelivery(SECRET, "push", body, randomUUID()));
}

interface LoadResult {
  requestsPerSecond: number;
  /** CPU time the server process spent per request (user + system): what a busy machine cannot distort much. */
  serverCpuUsPerRequest?: number;
  redisCpuUsPerRequest?: number;
  postgresCpuUsPerRequest?: number;
  loadGeneratorCpuUsPerRequest?: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  statuses: Record<string, number>;
  errors: number;
}

/**
 * autocannon against one server with distinct signed pushes (a repeated delivery id would take the cheap duplicate
 * path). Closed loop (`connections` busy at once, as fast as the server answers) when no rate is given; otherwise
 * an open loop at `rate` per second, with coordinated-omission correction so a stall counts for every request it
 * delayed.
 */
async function load(port: number, options: { connections: number; amount?: number; seconds?: number; rate?: number }): Promise<LoadResult> {
  const pool = deliveries(options.amount ?? Math.ceil((options.rate ?? 3000) * (options.seconds ?? 5) * 1.2) + 1000);
  let next = 0;
  // autocannon reports its duration at its next one-second tick after the last answer, so with `amount` its
  // requests ÷ duration is 10,000 ÷ a whole number of seconds (the same server read 3,322/s or 2,494/s). The rate is
  // measured here instead: answers ÷ the time from the start to the last answer.
  const started = performance.now();
  let lastAnswer = started;
  let answers = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}/api/webhooks/github`,
        connections: options.connections,
        ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 5 }),
        ...(options.rate ? { overallRate: options.rate } : {}),
        requests: [
          {
            method: "POST",
            setupRequest: (request: autocannon.Request) => {
              const delivery = pool[next++ % pool.length]!;
              return { ...request, method: "POST", body: delivery.body, headers: { ...delivery.headers } };
            },
          },
        ],
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on("response", () => {
      answers += 1;
      lastAnswer = performance.now();
    });
  });
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = Number((stat as { count: number | string }).count);
  return {
    requestsPerSecond: Math.round(answers / ((lastAnswer - started) / 1000)),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    statuses,
    errors: result.errors + result.timeouts,
  };
}

/** Resident memory of a process now, in MiB (VmRSS). */
function residentMemoryMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((entry) => entry.startsWith("VmRSS:"));
  return Math.round(Number(line?.match(/(\d+)/)?.[1] ?? 0) / 1024);
}

/** Peak resident memory of a process so far, in MiB (VmHWM). */
function peakMemoryMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((entry) => entry.startsWith("VmHWM:"));
  return Math.round(Number(line?.match(/(\d+)/)?.[1] ?? 0) / 1024);
}

/** user + system CPU of a process so far, in microseconds (Linux /proc; clock ticks are 100 Hz). */
function processCpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/**
 * CPU so far of each PostgreSQL backend serving a process (its connections' application_name), by pid: on a 2-core
 * machine the database's work competes with the process's own, so it is part of the cost.
 */
async function backendsCpu(sql: postgres.Sql, applicationName: string): Promise<Map<number, number>> {
  const rows = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database() and application_name = ${applicationName}`;
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      cpu.set(pid, processCpuMicros(pid));
    } catch {
      // The backend ended between the query and the read: its connection was closed, its CPU is not counted.
    }
  }
  return cpu;
}

/** CPU the backends spent between two readings; a backend opened in between counts from zero. */
function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let micros = 0;
  for (const [pid, cpu] of after) micros += cpu - (before.get(pid) ?? 0);
  return micros;
}

/** The processes besides the server that a delivery costs CPU in: Redis, and PostgreSQL backends when the server has a database. */
interface Helpers {
  redisPid: number;
  /** The server's PostgreSQL backends' CPU by pid (none for the floor). */
  postgresCpu(): Promise<Map<number, number>>;
}

/**
 * Runs one load and measures where the machine's CPU went per answered delivery: the server, PostgreSQL, Redis and the
 * load generator (this process). On two cores they compete, so a throughput ratio is only explained by all four.
 */
async function measured(pid: number, helpers: Helpers, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const before = { server: processCpuMicros(pid), redis: processCpuMicros(helpers.redisPid), postgres: await helpers.postgresCpu(), self: process.cpuUsage() };
  const result = await run();
  const self = process.cpuUsage(before.self);
  const total = Math.max(1, Object.values(result.statuses).reduce((sum, count) => sum + count, 0));
  return {
    ...result,
    serverCpuUsPerRequest: Math.round((processCpuMicros(pid) - before.server) / total),
    redisCpuUsPerRequest: Math.round((processCpuMicros(helpers.redisPid) - before.redis) / total),
    postgresCpuUsPerRequest: Math.round(cpuSince(before.postgres, await helpers.postgresCpu()) / total),
    loadGeneratorCpuUsPerRequest: Math.round((self.user + self.system) / total),
  };
}

async function startChild(args: string[]): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const nodeFlags = values.profile ? ["--cpu-prof", "--cpu-prof-dir", path.resolve("bench/profiles")] : [];
  const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", path.resolve(import.meta.dirname, "bench-ingest.ts"), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim())));
    child.once("exit", (code) => reject(new Error(`server ${args[0]} exited with ${code}`)));
  });
  return {
    port,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * The production web server, as `npm run start:web` runs it: the compiled entry (`npm run build`) in a process of its
 * own, Sentinel's logger writing its access log to stdout (here /dev/null: its cost is counted, the terminal is not
 * flooded), the request listener, express and the Remix build.
 */
async function startWebServer(databaseUrl: string, prefix: string): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const { entry, flags } = productionCommand("start:web");
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port: free } = probe.address() as AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const nodeFlags = values.profile ? ["--cpu-prof", "--cpu-prof-dir", path.resolve("bench/profiles")] : [];
  const child = spawn(process.execPath, [...nodeFlags, ...flags, entry], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      SESSION_SECRET: randomBytes(32).toString("hex"),
      DATABASE_URL: databaseUrl,
      REDIS_URL: REDIS,
      REDIS_PREFIX: prefix,
      GITHUB_WEBHOOK_SECRET: SECRET,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  for (const deadline = Date.now() + 60_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (child.exitCode !== null) throw new Error(`the web server exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error("the web server did not answer /healthz within 60 s");
    const healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false);
    if (healthy) break;
  }
  return {
    port,
    pid: child.pid!,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

function describeLoad(result: LoadResult): string {
  const others = `PostgreSQL ${result.postgresCpuUsPerRequest} µs, Redis ${result.redisCpuUsPerRequest} µs, load generator ${result.loadGeneratorCpuUsPerRequest} µs`;
  return `${result.requestsPerSecond.toLocaleString("en-US")}/s, ${result.serverCpuUsPerRequest} µs server CPU each (${others}), p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms, statuses ${JSON.stringify(result.statuses)}${result.errors ? `, ${result.errors} errors` : ""}`;
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The floor and Sentinel run side by side (the idle one costs nothing) and are loaded in alternating rounds, floor
 * first in odd rounds and Sentinel first in even ones: this machine's speed drifts by ±20 % within a minute (the
 * load generator's own CPU per request moves that much), so a ratio is only fair between runs a few seconds apart.
 * Each round gives one ratio; the median of the rounds is the figure.
 */
async function benchAcknowledgements(databaseUrl: string, prefix: string): Promise<Record<string, unknown>> {
  const total = values["ack-requests"];
  const rounds = values["ack-rounds"];
  const rateSeconds = values["rate-seconds"];
  const redis = new Redis(REDIS);
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info("server"))?.[1]);
  redis.disconnect();
  const database = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const floor = await startChild(["--serve-floor", "--prefix", prefix]);
  const sentinel = await startWebServer(databaseUrl, prefix);
  const idleMemoryMiB = residentMemoryMiB(sentinel.pid);
  const servers = {
    floor: { ...floor, helpers: { redisPid, postgresCpu: async () => new Map() } satisfies Helpers },
    sentinel: { ...sentinel, helpers: { redisPid, postgresCpu: () => backendsCpu(database, "sentinel-web") } satisfies Helpers },
  };
  const saturation: Record<"floor" | "sentinel", LoadResult[]> = { floor: [], sentinel: [] };
  const at1000: Partial<Record<"floor" | "sentinel", LoadResult>> = {};
  let peakMiB = 0;
  try {
    for (const server of Object.values(servers)) await load(server.port, { connections: 16, amount: 1000 }); // warm-up: JIT, pools, queues created
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? (["floor", "sentinel"] as const) : (["sentinel", "floor"] as const);
      for (const name of order) {
        const server = servers[name];
        saturation[name].push(await measured(server.pid, server.helpers, () => load(server.port, { connections: 64, amount: total })));
      }
      const ratio = saturation.sentinel.at(-1)!.requestsPerSecond / saturation.floor.at(-1)!.requestsPerSecond;
      console.log(
        `round ${round + 1}: floor ${saturation.floor.at(-1)!.requestsPerSecond.toLocaleString("en-US")}/s, ` +
          `Sentinel ${saturation.sentinel.at(-1)!.requestsPerSecond.toLocaleString("en-US")}/s (${(ratio * 100).toFixed(0)} %)`,
      );
    }
    for (const name of ["floor", "sentinel"] as const) {
      const server = servers[name];
      at1000[name] = await measured(server.pid, server.helpers, () => load(server.port, { connections: 64, rate: 1000, seconds: rateSeconds }));
    }
    peakMiB = peakMemoryMiB(sentinel.pid);
  } finally {
    await Promise.all([floor.stop(), sentinel.stop()]);
    await database.end();
  }
  const ratios = saturation.sentinel.map((result, index) => result.requestsPerSecond / saturation.floor[index]!.requestsPerSecond);
  const ratio = median(ratios);
  /** The round whose ratio is the median (the lower middle one for an even count), shown in full. */
  const typical = ratios.indexOf([...ratios].sort((a, b) => a - b)[Math.floor((ratios.length - 1) / 2)]!);
  console.log(`floor (node:http + HMAC + Redis LPUSH), saturated:   ${describeLoad(saturation.floor[typical]!)}`);
  console.log(`Sentinel webhook route, saturated:                  ${describeLoad(saturation.sentinel[typical]!)}`);
  console.log(
    `Sentinel ÷ floor:                                   ${(ratio * 100).toFixed(0)} % (median of ${rounds} rounds: ${ratios.map((value) => `${(value * 100).toFixed(0)} %`).join(", ")})`,
  );
  console.log(`floor at 1,000/s offered:                           ${describeLoad(at1000.floor!)}`);
  console.log(`Sentinel at 1,000/s offered:                        ${describeLoad(at1000.sentinel!)}`);
  console.log(`web server memory (RSS): ${idleMemoryMiB} MiB started, ${peakMiB} MiB peak under this load`);
  return {
    floorSaturation: saturation.floor,
    sentinelSaturation: saturation.sentinel,
    ratios,
    ratio,
    floorAt1000: at1000.floor,
    sentinelAt1000: at1000.sentinel,
    webIdleMemoryMiB: idleMemoryMiB,
    webPeakMemoryMiB: peakMiB,
  };
}

/** The local GitHub fake in a process of its own (GitHub is another machine in production), serving the bench's commits. */
async function serveGitHub(): Promise<void> {
  const fake = await startFakeGitHub();
  fake.addCommits(loadCorpusCommits().slice(0, values.pushes * 20));
  process.stdout.write(`${new URL(fake.url).port}\n`);
  process.once("SIGTERM", () => void fake.close().finally(() => process.exit(0)));
}

/** Waits until every commit of a repository is analysed (or skipped): what "attribution rows for all of them" means. */
async function waitForAnalysis(services: Services, repoId: string, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [counts] = await services.db
      .select({ done: sql<number>`count(*) filter (where ${commits.analysisStatus} <> 'pending')::int` })
      .from(commits)
      .where(eq(commits.repoId, repoId));
    if (counts!.done >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${counts!.done} of ${expected} commits analysed after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Pushes of 20 commits to attribution rows, the way production runs: the workers are compiled `start-worker`
 * processes (`npm run build`; `--workers N`, default one) and GitHub (the fake) another process; this process only
 * delivers the pushes and watches the database. The same pushes are measured twice: right after the worker started,
 * and again (the same commits, another repository) after `--warmup-pushes` more, when V8 has compiled the worker's hot
 * code — what a worker that has been running for a while does. Both are printed; the second is the headline.
 */
async function benchPushes(databaseUrl: string, prefix: string): Promise<Record<string, unknown>> {
  const workerPrefix = `${prefix}-push`;
  const workerCount = values.workers;
  const warmupPushes = values["warmup-pushes"];
  const { entry, flags } = productionCommand("start:worker");
  const { services, close } = await createServices(databaseUrl, workerPrefix);
  const github = await startChild(["--serve-github", "--pushes", String(values.pushes + warmupPushes), "--warmup-pushes", "0"]);
  const profileFlags = values.profile ? ["--cpu-prof", "--cpu-prof-dir", path.resolve("bench/profiles")] : [];
  const workers = Array.from({ length: workerCount }, () =>
    spawn(process.execPath, [...profileFlags, ...flags, entry], {
      env: {
        ...process.env,
        NODE_ENV: "production",
        LOG_LEVEL: "warn",
        DATABASE_URL: databaseUrl,
        REDIS_URL: REDIS,
        REDIS_PREFIX: workerPrefix,
        GITHUB_API_URL: `http://127.0.0.1:${github.port}`,
        GITHUB_APP_ID: "12345",
        GITHUB_APP_PRIVATE_KEY: testPrivateKey(),
        GITHUB_WEBHOOK_SECRET: SECRET,
        GITHUB_BACKFILL_DAYS: "0",
        SESSION_SECRET: randomBytes(32).toString("hex"),
      },
      stdio: ["ignore", "inherit", "inherit"],
    }),
  );
  const workersCpu = () => workers.reduce((sum, worker) => sum + processCpuMicros(worker.pid!), 0);
  try {
    const owner = { id: 4200, login: "bench-push" };
    const coldRepo = { id: 4201, full_name: "bench-push/just-started", default_branch: "main" };
    const warmupRepo = { id: 4202, full_name: "bench-push/warm-up", default_branch: "main" };
    const warmRepo = { id: 4203, full_name: "bench-push/app", default_branch: "main" };
    const { handleGitHubWebhook } = await import("../app/webhooks/github-webhook.server.ts");
    const { webhookRequest } = await import("../tests/fixtures/webhooks.ts");
    const install = signDelivery(SECRET, "installation", installationPayload("created", 4200, owner, [coldRepo, warmupRepo, warmRepo]));
    await handleGitHubWebhook(webhookRequest(install), services);
    const repoIds = new Map<number, string>();
    for (const deadline = Date.now() + 60_000; repoIds.size < 3 && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
      for (const row of await services.db.select({ id: repositories.id, githubId: repositories.githubId }).from(repositories)) repoIds.set(Number(row.githubId), row.id);
    }
    if (repoIds.size < 3) throw new Error("the installation delivery was not processed within 60 s (did the worker start?)");

    const pushes = values.pushes;
    const corpus = loadCorpusCommits().slice(0, (pushes + warmupPushes) * 20);
    // The same commits are measured twice, in two repositories (GitHub's fake serves a commit by its sha).
    const measured = corpus.slice(0, pushes * 20);
    const push = async (target: typeof warmRepo, batch: typeof corpus) => {
      const response = await handleGitHubWebhook(
        webhookRequest(signDelivery(SECRET, "push", pushPayload({ installationId: 4200, owner, repo: target, records: batch }))),
        services,
      );
      if (response.status !== 202) throw new Error(`push answered ${response.status}`);
    };
    /** `pushes` pushes of 20 commits to one repository, back to back, until every commit is analysed. */
    const measure = async (target: typeof warmRepo, records: typeof corpus) => {
      const workerCpuBefore = workersCpu();
      const githubCpuBefore = processCpuMicros(github.pid);
      const databaseCpuBefore = await backendsCpu(services.database.sql, "sentinel-worker");
      const started = performance.now();
      for (let index = 0; index * 20 < records.length; index += 1) await push(target, records.slice(index * 20, index * 20 + 20));
      await waitForAnalysis(services, repoIds.get(target.id)!, records.length, 120_000);
      const seconds = (performance.now() - started) / 1000;
      const databaseCpuMicros = cpuSince(databaseCpuBefore, await backendsCpu(services.database.sql, "sentinel-worker"));
      const [attribution] = await services.database.sql<{ n: number }[]>`select count(*)::int as n from code_attribution where repo_id = ${repoIds.get(target.id)!}`;
      return {
        commitsPerSecond: Math.round(records.length / seconds),
        commits: records.length,
        attributionRows: attribution!.n,
        seconds,
        workerCpuMsPerCommit: (workersCpu() - workerCpuBefore) / 1000 / records.length,
        databaseCpuMsPerCommit: databaseCpuMicros / 1000 / records.length,
        githubCpuMsPerCommit: (processCpuMicros(github.pid) - githubCpuBefore) / 1000 / records.length,
      };
    };
    const describe = (result: Awaited<ReturnType<typeof measure>>) =>
      `${result.commitsPerSecond} commits/s (${result.commits} commits, ${result.attributionRows} attribution rows, ${result.seconds.toFixed(2)} s; ` +
      `CPU per commit: worker ${result.workerCpuMsPerCommit.toFixed(1)} ms, its PostgreSQL backends ${result.databaseCpuMsPerCommit.toFixed(1)} ms, ` +
      `GitHub fake ${result.githubCpuMsPerCommit.toFixed(1)} ms)`;

    // 1. Right after the worker started: its code is still interpreted and being compiled (~a quarter of its CPU goes
    //    to V8's compiler threads then).
    const cold = await measure(coldRepo, measured);
    // 2. More pushes, not measured, so that 3. is what a worker that has been running for a while does.
    const warmup = corpus.slice(pushes * 20);
    for (let index = 0; index < warmupPushes; index += 1) await push(warmupRepo, warmup.slice(index * 20, index * 20 + 20));
    await waitForAnalysis(services, repoIds.get(warmupRepo.id)!, warmup.length, 300_000);
    const warm = await measure(warmRepo, measured);

    const workerPeakMemoryMiB = Math.max(...workers.map((worker) => peakMemoryMiB(worker.pid!)));
    const workerWords = workerCount === 1 ? "one start-worker process" : `${workerCount} start-worker processes`;
    console.log(`push → rows, worker just started:          ${describe(cold)}`);
    console.log(`push → rows, after ${String(warmupPushes).padEnd(3)} more pushes (warm): ${describe(warm)}`);
    console.log(
      `                ${pushes} pushes × 20 commits each time, end to end; ${workerWords} (peak memory ${workerPeakMemoryMiB} MiB), BullMQ, ` +
        `GitHub fake in its own process`,
    );
    return { cold, warm, commitsPerSecond: warm.commitsPerSecond, warmupPushes, workers: workerCount, workerPeakMemoryMiB, loadAverageAfter: loadavg() };
  } finally {
    await Promise.all(
      workers.map((worker) => {
        const exited = new Promise((resolve) => worker.once("exit", resolve));
        worker.kill("SIGTERM");
        return exited;
      }),
    );
    await github.stop();
    await close();
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

async function benchImport(databaseUrl: string): Promise<Record<string, unknown>> {
  const count = values.commits;
  const dir = generateRepository(count);
  try {
    const cli = path.resolve(import.meta.dirname, "../bin/sentinel.js");
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" };
    delete env.REDIS_URL;
    const results: Record<string, unknown> = { commits: count };
    for (const run of ["first", "second"]) {
      const started = performance.now();
      const output = execFileSync(process.execPath, [cli, "import", dir, "--repo", "bench/history", "--org", "bench-import"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      const seconds = (performance.now() - started) / 1000;
      console.log(`import (${run}): ${seconds.toFixed(1)} s for ${count.toLocaleString("en-US")} commits — ${output.trim()}`);
      results[`${run}RunSeconds`] = Math.round(seconds * 10) / 10;
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (values["serve-floor"]) return serveFloor();
  if (values["serve-github"]) return serveGitHub();
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
    const parts = new Set(values.only);
    const report: Record<string, unknown> = { startedAt: new Date().toISOString(), node: process.version, cores: cpus().length, loadAverageAtStart: loadavg() };
    if (parts.has("ack")) report.acknowledgements = await benchAcknowledgements(urls[0]!, prefix);
    if (parts.has("push")) report.pipeline = await benchPushes(urls[1]!, prefix);
    if (parts.has("import")) report.import = await benchImport(urls[2]!);
    report.loadAverageAtEnd = loadavg();
    console.log(`load average at the end: ${loadavg().map((value) => value.toFixed(1)).join(" ")} (other processes on the machine share its 2 cores)`);
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const name of names) await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    const redis = new Redis(REDIS);
    await deleteKeys(redis, `${prefix}*`);
    redis.disconnect();
  }
}

await main();
if (!values["serve-floor"] && !values["serve-github"]) process.exit(0);
