import type { Logger } from "../logging/logger.ts";

/**
 * SIGTERM/SIGINT run the steps in order (stop taking work, drain, close connections) and exit 0; a failing
 * step exits 1. A second signal while draining forces an immediate exit, for an operator who means it.
 */
export function exitOnSignals(logger: Logger, steps: Array<{ name: string; run: () => Promise<void> }>, timeoutMs = 30_000): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting without waiting");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down: finishing active work");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown took too long: exiting");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    let code = 0;
    for (const step of steps) {
      try {
        await step.run();
        logger.info({ step: step.name }, "stopped");
      } catch (error) {
        code = 1;
        logger.error({ step: step.name, err: error }, "shutdown step failed");
      }
    }
    clearTimeout(timer);
    logger.flush?.();
    process.exit(code);
  };
  process.on("SIGTERM", (signal) => void stop(signal));
  process.on("SIGINT", (signal) => void stop(signal));
}
