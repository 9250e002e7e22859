/**
 * The few interfaces that really have two implementations. Everything else talks to Drizzle directly.
 *
 * - JobQueue: BullMQ on Redis in production, an in-process adapter in the zero-setup default.
 * - DistributedLock: Redis `SET NX PX` + Lua release in production, an in-memory map in one process.
 */

export const QUEUE_NAMES = ["webhooks", "analysis", "scheduled-jobs", "notifications"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface BackoffPolicy {
  type: "exponential" | "fixed";
  /** First retry delay; exponential doubles it on every further attempt. */
  delayMs: number;
}

export interface EnqueueOptions {
  /** Deterministic id: a second enqueue with the same id, while the first job still exists, is a no-op. No ':' allowed. */
  jobId?: string;
  delayMs?: number;
  /** Total attempts including the first. Default 5. */
  attempts?: number;
  backoff?: BackoffPolicy;
}

export interface EnqueueResult {
  jobId: string;
  /** false when a job with the same id already existed and nothing new was queued. */
  created: boolean;
}

export interface JobContext<TData = unknown> {
  id: string;
  name: string;
  queue: QueueName;
  data: TData;
  /** Attempts that already failed before this one (0 on the first run). Rate-limit delays do not count. */
  attemptsMade: number;
  updateProgress(progress: number | Record<string, unknown>): Promise<void>;
}

/**
 * What a thrown error means is decided by its type (infrastructure/queue/errors.ts), never by its text:
 * PermanentJobError fails the job at once; RetryLaterError(delayMs) runs it again later without consuming an
 * attempt; anything else is retried with the job's backoff until its attempts run out.
 */
export type JobProcessor = (job: JobContext) => Promise<unknown>;

export interface WorkerOptions {
  concurrency?: number;
}

export interface ScheduleDefinition {
  /** Stable id of the scheduler: upserting the same id replaces, never duplicates. */
  id: string;
  queue: QueueName;
  /** Cron pattern (5 or 6 fields). */
  pattern: string;
  /** IANA time zone the pattern is read in. Default UTC. */
  tz?: string;
  job: { name: string; data?: Record<string, unknown> };
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/** A job that ran out of attempts (or failed permanently) and is kept for inspection until retention drops it. */
export interface FailedJob {
  id: string;
  name: string;
  queue: QueueName;
  data: unknown;
  /** Attempts that failed, and the attempts the job was allowed. */
  attemptsMade: number;
  attempts: number;
  /** The last attempt's error message. */
  failedReason: string;
  failedAt: Date | null;
  enqueuedAt: Date;
}

export interface JobQueue {
  readonly kind: "bullmq" | "in-process";
  /**
   * `data` must be JSON-serialisable (it is stored as JSON). Rejects within 1 s when the backend is unreachable
   * (QueueUnavailableError), so an HTTP handler can answer 503 instead of hanging.
   */
  enqueue(queue: QueueName, name: string, data: unknown, options?: EnqueueOptions): Promise<EnqueueResult>;
  /**
   * Queues many jobs in one round trip (the webhook route's group commit). Same rules as `enqueue` per job — a job
   * whose id already exists is a no-op — but no `created` flag: callers that need it use `enqueue`. All or nothing
   * from the caller's view: a rejection means none may be assumed queued (ids make a retry safe).
   */
  enqueueBulk(queue: QueueName, jobs: ReadonlyArray<{ name: string; data: unknown; options?: EnqueueOptions }>): Promise<void>;
  /** Starts consuming `queue` with `processor`. One worker per queue per process (a second call rejects). Default concurrency 1. */
  startWorker(queue: QueueName, processor: JobProcessor, options?: WorkerOptions): Promise<void>;
  upsertSchedule(schedule: ScheduleDefinition): Promise<void>;
  counts(queue: QueueName): Promise<QueueCounts>;
  /** Failed jobs, the most recent failure first, from `offset` (0-based), at most `limit` of them. */
  listFailed(queue: QueueName, range: { offset: number; limit: number }): Promise<FailedJob[]>;
  /** The failed job with this id, or null when there is none (unknown id, or the job is not in the failed state). */
  getFailed(queue: QueueName, jobId: string): Promise<FailedJob | null>;
  /**
   * Queues a failed job again with fresh attempts (its data and options unchanged). false when no failed job has
   * this id — including one that another caller retried or discarded first.
   */
  retryFailed(queue: QueueName, jobId: string): Promise<boolean>;
  /** Deletes a failed job, which frees its jobId. false when no failed job has this id. */
  discardFailed(queue: QueueName, jobId: string): Promise<boolean>;
  /** Resolves when the backend answers; rejects (or resolves false) when it does not. Used by /healthz. */
  ping(): Promise<boolean>;
  /** Deeper check for /readyz: the backend answers and is configured safely (Redis must not evict keys). */
  readiness(): Promise<{ ready: boolean; detail: string }>;
  /** Stops taking new jobs, lets active jobs finish, then closes connections. Schedules stay registered. */
  close(): Promise<void>;
}

export interface HeldLock {
  readonly key: string;
  readonly token: string;
  /** Pushes the expiry out by the lock's ttl; false if the lock was lost (expired or taken by another holder). */
  extend(): Promise<boolean>;
  /** Deletes the lock only if this holder still owns it; false if it had already been lost. */
  release(): Promise<boolean>;
}

export interface DistributedLock {
  /** Returns the held lock, or null when another holder has it. */
  acquire(key: string, ttlMs: number): Promise<HeldLock | null>;
}

export interface Clock {
  now(): Date;
}

/** Where the analysis worker reads a commit: GitHub's REST API, or the demo dataset. */
export interface CommitSource {
  /**
   * GitHub's "get a commit" response (validated by the detection engine's mapper), or null when the commit no
   * longer exists (force-pushed away): the analysis marks it skipped instead of retrying.
   */
  getCommit(repository: { fullName: string; installationId: number | null }, sha: string): Promise<unknown | null>;
}
