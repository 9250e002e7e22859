/** `npm run start:web`: the web process alone (needs DATABASE_URL and REDIS_URL); scale it apart from workers. */
import { loadEnvOrExit } from "../infrastructure/config/env.ts";
import { announceGitHubAppSetup } from "../infrastructure/github/app-registration.ts";
import { configuredSecrets, createLogger } from "../infrastructure/logging/logger.ts";
import { loadRemixBuild, startHttpServer } from "./http-server.ts";
import { createServices } from "./services.ts";
import { handleSignals } from "./shutdown.ts";

const env = loadEnvOrExit();
const logger = createLogger({ level: env.LOG_LEVEL, name: "sentinel-web", secrets: configuredSecrets(env), buffered: true });
// Before start-up connects to anything: a SIGTERM while starting ends in a clean exit, not a death by signal.
const shutdown = handleSignals(logger);

async function main() {
  const build = await loadRemixBuild();
  const handle = await createServices(env, logger, { role: "web", migrate: true });
  const http = await startHttpServer(handle.services, build);
  shutdown.ready([
    { name: "http", run: () => http.close() },
    { name: "queue and database", run: () => handle.close() },
  ]);
  logger.info({ url: http.url }, `Sentinel web is running at ${http.url}`);
  await announceGitHubAppSetup(handle.services, http.url).catch((error: unknown) => logger.warn({ err: error }, "could not check for a GitHub App"));
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : "Sentinel web failed to start");
  process.exit(1);
});
