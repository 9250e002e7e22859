/** `npm run start:worker`: queue workers alone (needs DATABASE_URL and REDIS_URL); run as many as you need. */
import { startWorkers } from "../../jobs/workers.ts";
import { loadEnvOrExit } from "../config/env.ts";
import { createLogger } from "../logging/logger.ts";
import { createServices } from "./services.ts";
import { exitOnSignals } from "./shutdown.ts";

const env = loadEnvOrExit();
const logger = createLogger({ level: env.LOG_LEVEL, name: "sentinel-worker" });

async function main() {
  const handle = await createServices(env, logger, { role: "worker", migrate: true });
  await startWorkers(handle.services);
  exitOnSignals(logger, [{ name: "workers, queue and database", run: () => handle.close() }]);
  logger.info("Sentinel worker is running");
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : "Sentinel worker failed to start");
  process.exit(1);
});
