/** `npm run start:worker`: queue workers alone (needs DATABASE_URL and REDIS_URL); run as many as you need. */
import { startWorkers } from "../jobs/workers.ts";
import { loadEnvOrExit } from "../infrastructure/config/env.ts";
import { configuredSecrets, createLogger } from "../infrastructure/logging/logger.ts";
import { createServices } from "./services.ts";
import { handleSignals } from "./shutdown.ts";
import { startWorkerMetricsServer } from "./worker-metrics-server.ts";

const env = loadEnvOrExit();
const logger = createLogger({ level: env.LOG_LEVEL, name: "sentinel-worker", secrets: configuredSecrets(env) });
// Before start-up connects to anything: a SIGTERM while starting ends in a clean exit, not a death by signal.
const shutdown = handleSignals(logger);

async function main() {
  const handle = await createServices(env, logger, { role: "worker", migrate: true });
  await startWorkers(handle.services);
  // Optional: this process's job series are only visible to Prometheus through a listener of its own.
  const metrics =
    env.WORKER_METRICS_PORT === undefined ? null : await startWorkerMetricsServer(handle.services, { port: env.WORKER_METRICS_PORT, host: env.HOST });
  shutdown.ready([
    { name: "workers, queue and database", run: () => handle.close() },
    ...(metrics ? [{ name: "metrics listener", run: () => metrics.close() }] : []),
  ]);
  if (metrics) {
    logger.info(
      { url: metrics.url, metrics: env.METRICS_TOKEN ? "on" : "off (METRICS_TOKEN unset)" },
      `worker metrics listener at ${metrics.url} (/healthz, /readyz, /metrics)`,
    );
  }
  logger.info("Sentinel worker is running");
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : "Sentinel worker failed to start");
  process.exit(1);
});
