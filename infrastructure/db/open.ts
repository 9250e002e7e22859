import type { Env } from "../config/env.ts";
import type { Logger } from "../logging/logger.ts";
import { connectPostgres, type DatabaseConnection } from "./client.ts";
import { startEmbeddedPostgres } from "./embedded.ts";
import { migrateDatabase } from "./migrate.ts";

export interface OpenDatabaseOptions {
  applicationName: string;
  /** Apply pending migrations before connecting (npm start, sentinel migrate). */
  migrate: boolean;
}

/**
 * DATABASE_URL set: a pooled postgres.js client. Unset: this process starts and owns the embedded database,
 * and talks to it through one connection (PGlite runs one query at a time anyway).
 */
export async function openDatabase(env: Env, logger: Logger, options: OpenDatabaseOptions): Promise<DatabaseConnection> {
  if (env.DATABASE_URL) {
    if (options.migrate) await runAndLogMigrations(env.DATABASE_URL, logger);
    return connectPostgres(env.DATABASE_URL, { applicationName: options.applicationName, max: env.DATABASE_POOL_MAX });
  }
  const embedded = await startEmbeddedPostgres(env.SENTINEL_DATA_DIR, logger);
  try {
    if (options.migrate) await runAndLogMigrations(embedded.url, logger);
    return connectPostgres(embedded.url, {
      applicationName: options.applicationName,
      max: 1,
      kind: "embedded",
      onClose: () => embedded.stop(),
    });
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

async function runAndLogMigrations(url: string, logger: Logger): Promise<void> {
  const report = await migrateDatabase(url);
  logger.info(report, report.applied > 0 ? "database migrated" : "database schema is current");
}
