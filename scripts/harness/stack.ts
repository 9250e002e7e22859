/**
 * One Sentinel deployment of a harness run, all of it on loopback and all of it removed when the run ends: a database
 * of its own (migrated), a `redis-server` of its own (append-only file, `noeviction`, as in production), local GitHub,
 * Slack and Resend fakes, the real web server and worker processes under a supervisor, the harness's own database pool
 * and queue connection, GitHub's side (sender and delivery log) and the installation, processed.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import type { QueueName } from "../../domain/ports.ts";
import { connectPostgres, type DatabaseConnection } from "../../infrastructure/db/client.ts";
import { migrateDatabase } from "../../infrastructure/db/migrate.ts";
import { organizations } from "../../infrastructure/db/schema/index.ts";
import { startFakeGitHub, type FakeGitHub } from "../../tests/fakes/github.ts";
import { createGitHubApi, type GitHubApi } from "../../infrastructure/github/github-api.ts";
import { silentLogger } from "../../infrastructure/logging/logger.ts";
import { startFakeChannels, type FakeChannels } from "../../tests/fakes/channels.ts";
import { createQueueRuntime, type QueueRuntime } from "../../infrastructure/queue/index.ts";
import { freePort, sleep, startThrowawayRedis, type ThrowawayRedis } from "../../tests/support/queue.ts";
import { createGitHubSide, type GitHubSide, type HarnessInput } from "./deliveries.ts";
import { FatalError, onCleanup, onEmergencyKill, setPhase, until } from "./lifecycle.ts";
import { logTail, supervise, type Supervised, type UnexpectedExit } from "./processes.ts";

export const QUEUES: QueueName[] = ["webhooks", "analysis", "scheduled-jobs", "notifications"];

export interface StackOptions {
  /** The harness ("chaos", "soak") and the run ("clean", "chaos", "soak"): in the names of what is created. */
  harness: string;
  run: string;
  input: HarnessInput;
  postgresUrl: string;
  secret: string;
  appId: number;
  privateKey: string;
  /** Requests in flight at most from GitHub's side. */
  concurrency: number;
  keepDatabase: boolean;
  note: (message: string) => void;
  onAnswer?: (status: number, milliseconds: number) => void;
}

export interface Stack {
  dbName: string;
  /** The server's admin connection (not to the run's database): for pg_stat_activity and the final drop. */
  admin: postgres.Sql;
  redisPort: number;
  /** Shuts Redis down (SIGTERM, it flushes its append-only file) and starts it again on the same port after `pauseMs`. */
  restartRedis(pauseMs: number): Promise<void>;
  fake: FakeGitHub;
  channels: FakeChannels;
  web: Supervised;
  worker: Supervised;
  /** Inside waits: throws a FatalError at once when a process could not be kept running. */
  alive(): void;
  /** The harness's own view: database checks, queue counts and jobs it queues itself. */
  database: DatabaseConnection;
  runtime: QueueRuntime;
  github: GitHubApi;
  side: GitHubSide;
  orgId: string;
  unexpectedExits(): UnexpectedExit[];
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { harness, run, input, note } = options;
  setPhase(`${run} run: creating its database and migrating it`);
  const suffix = randomBytes(4).toString("hex");
  const dbName = `sentinel_${harness}_${suffix}_${run}`;
  const prefix = `sentinel-${harness}-${suffix}`;
  const dir = mkdtempSync(path.join(tmpdir(), `sentinel-${harness}-${run}-`));
  onCleanup(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));

  const admin = postgres(options.postgresUrl, { max: 1, onnotice: () => {} });
  onCleanup("admin connection", () => admin.end({ timeout: 5 }));
  // Registered before the create: a watchdog that fires while the create is still running (a loaded machine) must
  // still drop it. The one admin connection runs the drop after the create has finished.
  onCleanup(`database ${dbName}`, async () => {
    if (options.keepDatabase) console.log(`[${run}] kept database ${dbName}`);
    else await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  });
  await admin.unsafe(`create database ${dbName}`);
  const databaseUrl = (() => {
    const url = new URL(options.postgresUrl);
    url.pathname = `/${dbName}`;
    return url.toString();
  })();
  await migrateDatabase(databaseUrl);

  setPhase(`${run} run: starting Redis, the fakes, the web server and the worker`);
  // Redis of the run's own, with an append-only file: a restart keeps the queues, as a production Redis does.
  const redisDir = path.join(dir, "redis");
  mkdirSync(redisDir);
  const startRedis = async (port?: number) => {
    const started = await startThrowawayRedis({ ...(port === undefined ? {} : { port }), appendOnlyDir: redisDir, maxmemoryPolicy: "noeviction" });
    const forget = onEmergencyKill(() => void started.stop("SIGKILL"));
    return { ...started, stop: (signal?: "SIGKILL" | "SIGTERM") => started.stop(signal).finally(forget) } satisfies ThrowawayRedis;
  };
  let redis = await startRedis();
  const redisPort = redis.port;
  onCleanup(`redis-server on ${redisPort}`, () => redis.stop());

  const fake = await startFakeGitHub();
  onCleanup("GitHub fake", () => fake.close());
  fake.addCommits(input.commits);
  const channels: FakeChannels = await startFakeChannels();
  onCleanup("Slack/Resend fakes", () => channels.close());

  const webPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    HOST: "127.0.0.1",
    PORT: String(webPort),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    GITHUB_WEBHOOK_SECRET: options.secret,
    GITHUB_APP_ID: String(options.appId),
    GITHUB_APP_PRIVATE_KEY: options.privateKey,
    GITHUB_API_URL: fake.url,
    GITHUB_BACKFILL_DAYS: "0",
    SLACK_API_URL: channels.slackApiUrl,
    SLACK_BOT_TOKEN: "xoxb-harness-token",
    RESEND_BASE_URL: channels.resendBaseUrl,
    RESEND_API_KEY: "re_harness_key",
    ALERT_EMAIL_FROM: "Sentinel <alerts@example.com>",
  };
  // The web's access log at info is a line per delivery, of no interest; warnings and 5xx are kept.
  const webEnv = { ...env, LOG_LEVEL: "warn" };
  const logs = (process: string) => ({ out: path.join(dir, `${process}.log`), err: path.join(dir, `${process}.stderr.log`) });

  const web = supervise(
    "web",
    "start-web.ts",
    webEnv,
    logs("web"),
    (what) =>
      until(what, async () => {
        const response = await fetch(`http://127.0.0.1:${webPort}/healthz`).catch(() => null);
        return response?.status === 200;
      }, { timeoutMs: 60_000, intervalMs: 100 }).then(() => undefined),
    note,
  );
  const workerLog = logs("worker").out;
  const readyLines = () => (existsSync(workerLog) ? readFileSync(workerLog, "utf8").split("Sentinel worker is running").length : 1);
  let workerReadyLines = 1;
  const worker = supervise(
    "worker",
    "start-worker.ts",
    env,
    logs("worker"),
    // A new "is running" line in the log: this start, or the restart that replaced it.
    async (what) => {
      const before = workerReadyLines;
      await until(what, async () => readyLines() > before, { timeoutMs: 60_000, intervalMs: 100 });
      workerReadyLines = readyLines();
    },
    note,
  );
  let supervisionFailure: Error | undefined;
  for (const supervised of [web, worker]) supervised.failure.catch((error: Error) => (supervisionFailure = error));
  const alive = () => {
    if (supervisionFailure) throw new FatalError(supervisionFailure.message);
  };
  await Promise.all([web.start(), worker.start()]);
  note(`web (port ${webPort}) and worker up; database ${dbName}, redis-server on ${redisPort}`);

  const database: DatabaseConnection = connectPostgres(databaseUrl, { applicationName: `sentinel-${harness}`, max: 4 });
  onCleanup("harness database pool", () => database.close());
  const runtime: QueueRuntime = createQueueRuntime({ redisUrl: redis.url, prefix, logger: silentLogger });
  onCleanup("harness queue connection", () => runtime.close());
  await runtime.assertReady();
  const github = createGitHubApi({ appId: options.appId, privateKey: options.privateKey, baseUrl: fake.url });
  const side = createGitHubSide(fake, () => webPort, { concurrency: options.concurrency, installationId: input.installationId, ...(options.onAnswer ? { onAnswer: options.onAnswer } : {}) });
  onCleanup("sender sockets", () => side.close());

  // The installation first: it creates the organisation and its repositories. The organisation's zone is one where no
  // hourly tick falls due during the run (see quietTimeZone), so only the work the harness asks for runs.
  setPhase(`${run} run: installing the App`);
  await side.deliver(input.install, false);
  const org = await until("the installation to be processed", async () => {
    const [row] = await database.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.githubAccountId, input.owner.id));
    return row;
  }, { timeoutMs: 30_000 });
  await database.db.update(organizations).set({ timezone: input.timeZone }).where(eq(organizations.id, org.id));

  return {
    dbName,
    admin,
    redisPort,
    async restartRedis(pauseMs) {
      await redis.stop("SIGTERM");
      await sleep(pauseMs);
      redis = await startRedis(redisPort);
    },
    fake,
    channels,
    web,
    worker,
    alive,
    database,
    runtime,
    github,
    side,
    orgId: org.id,
    unexpectedExits: () => [...web.crashes, ...worker.crashes],
  };
}

/** Nothing left to do: no delivery queued, no commit pending, no job waiting or active (twice, a second apart). */
export async function waitForDrain(stack: Stack, options: { timeoutMs?: number } = {}): Promise<void> {
  const drained = async () => {
    stack.alive();
    const [row] = await stack.database.sql<{ queued: number; pending: number }[]>`
      select (select count(*)::int from webhook_deliveries where status = 'queued') as queued,
             (select count(*)::int from commits where analysis_status = 'pending') as pending`;
    if (row!.queued > 0 || row!.pending > 0) return false;
    for (const queue of QUEUES) {
      const counts = await stack.runtime.queue.counts(queue);
      // The job schedulers keep one delayed job each for their next tick.
      if (counts.waiting + counts.active > 0 || (queue !== "scheduled-jobs" && counts.delayed > 0)) return false;
    }
    return true;
  };
  // A job finishing between two reads may just have queued the next one: drained twice, a second apart.
  await until("the queues to drain", async () => {
    if (!(await drained())) return false;
    await sleep(1_000);
    return drained();
  }, { intervalMs: 500, ...options }).catch(async (error: unknown) => {
    throw new Error(
      `${(error as Error).message}\n${await describeState(stack)}\nworker log:\n${logTail(stack.worker.logs.out)}\nweb log:\n${logTail(stack.web.logs.out)}`,
    );
  });
}

/** What is still unfinished, for the message of a run that does not drain in time. */
export async function describeState(stack: Stack): Promise<string> {
  const lines: string[] = [];
  try {
    const rows = await stack.database.sql<{ what: string; n: number }[]>`
      select 'deliveries ' || status as what, count(*)::int as n from webhook_deliveries group by status
      union all select 'commits ' || analysis_status, count(*)::int from commits group by analysis_status
      union all select 'alert deliveries ' || status, count(*)::int from alert_deliveries group by status`;
    lines.push(rows.map((row) => `${row.what}: ${row.n}`).join(", "));
    for (const queue of QUEUES) {
      lines.push(`queue ${queue}: ${JSON.stringify(await stack.runtime.queue.counts(queue))}`);
      const failed = await stack.runtime.queue.listFailed(queue, { offset: 0, limit: 3 });
      for (const job of failed) lines.push(`  failed ${job.name} ${job.id}: ${job.failedReason}`);
    }
  } catch (error) {
    lines.push(`(state unreadable: ${error instanceof Error ? error.message : String(error)})`);
  }
  return lines.join("\n");
}
