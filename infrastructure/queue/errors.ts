/**
 * Errors a job processor throws to decide what happens to the job. Both adapters (BullMQ and in-process)
 * give them the same meaning; anything else thrown is retried with the job's backoff until attempts run out.
 */

/** The job can never succeed (bad payload, 400 from an API, deleted repository): fail it now, no retry. */
export class PermanentJobError extends Error {
  override readonly name = "PermanentJobError";
}

/**
 * The job should run again later without consuming an attempt: a rate limit (429 with `retry-after`, GitHub's
 * secondary limit) says nothing about whether the job is broken.
 */
export class RetryLaterError extends Error {
  override readonly name = "RetryLaterError";

  constructor(
    readonly delayMs: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new RangeError(`RetryLaterError delayMs must be a finite number >= 0, got ${delayMs}`);
    }
    super(`retry in ${delayMs} ms: ${reason}`, options);
  }
}

/** The queue backend did not answer in time (Redis down): an HTTP handler maps this to 503. */
export class QueueUnavailableError extends Error {
  override readonly name: string = "QueueUnavailableError";
}

/** The queue was closed by this process (shutdown): unlike an outage, trying again will not help. */
export class QueueClosedError extends QueueUnavailableError {
  override readonly name = "QueueClosedError";
}

/** Redis would silently drop queue keys under memory pressure; BullMQ needs `maxmemory-policy noeviction`. */
export class RedisEvictionPolicyError extends Error {
  override readonly name = "RedisEvictionPolicyError";

  constructor(readonly policy: string) {
    super(
      `Redis maxmemory-policy is "${policy}", but the job queue needs "noeviction": with an evicting policy ` +
        `Redis deletes queued jobs under memory pressure. Set \`maxmemory-policy noeviction\` in redis.conf ` +
        `(or \`CONFIG SET maxmemory-policy noeviction\`) and start again.`,
    );
  }
}

/** Ids become Redis key parts, and BullMQ reserves ':' as a separator. */
export function assertValidId(kind: "jobId" | "schedule id", id: string): void {
  if (id.length === 0) throw new TypeError(`${kind} must not be empty`);
  if (id.includes(":")) throw new TypeError(`${kind} must not contain ':' (got "${id}")`);
}

/** A lookup by an id no job can have (empty, or with ':') finds nothing, without asking the backend. */
export function isQueryableId(id: string): boolean {
  return id.length > 0 && !id.includes(":");
}

export function assertRange(offset: number, limit: number): void {
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be an integer >= 0, got ${offset}`);
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be an integer >= 0, got ${limit}`);
}
