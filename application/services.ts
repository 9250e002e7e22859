/**
 * The services bag: the handles and ports a process builds once at boot (server/services.ts) and hands to the Remix
 * load context, the job processors and the CLI. Its type lives here, beside the use-cases that take parts of it, so
 * routes and jobs depend on application/ and never on the composition root that fills it.
 */
import type { Clock, DistributedLock, JobQueue } from "../domain/ports.ts";
import type { SentinelSessionStorage } from "../infrastructure/auth/session.ts";
import type { Env } from "../infrastructure/config/env.ts";
import type { Database, DatabaseConnection } from "../infrastructure/db/client.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";

export type ProcessRole = "all" | "web" | "worker" | "cli";

/** Everything a process needs, built once at boot and handed to Remix (load context), jobs and the CLI. */
export interface Services {
  env: Env;
  logger: Logger;
  role: ProcessRole;
  database: DatabaseConnection;
  db: Database;
  queue: JobQueue;
  lock: DistributedLock;
  sessionStorage: SentinelSessionStorage;
  /**
   * What the web routes take as "now" for their windows (last 90 days, 12-week sparklines, open alerts): the real
   * time in every process; tests pass a fixed one so their data and the pages' windows never drift apart.
   */
  clock: Clock;
  startedAt: Date;
}
