import type { ProcessRole, Services } from "../application/services.ts";
import type { Clock } from "../domain/ports.ts";
import { createSessionStorage } from "../infrastructure/auth/session.ts";
import type { Env } from "../infrastructure/config/env.ts";
import { openDatabase } from "../infrastructure/db/open.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { createQueueRuntime, type QueueRuntime } from "../infrastructure/queue/index.ts";

/** The Clock every process uses: the machine's real time. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that starts at `start` and runs at the real pace (SENTINEL_FIXED_NOW): what happens on screen and in the
 * demo does not depend on the day the process started, yet durations and "seconds ago" still move.
 */
export function clockStartingAt(start: Date, real: Clock = systemClock): Clock {
  const offset = start.getTime() - real.now().getTime();
  return { now: () => new Date(real.now().getTime() + offset) };
}

export interface ServicesHandle {
  services: Services;
  /** Closes the queue (active jobs finish) and then the database. Safe to call twice. */
  close(): Promise<void>;
}

export async function createServices(
  env: Env,
  logger: Logger,
  options: { role: ProcessRole; migrate: boolean },
): Promise<ServicesHandle> {
  if (options.role !== "all" && options.role !== "cli" && env.usesEmbeddedDatabase) {
    throw new Error(
      `npm run start:${options.role} needs DATABASE_URL: the embedded database belongs to one process, ` +
        "so web and worker can only run apart on PostgreSQL. Use `npm start` for the single-process setup.",
    );
  }
  if (options.role !== "all" && options.role !== "cli" && env.usesInProcessQueue) {
    throw new Error(
      `npm run start:${options.role} needs REDIS_URL: without Redis the queue lives inside one process, ` +
        "so a separate worker would never see the web process's jobs. Use `npm start` for the single-process setup.",
    );
  }

  const database = await openDatabase(env, logger.child({ component: "db" }), {
    applicationName: `sentinel-${options.role}`,
    migrate: options.migrate,
  });
  let queueRuntime: QueueRuntime | undefined;
  try {
    queueRuntime = createQueueRuntime({
      redisUrl: env.REDIS_URL,
      prefix: env.REDIS_PREFIX,
      logger: logger.child({ component: "queue" }),
    });
    await queueRuntime.assertReady();
  } catch (error) {
    await queueRuntime?.close().catch(() => {});
    await database.close();
    throw error;
  }
  const runtime = queueRuntime;

  let closing: Promise<void> | undefined;
  return {
    services: {
      env,
      logger,
      role: options.role,
      database,
      db: database.db,
      queue: runtime.queue,
      lock: runtime.lock,
      sessionStorage: createSessionStorage(env),
      clock: env.SENTINEL_FIXED_NOW ? clockStartingAt(new Date(env.SENTINEL_FIXED_NOW)) : systemClock,
      startedAt: new Date(),
    },
    close() {
      closing ??= (async () => {
        try {
          await runtime.close();
        } finally {
          await database.close();
        }
      })();
      return closing;
    },
  };
}
