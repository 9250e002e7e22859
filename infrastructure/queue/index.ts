/**
 * The queue layer's entry point for composition roots (web, worker, CLI): BullMQ + Redis lock when a Redis URL
 * is configured, the in-process queue + memory lock otherwise (the zero-setup default, one process only).
 */
import { Redis } from "ioredis";
import type { Clock, DistributedLock, JobQueue } from "../../domain/ports.ts";
import { createBullMqQueue } from "./bullmq-queue.ts";
import { createInProcessQueue } from "./in-process-queue.ts";
import { noopLogger, type QueueLogger } from "./logger.ts";
import { createMemoryLock } from "./memory-lock.ts";
import { closeConnection, logConnectionErrors, waitForConnection } from "./redis-connection.ts";
import { createRedisLock } from "./redis-lock.ts";

export { PermanentJobError, QueueClosedError, QueueUnavailableError, RedisEvictionPolicyError, RetryLaterError } from "./errors.ts";
export type { QueueLogger } from "./logger.ts";
export { withLock, type LockScope, type WithLockResult } from "./with-lock.ts";

export interface QueueRuntime {
  queue: JobQueue;
  lock: DistributedLock;
  /** Waits for the backend and checks it (Redis maxmemory-policy). Call once at boot, before serving. */
  assertReady(): Promise<void>;
  /** Closes the queue (active jobs finish) and the lock's connection. */
  close(): Promise<void>;
}

export function createQueueRuntime(options: {
  /** Unset: in-process queue and memory lock. */
  redisUrl?: string;
  /** BullMQ key prefix; locks live under `${prefix}:lock:`. Default "sentinel". */
  prefix?: string;
  logger?: QueueLogger;
  clock?: Clock;
  /** How long `assertReady` waits for Redis at start (a restart in progress). Default 10 s. */
  startupTimeoutMs?: number;
}): QueueRuntime {
  const logger = options.logger ?? noopLogger;
  const prefix = options.prefix ?? "sentinel";
  if (options.redisUrl === undefined || options.redisUrl === "") {
    const queue = createInProcessQueue({ logger, clock: options.clock });
    return { queue, lock: createMemoryLock(), assertReady: async () => {}, close: () => queue.close() };
  }

  const startupTimeoutMs = options.startupTimeoutMs ?? 10_000;
  const queue = createBullMqQueue({ redisUrl: options.redisUrl, prefix, logger, startupTimeoutMs });
  // Locks guard short critical sections inside jobs: fail fast rather than queue commands during an outage.
  const lockConnection = new Redis(options.redisUrl, {
    enableOfflineQueue: false,
    lazyConnect: true,
    connectTimeout: 500,
    commandTimeout: 1000,
    maxRetriesPerRequest: 1,
    connectionName: `${prefix}-lock`,
  });
  logConnectionErrors(lockConnection, "lock", logger);
  let connecting: Promise<void> | undefined;
  return {
    queue,
    lock: createRedisLock(lockConnection, { prefix: `${prefix}:lock` }),
    async assertReady() {
      // Like the queue's own connections, wait out a Redis that is restarting: `connect()` alone rejects at the first
      // refused attempt ("Connection is closed."), which made a process started during a restart exit at once.
      connecting ??= waitForConnection(lockConnection, startupTimeoutMs, "lock connection").catch((error: unknown) => {
        connecting = undefined;
        throw error;
      });
      await Promise.all([queue.assertReady(), connecting]);
    },
    async close() {
      await queue.close();
      await closeConnection(lockConnection);
    },
  };
}
