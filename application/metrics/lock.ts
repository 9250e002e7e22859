import type { DistributedLock } from "../../domain/ports.ts";
import { RetryLaterError, withLock, type QueueLogger } from "../../infrastructure/queue/index.ts";
import { jobIdPart } from "../../infrastructure/queue/job-id.ts";

/** Long enough for one repository's day; withLock renews it every ttl/3 while the work runs. */
export const METRICS_LOCK_TTL_MS = 60_000;

/** `metrics-<name>-<repo>-<period>`: one holder per job, repository and period (no ':' so it doubles as a job id part). */
export function metricsLockKey(name: string, repoId: string, period: string): string {
  return jobIdPart(`metrics-${name}-${repoId}-${period}`);
}

/**
 * Runs `work` while holding the (name, repo, period) lock: a random token set with NX PX, renewed while the work
 * runs, released by compare-and-delete (infrastructure/queue/with-lock.ts). When another holder has it, throws
 * RetryLaterError so the job runs again after the lock's ttl — if the holder crashed, its lock has expired by
 * then; if it finished, the rerun rewrites the same rows. The lock saves duplicate work; the idempotent writes
 * (ON CONFLICT … DO UPDATE) are what keep a paused holder that outlived its ttl from doing harm.
 */
export async function acquireLock<T>(
  deps: { lock: DistributedLock; logger?: QueueLogger },
  scope: { name: string; repoId: string; period: string; ttlMs?: number },
  work: (signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; lockLost: boolean }> {
  const key = metricsLockKey(scope.name, scope.repoId, scope.period);
  const ttlMs = scope.ttlMs ?? METRICS_LOCK_TTL_MS;
  const outcome = await withLock(deps.lock, key, ttlMs, ({ signal }) => work(signal), { logger: deps.logger });
  if (!outcome.ran) throw new RetryLaterError(ttlMs, `${key} is held by another worker`);
  if (outcome.lockLost) deps.logger?.warn({ key }, "metrics lock was lost before the work finished; the write is idempotent");
  return { value: outcome.value, lockLost: outcome.lockLost };
}
