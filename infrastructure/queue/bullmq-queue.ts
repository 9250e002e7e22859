import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { DelayedError, Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from "bullmq";
import { Redis } from "ioredis";
import type { FailedJob, JobContext, JobProcessor, JobQueue, QueueName } from "../../domain/ports.ts";
import { PermanentJobError, QueueClosedError, QueueUnavailableError, RedisEvictionPolicyError, RetryLaterError, assertRange, assertValidId, isQueryableId } from "./errors.ts";
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF, normalizeJobOptions } from "./job-options.ts";
import { describeError, noopLogger, type QueueLogger } from "./logger.ts";
import { closeConnection, logConnectionErrors, waitForConnection } from "./redis-connection.ts";

export interface BullMqQueueOptions {
  redisUrl: string;
  /** BullMQ key prefix (keys are `${prefix}:${queue}:…`); one per deployment, one per test file. */
  prefix: string;
  logger?: QueueLogger;
  /** Upper bound for enqueue/ping when Redis is slow or down. Default 900 ms, so a webhook can answer 503 within 1 s. */
  producerTimeoutMs?: number;
  /** How long `assertReady` / the first worker waits for Redis at start. Default 10 s. */
  startupTimeoutMs?: number;
  /** Recorded on every job this process's workers take (BullMQ's `processedBy`). Default `<hostname>:<pid>`. */
  workerName?: string;
  /**
   * How long a worker's lock on a running job lasts before it must be renewed (BullMQ's `lockDuration`); the worker
   * renews it at half that while the job runs, and another worker's stalled-job check takes over a job whose lock
   * expired (its process died). Default 30 s, BullMQ's. Tests shorten it, with `stalledCheckMs`, to see a stall fast.
   */
  jobLockMs?: number;
  /** How often workers look for stalled jobs (BullMQ's `stalledInterval`). Default 30 s. */
  stalledCheckMs?: number;
}

export interface BullMqJobQueue extends JobQueue {
  readonly kind: "bullmq";
  /**
   * Waits for Redis and refuses (RedisEvictionPolicyError) when its maxmemory-policy would evict queue keys.
   * Called by the first `startWorker`; call it at boot of any process that only enqueues.
   */
  assertReady(): Promise<void>;
}

/** Keeps Redis memory bounded (100k completed jobs must not pile up) while dedup ids stay taken for a day. */
const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: DEFAULT_ATTEMPTS,
  backoff: { type: DEFAULT_BACKOFF.type, delay: DEFAULT_BACKOFF.delayMs },
  removeOnComplete: { age: 24 * 60 * 60, count: 1000 },
  removeOnFail: { age: 7 * 24 * 60 * 60 },
};

/**
 * BullMQ answers `add` with a duplicate jobId by returning the existing id, with no flag. Each enqueue writes its
 * own random token into the job hash if none is there yet: the caller that finds its own token created the job.
 * Among concurrent callers exactly one wins. A job already removed again (24 h retention) counts as created.
 */
const CLAIM_JOB_CREATION = `
if redis.call("EXISTS", KEYS[1]) == 0 then return 1 end
redis.call("HSETNX", KEYS[1], "sentinelEnqueueToken", ARGV[1])
if redis.call("HGET", KEYS[1], "sentinelEnqueueToken") == ARGV[1] then return 1 end
return 0`;

export function createBullMqQueue(options: BullMqQueueOptions): BullMqJobQueue {
  const logger = options.logger ?? noopLogger;
  const producerTimeoutMs = options.producerTimeoutMs ?? 900;
  const startupTimeoutMs = options.startupTimeoutMs ?? 10_000;
  const workerName = options.workerName ?? `${hostname()}:${process.pid}`;

  // Used by HTTP handlers: no offline queue and short timeouts, so a Redis outage fails the request fast
  // instead of hanging it. ioredis keeps reconnecting in the background.
  const producer = new Redis(options.redisUrl, {
    enableOfflineQueue: false,
    connectTimeout: Math.min(producerTimeoutMs, 500),
    commandTimeout: producerTimeoutMs,
    maxRetriesPerRequest: 1,
    connectionName: `${options.prefix}-producer`,
  });
  logConnectionErrors(producer, "producer", logger);
  // Once connected, a dropped connection is a known outage: fail at once instead of waiting out the budget.
  let producerWasReady = false;
  producer.on("ready", () => {
    producerWasReady = true;
  });

  let workerConnection: Redis | undefined;
  const queues = new Map<QueueName, Promise<Queue>>();
  const workers = new Map<QueueName, Worker>();
  let ready: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  /** Stays true while workers drain: a job finishing during shutdown may still queue its follow-up work. */
  let producerOpen = true;

  function assertOpen(): void {
    if (!producerOpen) throw new QueueClosedError("the BullMQ queue is closed");
  }

  /** One Queue per name, created once Redis answers; a Queue whose start failed is dropped and made again. */
  function getQueue(name: QueueName): Promise<Queue> {
    let queue = queues.get(name);
    if (queue === undefined) {
      const created = new Queue(name, { connection: producer, prefix: options.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
      created.on("error", (error) => logger.warn({ queue: name, error: describeError(error) }, "queue error"));
      queue = created.waitUntilReady().then(
        () => created,
        async (error: unknown) => {
          queues.delete(name);
          await created.close().catch(() => undefined);
          throw error;
        },
      );
      queues.set(name, queue);
    }
    return queue;
  }

  /** Runs a producer-side Redis call with the fail-fast budget; every failure becomes QueueUnavailableError. */
  async function withProducer<T>(what: string, call: () => Promise<T>): Promise<T> {
    assertOpen();
    if (producerWasReady && producer.status !== "ready") {
      throw new QueueUnavailableError(`${what}: the Redis connection is down (${producer.status})`);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new QueueUnavailableError(`${what}: Redis did not answer within ${producerTimeoutMs} ms`)),
        producerTimeoutMs,
      );
    });
    try {
      return await Promise.race([
        (async () => {
          await waitForConnection(producer, producerTimeoutMs);
          return call();
        })(),
        timeout,
      ]);
    } catch (error) {
      if (error instanceof QueueUnavailableError) throw error;
      throw new QueueUnavailableError(`${what}: ${describeError(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  async function checkRedis(): Promise<void> {
    await waitForConnection(producer, startupTimeoutMs);
    const policy = await readEvictionPolicy(producer);
    if (policy === undefined) {
      logger.warn(
        {},
        "could not read Redis maxmemory-policy (CONFIG and INFO refused); make sure it is noeviction, or queued jobs can be evicted",
      );
      return;
    }
    if (policy !== "noeviction") throw new RedisEvictionPolicyError(policy);
  }

  function getWorkerConnection(): Redis {
    if (workerConnection === undefined) {
      // Workers wait for Redis as long as it takes and resume after a restart: no per-command retry limit.
      workerConnection = new Redis(options.redisUrl, {
        maxRetriesPerRequest: null,
        connectionName: `${options.prefix}-worker`,
      });
      logConnectionErrors(workerConnection, "worker", logger);
    }
    return workerConnection;
  }

  const adapter: BullMqJobQueue = {
    kind: "bullmq",

    assertReady() {
      assertOpen();
      ready ??= checkRedis().catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      return ready;
    },

    async enqueue(queueName, name, data, enqueueOptions = {}) {
      const { jobId } = enqueueOptions;
      if (jobId !== undefined) assertValidId("jobId", jobId);
      const { attempts, backoff, delayMs } = normalizeJobOptions(enqueueOptions);
      return withProducer(`enqueue ${queueName}/${name}`, async () => {
        const queue = await getQueue(queueName);
        const job = await queue.add(name, data, {
          jobId,
          delay: delayMs,
          attempts,
          backoff: { type: backoff.type, delay: backoff.delayMs },
        });
        const id = job.id;
        if (id === undefined) throw new Error("BullMQ returned a job without an id");
        if (jobId === undefined) return { jobId: id, created: true };
        const claimed = await producer.eval(CLAIM_JOB_CREATION, 1, queue.toKey(id), randomUUID());
        return { jobId: id, created: claimed === 1 };
      });
    },

    async enqueueBulk(queueName, jobs) {
      if (jobs.length === 0) return;
      const bulk = jobs.map(({ name, data, options: jobOptions = {} }) => {
        if (jobOptions.jobId !== undefined) assertValidId("jobId", jobOptions.jobId);
        const { attempts, backoff, delayMs } = normalizeJobOptions(jobOptions);
        return { name, data, opts: { jobId: jobOptions.jobId, delay: delayMs, attempts, backoff: { type: backoff.type, delay: backoff.delayMs } } };
      });
      await withProducer(`enqueue ${jobs.length} jobs on ${queueName}`, async () => {
        const queue = await getQueue(queueName);
        // One MULTI: every job's add script runs in a single round trip.
        await queue.addBulk(bulk);
      });
    },

    async startWorker(queueName, processor, workerOptions = {}) {
      await adapter.assertReady();
      assertOpen();
      if (workers.has(queueName)) throw new Error(`a worker for queue "${queueName}" is already running`);
      const concurrency = workerOptions.concurrency ?? 1;
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new RangeError(`worker concurrency must be a positive integer, got ${concurrency}`);
      }
      const worker = new Worker(queueName, (job, token) => runProcessor(queueName, processor, job, token), {
        connection: getWorkerConnection(),
        prefix: options.prefix,
        concurrency,
        name: workerName,
        ...(options.jobLockMs ? { lockDuration: options.jobLockMs } : {}),
        ...(options.stalledCheckMs ? { stalledInterval: options.stalledCheckMs } : {}),
      });
      worker.on("error", (error) => logger.error({ queue: queueName, error: describeError(error) }, "worker error"));
      worker.on("failed", (job, error) => {
        const fields = { queue: queueName, jobId: job?.id, jobName: job?.name, attemptsMade: job?.attemptsMade };
        logger.warn({ ...fields, error: describeError(error) }, "job attempt failed");
      });
      workers.set(queueName, worker);
      await worker.waitUntilReady();
    },

    async upsertSchedule(schedule) {
      assertValidId("schedule id", schedule.id);
      // Within the producer's budget like every other producer call: during a Redis outage it fails fast (the worker
      // start-up retries it in the background) instead of hanging.
      await withProducer(`register schedule ${schedule.id}`, async () => {
        const queue = await getQueue(schedule.queue);
        // Never the legacy `repeat` option: a job scheduler is one record per id, whatever the replica count.
        await queue.upsertJobScheduler(
          schedule.id,
          { pattern: schedule.pattern, tz: schedule.tz ?? "UTC" },
          { name: schedule.job.name, data: schedule.job.data ?? {} },
        );
      });
    },

    async counts(queueName) {
      const queue = await getQueue(queueName);
      const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed", "completed");
      return {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        completed: counts.completed ?? 0,
      };
    },

    async listFailed(queueName, { offset, limit }) {
      assertRange(offset, limit);
      if (limit === 0) return [];
      return withProducer(`list failed jobs of ${queueName}`, async () => {
        const queue = await getQueue(queueName);
        // The failed set is scored by finish time; getFailed reads it newest first. `end` is inclusive.
        const jobs = await queue.getFailed(offset, offset + limit - 1);
        return jobs.map((job) => toFailedJob(queueName, job));
      });
    },

    async getFailed(queueName, jobId) {
      if (!isQueryableId(jobId)) return null;
      return withProducer(`read failed job ${queueName}/${jobId}`, async () => {
        const queue = await getQueue(queueName);
        // State first, then the job: read the other way round, a job failing in between is seen as failed with the
        // attempt count it had while still running. Once failed, its hash no longer changes (until a retry).
        if ((await queue.getJobState(jobId)) !== "failed") return null;
        const job = await queue.getJob(jobId);
        return job === undefined ? null : toFailedJob(queueName, job);
      });
    },

    async retryFailed(queueName, jobId) {
      if (!isQueryableId(jobId)) return false;
      return withProducer(`retry failed job ${queueName}/${jobId}`, async () => {
        const queue = await getQueue(queueName);
        const job = await queue.getJob(jobId);
        if (job === undefined) return false;
        try {
          // One Lua call checks the job is still in the failed set and moves it to wait: a concurrent retry or
          // discard makes this one answer false instead of queueing the job twice.
          await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
          return true;
        } catch (error) {
          if (hasBullMqCode(error, [BULLMQ_JOB_NOT_EXIST, BULLMQ_JOB_NOT_IN_STATE])) return false;
          throw error;
        }
      });
    },

    async discardFailed(queueName, jobId) {
      if (!isQueryableId(jobId)) return false;
      return withProducer(`discard failed job ${queueName}/${jobId}`, async () => {
        const queue = await getQueue(queueName);
        // BullMQ removes a job in any state but active, so the state is checked first. A retry landing between
        // the two calls would have its job removed while waiting; both are admin actions on the same job.
        if ((await queue.getJobState(jobId)) !== "failed") return false;
        return (await queue.remove(jobId)) === 1;
      });
    },

    async ping() {
      try {
        return (await withProducer("ping", () => producer.ping())) === "PONG";
      } catch {
        return false;
      }
    },

    async readiness() {
      try {
        const policy = await withProducer("readiness", () => readEvictionPolicy(producer));
        if (policy === undefined) return { ready: true, detail: "Redis answers; maxmemory-policy could not be read" };
        if (policy !== "noeviction") return { ready: false, detail: `Redis maxmemory-policy is ${policy}; it must be noeviction` };
        return { ready: true, detail: "Redis answers with maxmemory-policy noeviction" };
      } catch (error) {
        return { ready: false, detail: describeError(error) };
      }
    },

    close() {
      closing ??= (async () => {
        // Workers first, gracefully: they stop fetching and let active jobs finish.
        const workerResults = await Promise.allSettled([...workers.values()].map((worker) => worker.close()));
        producerOpen = false;
        const openQueues = (await Promise.allSettled(queues.values())).flatMap((settled) =>
          settled.status === "fulfilled" ? [settled.value] : [],
        );
        const queueResults = await Promise.allSettled(openQueues.map((queue) => queue.close()));
        const results = [...workerResults, ...queueResults];
        for (const result of results) {
          if (result.status === "rejected") logger.warn({ error: describeError(result.reason) }, "error while closing the queue");
        }
        await Promise.all([closeConnection(workerConnection), closeConnection(producer)]);
      })();
      return closing;
    },
  };

  async function runProcessor(queue: QueueName, processor: JobProcessor, job: Job, token: string | undefined) {
    const id = job.id;
    if (id === undefined) throw new UnrecoverableError("job without id");
    const context: JobContext = {
      id,
      name: job.name,
      queue,
      data: job.data,
      attemptsMade: job.attemptsMade,
      updateProgress: (progress) => job.updateProgress(progress),
    };
    try {
      return await processor(context);
    } catch (error) {
      if (error instanceof PermanentJobError) {
        throw Object.assign(new UnrecoverableError(error.message), { cause: error });
      }
      if (error instanceof RetryLaterError) {
        // moveToDelayed skips the attempt counter; DelayedError tells the worker not to complete or fail the job.
        logger.info({ queue, jobId: id, delayMs: error.delayMs, reason: error.reason }, "job asked to run later");
        await job.moveToDelayed(Date.now() + error.delayMs, token);
        throw new DelayedError();
      }
      throw error;
    }
  }

  return adapter;
}

/** BullMQ's error codes (its ErrorCode enum, on `error.code`): outcomes are told apart by code, not message. */
const BULLMQ_JOB_NOT_EXIST = -1;
const BULLMQ_JOB_NOT_IN_STATE = -3;

function hasBullMqCode(error: unknown, codes: number[]): boolean {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === "number" && codes.includes(code);
}

function toFailedJob(queue: QueueName, job: Job): FailedJob {
  return {
    id: job.id ?? "",
    name: job.name,
    queue,
    data: job.data as unknown,
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    failedReason: job.failedReason ?? "",
    failedAt: job.finishedOn === undefined ? null : new Date(job.finishedOn),
    enqueuedAt: new Date(job.timestamp),
  };
}

function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}

/** `maxmemory-policy` from CONFIG GET, else from INFO (managed Redis often forbids CONFIG); undefined if neither answers. */
async function readEvictionPolicy(client: Redis): Promise<string | undefined> {
  try {
    const reply = (await client.config("GET", "maxmemory-policy")) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === "string") return reply[1];
  } catch (error) {
    if (!isReplyError(error)) throw error;
  }
  try {
    const info = await client.info("memory");
    const match = /^maxmemory_policy:(\S+)/m.exec(info);
    if (match?.[1] !== undefined) return match[1];
  } catch (error) {
    if (!isReplyError(error)) throw error;
  }
  return undefined;
}
