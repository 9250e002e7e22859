import type { DistributedLock, HeldLock } from "../../domain/ports.ts";
import { describeError, noopLogger, type QueueLogger } from "./logger.ts";

export type WithLockResult<T> =
  | { ran: false }
  /** `lockLost`: the lock expired (or could not be confirmed) before `fn` finished, so another holder may have run too. */
  | { ran: true; value: T; lockLost: boolean };

export interface LockScope {
  lock: HeldLock;
  /** Aborted when the lock is lost, so long work can stop early. */
  signal: AbortSignal;
}

/**
 * Runs `fn` while holding `key`: acquires it, renews it every ttl/3 while `fn` runs, releases it in `finally`.
 * Returns `{ ran: false }` without calling `fn` when another holder has the lock.
 */
export async function withLock<T>(
  lock: DistributedLock,
  key: string,
  ttlMs: number,
  fn: (scope: LockScope) => Promise<T>,
  options: { logger?: QueueLogger } = {},
): Promise<WithLockResult<T>> {
  const logger = options.logger ?? noopLogger;
  const acquired = await lock.acquire(key, ttlMs);
  if (acquired === null) return { ran: false };
  const held: HeldLock = acquired;

  const lost = new AbortController();
  let renewing: Promise<void> = Promise.resolve();
  const renewTimer = setInterval(
    () => {
      // One renewal at a time: a slow Redis must not pile up overlapping extends.
      renewing = renewing.then(async () => {
        if (lost.signal.aborted) return;
        try {
          if (!(await held.extend())) {
            logger.warn({ key }, "lock lost while its holder was still running");
            lost.abort(new Error(`lock ${key} lost`));
          }
        } catch (error) {
          // Transient (Redis blip): the lock may still be valid until its ttl; the next tick tries again.
          logger.warn({ key, error: describeError(error) }, "lock renewal failed");
        }
      });
    },
    Math.max(1, Math.floor(ttlMs / 3)),
  );
  renewTimer.unref();

  async function stopAndRelease(): Promise<boolean> {
    clearInterval(renewTimer);
    await renewing;
    try {
      return await held.release();
    } catch (error) {
      // Not rethrown: it would hide fn's own error, and the lock expires by itself after its ttl.
      logger.warn({ key, error: describeError(error) }, "lock release failed; it will expire after its ttl");
      return false;
    }
  }

  let value: T;
  try {
    value = await fn({ lock: held, signal: lost.signal });
  } catch (error) {
    await stopAndRelease();
    throw error;
  }
  const released = await stopAndRelease();
  return { ran: true, value, lockLost: lost.signal.aborted || !released };
}
