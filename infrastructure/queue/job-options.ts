import type { BackoffPolicy, EnqueueOptions } from "../../domain/ports.ts";

/** Defaults shared by both adapters, so dev mode retries the way production does. */
export const DEFAULT_ATTEMPTS = 5;
export const DEFAULT_BACKOFF: BackoffPolicy = { type: "exponential", delayMs: 1000 };

export interface NormalizedJobOptions {
  attempts: number;
  backoff: BackoffPolicy;
  delayMs: number;
}

export function normalizeJobOptions(options: EnqueueOptions): NormalizedJobOptions {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be an integer >= 1, got ${attempts}`);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  if (!Number.isFinite(backoff.delayMs) || backoff.delayMs < 0) {
    throw new RangeError(`backoff.delayMs must be a finite number >= 0, got ${backoff.delayMs}`);
  }
  const delayMs = options.delayMs ?? 0;
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`delayMs must be a finite number >= 0, got ${delayMs}`);
  return { attempts, backoff, delayMs };
}

/** Delay before the retry that follows failure number `attemptsMade` (1-based), with BullMQ's formula. */
export function retryDelayMs(backoff: BackoffPolicy, attemptsMade: number): number {
  return backoff.type === "fixed" ? backoff.delayMs : Math.round(2 ** (attemptsMade - 1) * backoff.delayMs);
}
