import type { Logger } from "../infrastructure/logging/logger.ts";

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

export interface Shutdown {
  /**
   * Start-up is over: `steps` run in order when the process stops (stop taking work, drain, close connections), and a
   * signal that came during start-up is acted on now.
   */
  ready(steps: ShutdownStep[]): void;
}

/**
 * Installed first thing in a process, before start-up connects to anything: SIGTERM/SIGINT run the steps given to
 * `ready` in order and exit 0 (a failing step exits 1). A signal during start-up (migrations, waiting for Redis, starting
 * workers) is held until start-up is over, then acted on, so an orchestrator stopping a process that is still
 * starting gets a clean exit 0 instead of a death by signal; the shutdown timeout runs from the signal, so a start-up
 * that hangs still ends. A second signal forces an immediate exit, for an operator who means it.
 */
export function handleSignals(logger: Logger, timeoutMs = 30_000): Shutdown {
  const steps: ShutdownStep[] = [];
  let isStarted = false;
  let pending: NodeJS.Signals | null = null;
  let stopping = false;

  const stop = async (signal: NodeJS.Signals) => {
    stopping = true;
    logger.info({ signal }, "shutting down: finishing active work");
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
    logger.flush?.();
    process.exit(code);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping || pending) {
      logger.warn({ signal }, "second signal: exiting without waiting");
      process.exit(1);
    }
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown took too long: exiting");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    if (isStarted) {
      void stop(signal);
    } else {
      pending = signal;
      logger.info({ signal }, "signal during start-up: stopping as soon as start-up is over");
    }
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  return {
    ready(ready) {
      steps.push(...ready);
      isStarted = true;
      if (pending) void stop(pending);
    },
  };
}

