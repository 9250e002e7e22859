import { CronExpressionParser } from "cron-parser";
import type {
  BackoffPolicy,
  Clock,
  EnqueueOptions,
  EnqueueResult,
  FailedJob,
  JobContext,
  JobProcessor,
  JobQueue,
  QueueCounts,
  QueueName,
  ScheduleDefinition,
  WorkerOptions,
} from "../../domain/ports.ts";
import { PermanentJobError, QueueClosedError, RetryLaterError, assertRange, assertValidId, isQueryableId } from "./errors.ts";
import { describeError, noopLogger, type QueueLogger } from "./logger.ts";
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF, normalizeJobOptions, retryDelayMs } from "./job-options.ts";

/**
 * JobQueue inside the current process: the zero-setup adapter used when REDIS_URL is unset, the way Rails'
 * async adapter serves development. Same semantics as the BullMQ adapter (jobId dedup while the job exists,
 * delays, attempts with backoff, PermanentJobError / RetryLaterError, per-queue concurrency, cron schedules),
 * but nothing survives a restart: jobs queued when the process stops are lost.
 */
export interface InProcessQueueOptions {
  logger?: QueueLogger;
  /** Used for timestamps, retention and the cron "now". Timers still run on real time. */
  clock?: Clock;
  /** How long finished jobs are kept (they keep their jobId taken). Defaults mirror the BullMQ adapter. */
  retention?: Partial<RetentionPolicy>;
}

export interface RetentionPolicy {
  completedMaxAgeMs: number;
  completedMaxCount: number;
  failedMaxAgeMs: number;
  failedMaxCount: number;
}

const DEFAULT_RETENTION: RetentionPolicy = {
  completedMaxAgeMs: 24 * 60 * 60 * 1000,
  completedMaxCount: 1000,
  failedMaxAgeMs: 7 * 24 * 60 * 60 * 1000,
  // BullMQ keeps failed jobs by age only; in memory we also cap the count.
  failedMaxCount: 1000,
};

/** setTimeout fires at once for delays above 2^31-1 ms (~24.8 days); longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type JobState = "waiting" | "delayed" | "active" | "completed" | "failed";

interface InProcessJob {
  id: string;
  name: string;
  queue: QueueName;
  data: unknown;
  attempts: number;
  backoff: BackoffPolicy;
  attemptsMade: number;
  state: JobState;
  progress: number | Record<string, unknown>;
  runAt: number;
  timer?: ReturnType<typeof setTimeout>;
  enqueuedAt: number;
  finishedAt?: number;
  failedReason?: string;
  scheduleId?: string;
}

interface QueueState {
  jobs: Map<string, InProcessJob>;
  waiting: InProcessJob[];
  active: Set<InProcessJob>;
  /** Finished jobs in finishing order, for retention. */
  completed: InProcessJob[];
  failed: InProcessJob[];
  worker?: { processor: JobProcessor; concurrency: number };
  pumpScheduled: boolean;
}

interface ScheduleState {
  definition: ScheduleDefinition;
  nextJobId?: string;
}

/** Next run of a cron pattern strictly after `after`, read in time zone `tz`. Throws on an invalid pattern. */
export function nextCronRun(pattern: string, tz: string, after: Date): Date {
  return CronExpressionParser.parse(pattern, { tz, currentDate: after }).next().toDate();
}

export function createInProcessQueue(options: InProcessQueueOptions = {}): JobQueue {
  const logger = options.logger ?? noopLogger;
  const now = () => (options.clock ? options.clock.now().getTime() : Date.now());
  const retention: RetentionPolicy = { ...DEFAULT_RETENTION, ...options.retention };
  const queues = new Map<QueueName, QueueState>();
  const schedules = new Map<string, ScheduleState>();
  const running = new Set<Promise<void>>();
  let sequence = 0;
  let closed = false;

  function queueState(name: QueueName): QueueState {
    let state = queues.get(name);
    if (state === undefined) {
      state = { jobs: new Map(), waiting: [], active: new Set(), completed: [], failed: [], pumpScheduled: false };
      queues.set(name, state);
    }
    return state;
  }

  function pruneFinished(state: QueueState): void {
    const at = now();
    const prune = (list: InProcessJob[], maxAgeMs: number, maxCount: number) => {
      while (list.length > 0 && (list.length > maxCount || (list[0]?.finishedAt ?? at) < at - maxAgeMs)) {
        const job = list.shift();
        if (job !== undefined && state.jobs.get(job.id) === job) state.jobs.delete(job.id);
      }
    };
    prune(state.completed, retention.completedMaxAgeMs, retention.completedMaxCount);
    prune(state.failed, retention.failedMaxAgeMs, retention.failedMaxCount);
  }

  function armTimer(state: QueueState, job: InProcessJob): void {
    if (closed) return;
    const remaining = job.runAt - now();
    if (remaining <= 0) {
      job.timer = undefined;
      job.state = "waiting";
      state.waiting.push(job);
      schedulePump(state);
      return;
    }
    job.timer = setTimeout(() => armTimer(state, job), Math.min(remaining, MAX_TIMER_MS));
    // A pending delayed job must not keep a finished test or CLI process alive.
    job.timer.unref();
  }

  function putDelayed(state: QueueState, job: InProcessJob, delayMs: number): void {
    job.state = "delayed";
    job.runAt = now() + delayMs;
    armTimer(state, job);
  }

  function schedulePump(state: QueueState): void {
    if (state.pumpScheduled || closed) return;
    state.pumpScheduled = true;
    // Never start a processor inside the caller's stack (enqueue, a finishing job): BullMQ never does either.
    // Not unref'd: it runs on the next turn of the loop, so it cannot keep a process alive.
    setImmediate(() => {
      state.pumpScheduled = false;
      pump(state);
    });
  }

  function pump(state: QueueState): void {
    const worker = state.worker;
    if (worker === undefined || closed) return;
    while (state.active.size < worker.concurrency) {
      const job = state.waiting.shift();
      if (job === undefined) return;
      run(state, job, worker.processor);
    }
  }

  function finish(state: QueueState, job: InProcessJob, outcome: "completed" | "failed"): void {
    job.state = outcome;
    job.finishedAt = now();
    state[outcome].push(job);
    pruneFinished(state);
  }

  function run(state: QueueState, job: InProcessJob, processor: JobProcessor): void {
    job.state = "active";
    state.active.add(job);
    // Like BullMQ's job schedulers: the next run is queued when the current one starts.
    if (job.scheduleId !== undefined) {
      const schedule = schedules.get(job.scheduleId);
      if (schedule?.nextJobId === job.id) queueNextScheduledRun(schedule);
    }
    const context: JobContext = {
      id: job.id,
      name: job.name,
      queue: job.queue,
      data: job.data,
      attemptsMade: job.attemptsMade,
      async updateProgress(progress) {
        job.progress = progress;
      },
    };
    const execution = (async () => {
      try {
        await processor(context);
        finish(state, job, "completed");
      } catch (error) {
        handleFailure(state, job, error);
      } finally {
        state.active.delete(job);
        schedulePump(state);
      }
    })();
    running.add(execution);
    void execution.then(() => running.delete(execution));
  }

  function handleFailure(state: QueueState, job: InProcessJob, error: unknown): void {
    const fields = { queue: job.queue, jobId: job.id, jobName: job.name, error: describeError(error) };
    if (error instanceof RetryLaterError) {
      logger.info({ ...fields, delayMs: error.delayMs }, "job asked to run later; attempt not consumed");
      putDelayed(state, job, error.delayMs);
      return;
    }
    job.attemptsMade += 1;
    if (error instanceof PermanentJobError || job.attemptsMade >= job.attempts) {
      logger.error({ ...fields, attemptsMade: job.attemptsMade }, "job failed permanently");
      // What BullMQ stores as failedReason: the message alone.
      job.failedReason = error instanceof Error ? error.message : String(error);
      finish(state, job, "failed");
      return;
    }
    const delayMs = retryDelayMs(job.backoff, job.attemptsMade);
    logger.warn({ ...fields, attemptsMade: job.attemptsMade, delayMs }, "job failed; will retry");
    putDelayed(state, job, delayMs);
  }

  function addJob(
    queue: QueueName,
    name: string,
    data: unknown,
    enqueueOptions: EnqueueOptions,
    scheduleId?: string,
  ): EnqueueResult {
    // While active jobs drain at shutdown they may still queue follow-up work; it is kept (and lost with the
    // process, like every waiting job here) instead of failing the job that is finishing.
    if (closed && running.size === 0) throw new QueueClosedError("the in-process queue is closed");
    const state = queueState(queue);
    pruneFinished(state);
    const { attempts, backoff, delayMs } = normalizeJobOptions(enqueueOptions);
    const id = enqueueOptions.jobId ?? String(++sequence);
    if (state.jobs.has(id)) return { jobId: id, created: false };
    const job: InProcessJob = {
      id,
      name,
      queue,
      // Round-trip through JSON like Redis does, so dev mode shows what production workers will receive.
      data: data === undefined ? undefined : JSON.parse(JSON.stringify(data)),
      attempts,
      backoff,
      attemptsMade: 0,
      state: "waiting",
      progress: 0,
      runAt: now(),
      enqueuedAt: now(),
      scheduleId,
    };
    state.jobs.set(id, job);
    if (delayMs > 0) {
      putDelayed(state, job, delayMs);
    } else {
      state.waiting.push(job);
      schedulePump(state);
    }
    return { jobId: id, created: true };
  }

  /** The failed job with this id, kept in retention; undefined otherwise. */
  function failedJob(queue: QueueName, jobId: string): { state: QueueState; job: InProcessJob } | undefined {
    if (!isQueryableId(jobId)) return undefined;
    const state = queueState(queue);
    pruneFinished(state);
    const job = state.jobs.get(jobId);
    return job?.state === "failed" ? { state, job } : undefined;
  }

  function toFailedJob(job: InProcessJob): FailedJob {
    return {
      id: job.id,
      name: job.name,
      queue: job.queue,
      data: job.data,
      attemptsMade: job.attemptsMade,
      attempts: job.attempts,
      failedReason: job.failedReason ?? "",
      failedAt: job.finishedAt === undefined ? null : new Date(job.finishedAt),
      enqueuedAt: new Date(job.enqueuedAt),
    };
  }

  function removeFromFailed(state: QueueState, job: InProcessJob): void {
    const index = state.failed.indexOf(job);
    if (index >= 0) state.failed.splice(index, 1);
  }

  function assertAccepting(): void {
    if (closed && running.size === 0) throw new QueueClosedError("the in-process queue is closed");
  }

  function queueNextScheduledRun(schedule: ScheduleState): void {
    const { definition } = schedule;
    const nextAt = nextCronRun(definition.pattern, definition.tz ?? "UTC", new Date(now())).getTime();
    const jobId = `schedule-${definition.id}-${nextAt}`;
    addJob(
      definition.queue,
      definition.job.name,
      definition.job.data ?? {},
      { jobId, delayMs: Math.max(0, nextAt - now()), attempts: DEFAULT_ATTEMPTS, backoff: DEFAULT_BACKOFF },
      definition.id,
    );
    schedule.nextJobId = jobId;
  }

  function removePendingScheduledRun(schedule: ScheduleState): void {
    if (schedule.nextJobId === undefined) return;
    const state = queueState(schedule.definition.queue);
    const job = state.jobs.get(schedule.nextJobId);
    if (job?.state === "delayed") {
      clearTimeout(job.timer);
      state.jobs.delete(job.id);
    }
    schedule.nextJobId = undefined;
  }

  return {
    kind: "in-process",

    async enqueue(queue, name, data, enqueueOptions = {}) {
      if (enqueueOptions.jobId !== undefined) assertValidId("jobId", enqueueOptions.jobId);
      return addJob(queue, name, data, enqueueOptions);
    },

    async enqueueBulk(queue, jobs) {
      for (const job of jobs) if (job.options?.jobId !== undefined) assertValidId("jobId", job.options.jobId);
      for (const job of jobs) await addJob(queue, job.name, job.data, job.options ?? {});
    },

    async startWorker(queue, processor, workerOptions: WorkerOptions = {}) {
      if (closed) throw new QueueClosedError("the in-process queue is closed");
      const concurrency = workerOptions.concurrency ?? 1;
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new RangeError(`worker concurrency must be a positive integer, got ${concurrency}`);
      }
      const state = queueState(queue);
      if (state.worker !== undefined) throw new Error(`a worker for queue "${queue}" is already running`);
      state.worker = { processor, concurrency };
      schedulePump(state);
    },

    async upsertSchedule(definition) {
      if (closed) throw new QueueClosedError("the in-process queue is closed");
      assertValidId("schedule id", definition.id);
      // Validate before touching the current schedule, so a bad pattern leaves the old one running.
      nextCronRun(definition.pattern, definition.tz ?? "UTC", new Date(now()));
      const existing = schedules.get(definition.id);
      if (existing !== undefined) removePendingScheduledRun(existing);
      const schedule: ScheduleState = { definition: structuredClone(definition) };
      schedules.set(definition.id, schedule);
      queueNextScheduledRun(schedule);
    },

    async counts(queue): Promise<QueueCounts> {
      const state = queueState(queue);
      pruneFinished(state);
      const counts: QueueCounts = { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 };
      for (const job of state.jobs.values()) counts[job.state] += 1;
      return counts;
    },

    async listFailed(queue, { offset, limit }) {
      assertRange(offset, limit);
      assertAccepting();
      const state = queueState(queue);
      pruneFinished(state);
      // `failed` is in finishing order; the newest failure comes first.
      return state.failed
        .slice()
        .reverse()
        .slice(offset, offset + limit)
        .map(toFailedJob);
    },

    async getFailed(queue, jobId) {
      assertAccepting();
      const found = failedJob(queue, jobId);
      return found ? toFailedJob(found.job) : null;
    },

    async retryFailed(queue, jobId) {
      assertAccepting();
      const found = failedJob(queue, jobId);
      if (!found) return false;
      const { state, job } = found;
      removeFromFailed(state, job);
      job.attemptsMade = 0;
      job.failedReason = undefined;
      job.finishedAt = undefined;
      job.state = "waiting";
      state.waiting.push(job);
      schedulePump(state);
      return true;
    },

    async discardFailed(queue, jobId) {
      assertAccepting();
      const found = failedJob(queue, jobId);
      if (!found) return false;
      removeFromFailed(found.state, found.job);
      found.state.jobs.delete(jobId);
      return true;
    },

    async ping() {
      return !closed;
    },

    async readiness() {
      return closed ? { ready: false, detail: "the in-process queue is closed" } : { ready: true, detail: "in-process queue" };
    },

    async close() {
      if (!closed) {
        closed = true;
        for (const state of queues.values()) {
          for (const job of state.jobs.values()) clearTimeout(job.timer);
        }
      }
      // Active jobs finish; waiting and delayed ones are dropped with the process, as documented above.
      await Promise.allSettled([...running]);
    },
  };
}
