import { EnvError, parseEnv, type Env } from "../infrastructure/config/env.ts";
import { configuredSecrets, createLogger, type Logger } from "../infrastructure/logging/logger.ts";
import type { Services } from "../application/services.ts";
import { createServices } from "../server/services.ts";
import { CliUsageError } from "./command.ts";

/** CLI commands log warnings and errors only: their own output is the progress and the result. */
export function cliLogger(env: Env): Logger {
  return createLogger({ level: env.LOG_LEVEL === "info" ? "warn" : env.LOG_LEVEL, name: "sentinel-cli", secrets: configuredSecrets(env) });
}

export function cliEnv(): Env {
  try {
    return parseEnv(process.env);
  } catch (error) {
    if (error instanceof EnvError) throw new CliUsageError(error.message.replace(/\n\s*/g, " "));
    throw error;
  }
}

/** Opens the database (and queue) for a command, runs it, and always closes them again. */
export async function withCliServices<T>(options: { migrate: boolean }, run: (services: Services) => Promise<T>): Promise<T> {
  const env = cliEnv();
  const handle = await createServices(env, cliLogger(env), { role: "cli", migrate: options.migrate });
  try {
    return await run(handle.services);
  } finally {
    await handle.close();
  }
}
