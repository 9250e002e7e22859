/**
 * `npm start`: the single-process install. Migrates, then serves the web app and runs every queue's workers in
 * this process. With nothing configured it uses the embedded database and the in-process queue, and seeds the
 * demo organisation into an empty database.
 */
import { startWorkers } from "../jobs/workers.ts";
import { loadEnvOrExit } from "../infrastructure/config/env.ts";
import type { Database } from "../infrastructure/db/client.ts";
import { seedDemoOrganization } from "../demo/seed.ts";
import { commitAnalysisProgress } from "../demo/analysis-progress.ts";
import { createProgressReporter } from "../cli/progress.ts";
import { announceGitHubAppSetup } from "../infrastructure/github/app-registration.ts";
import { organizations } from "../infrastructure/db/schema/index.ts";
import { configuredSecrets, createLogger, type Logger } from "../infrastructure/logging/logger.ts";
import { loadRemixBuild, startHttpServer } from "./http-server.ts";
import { createServices } from "./services.ts";
import { handleSignals } from "./shutdown.ts";

const env = loadEnvOrExit();
const logger = createLogger({ level: env.LOG_LEVEL, secrets: configuredSecrets(env) });
// Before start-up connects to anything: a SIGTERM while starting ends in a clean exit, not a death by signal.
const shutdown = handleSignals(logger);

async function main() {
  logger.info(
    {
      database: env.usesEmbeddedDatabase ? `embedded PGlite in ${env.SENTINEL_DATA_DIR}` : "PostgreSQL (DATABASE_URL)",
      queue: env.usesInProcessQueue ? "in-process" : "BullMQ on Redis (REDIS_URL)",
      mode: env.NODE_ENV,
    },
    "starting Sentinel (web and workers in one process)",
  );
  const build = await loadRemixBuild();
  const handle = await createServices(env, logger, { role: "all", migrate: true });
  const { services } = handle;
  await startWorkers(services);
  const http = await startHttpServer(services, build);
  shutdown.ready([
    { name: "http", run: () => http.close() },
    { name: "workers, queue and database", run: () => handle.close() },
  ]);
  logger.info({ url: http.url }, `Sentinel is running at ${http.url}`);
  await announceGitHubAppSetup(services, http.url).catch((error: unknown) => logger.warn({ err: error }, "could not check for a GitHub App"));

  const seedDemo =
    env.SENTINEL_DEMO_DATA === "on" ||
    (env.SENTINEL_DEMO_DATA === "auto" && !env.isProduction && (await isEmptyOrDemoOnly(services.db)));
  if (seedDemo) {
    // In the background: the dashboard is already up and fills in as the workers analyse the commits.
    const deliveries = demoProgressDisplay(logger, "demo deliveries");
    void seedDemoOrganization(
      { db: services.db, queue: services.queue, logger: logger.child({ component: "demo" }) },
      {
        analysis: "queue",
        now: services.clock.now(),
        onProgress: (progress) => {
          deliveries.update(progress.done, progress.total);
          // Ends the bar's line before the seeding logs that it is done.
          if (progress.done >= progress.total) deliveries.done();
        },
      },
    )
      .then((result) => watchDemoAnalysis(services.db, result.orgId))
      .catch((error: unknown) => logger.error({ err: error }, "seeding the demo organisation failed"));
  }
}

/**
 * The demo's progress for the person who ran `npm start` (issue 19): on a terminal a bar redrawn in place with the time
 * left; otherwise a log line at every tenth, which is what a log file or `docker logs` can show.
 */
function demoProgressDisplay(log: Logger, label: string) {
  if (process.stdout.isTTY) {
    return createProgressReporter({ stdout: process.stdout, stderr: process.stdout, isTTY: true }, label, { eta: true });
  }
  let lastDecile = -1;
  return {
    update(done: number, total: number) {
      const decile = total > 0 ? Math.floor((10 * done) / total) : 10;
      if (decile === lastDecile) return;
      lastDecile = decile;
      log.info({ done, total }, `${label}: ${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}`);
    },
    done() {},
  };
}

const DEMO_ANALYSIS_POLL_MS = 1000;

/**
 * Follows the workers through the demo's commits until none is pending. Says nothing when there was nothing left to
 * analyse (a restart after the demo was done), and stops quietly if the database closes first (a shutdown).
 */
async function watchDemoAnalysis(db: Database, orgId: string): Promise<void> {
  let display: ReturnType<typeof demoProgressDisplay> | undefined;
  try {
    for (;;) {
      const { done, total } = await commitAnalysisProgress(db, orgId);
      if (done >= total && display === undefined) return;
      display ??= demoProgressDisplay(logger, "demo analysis");
      display.update(done, total);
      if (done >= total) break;
      await new Promise((resolve) => setTimeout(resolve, DEMO_ANALYSIS_POLL_MS).unref());
    }
    display.done();
    logger.info("demo analysis finished: every demo commit is on the dashboard");
  } catch (error) {
    display?.done();
    logger.debug({ err: error }, "stopped following the demo analysis");
  }
}

/** Seed only into a database with no real organisation: never mix demo data into a real install uninvited. */
async function isEmptyOrDemoOnly(db: Database): Promise<boolean> {
  const rows = await db.select({ isDemo: organizations.isDemo }).from(organizations).limit(10);
  return rows.every((row) => row.isDemo);
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : "Sentinel failed to start");
  logger.flush?.();
  process.exit(1);
});
