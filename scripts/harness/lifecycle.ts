/**
 * The life of one harness run (`npm run chaos`, `npm run soak`): everything it starts is registered here and removed
 * at the end — on success, on failure, on Ctrl-C, and when the hard deadline (`--timeout`) passes, whatever the run
 * was doing then (the burst, migrations, collecting data). One run per Node process, so the state is the module's.
 */
import { sleep } from "../../tests/support/queue.ts";

/** Exit code of a run stopped by its watchdog, as `timeout(1)` uses. */
export const TIMED_OUT_EXIT_CODE = 124;
/** How long the cleanup may take after a deadline or a Ctrl-C before the process exits anyway. */
const CLEANUP_BOUND_MS = 30_000;

let label = "harness";
let deadline = Number.POSITIVE_INFINITY;
let phase = "starting";

const cleanups: Array<{ what: string; run: () => Promise<void> | void }> = [];
/** Synchronous last resorts (SIGKILL to a child), for an exit that cannot wait for the orderly cleanup. */
const killers = new Set<() => void>();
/** True while a cleanup runs: processes that exit then were stopped on purpose. */
let tearingDown = false;
let cleaning: Promise<void> | undefined;

export function onCleanup(what: string, run: () => Promise<void> | void): void {
  cleanups.push({ what, run });
}

/** Registers a synchronous kill for a child process; call the returned function once it has exited. */
export function onEmergencyKill(kill: () => void): () => void {
  killers.add(kill);
  return () => killers.delete(kill);
}

export function isTearingDown(): boolean {
  return tearingDown;
}

/** The position in the cleanup list: `cleanUpTo(mark)` undoes everything registered after it. */
export function cleanupMark(): number {
  return cleanups.length;
}

/** Undoes, newest first, everything registered since `mark`. */
export async function cleanUpTo(mark: number): Promise<void> {
  tearingDown = true;
  for (const { what, run } of cleanups.splice(mark).reverse()) {
    try {
      await run();
    } catch (error) {
      console.error(`${label}: cleaning up ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  tearingDown = false;
}

function cleanUp(): Promise<void> {
  cleaning ??= cleanUpTo(0);
  return cleaning;
}

/** Kills every child at once, then cleans up (databases, temp files) for at most CLEANUP_BOUND_MS, then exits. */
function abort(message: string, code: number): void {
  if (cleaning) return;
  console.error(`\n${label}: ${message}; stopping everything it started…`);
  tearingDown = true;
  for (const kill of killers) {
    try {
      kill();
    } catch {
      // already gone
    }
  }
  setTimeout(() => {
    console.error(`${label}: the cleanup did not finish within ${CLEANUP_BOUND_MS / 1000} s; exiting anyway`);
    process.exit(code);
  }, CLEANUP_BOUND_MS).unref();
  void cleanUp().finally(() => process.exit(code));
}

/** What the run is doing now: named in the message of a run stopped by its deadline. */
export function setPhase(what: string): void {
  phase = what;
}

/** Milliseconds left before the deadline; throws when none are. */
export function remaining(what: string): number {
  const left = deadline - Date.now();
  if (left <= 0) throw new Error(`out of time (--timeout) while ${what}`);
  return left;
}

/** Thrown by a probe when waiting longer cannot help (a process died). */
export class FatalError extends Error {
  override name = "FatalError";
}

/** Polls `probe` until it returns a truthy value; errors other than FatalError are retried (a fault may cause them). */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const stopAt = Math.min(deadline, Date.now() + (options.timeoutMs ?? remaining(what)));
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      if (error instanceof FatalError) throw error;
      lastError = error;
    }
    if (Date.now() > stopAt) {
      throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})` : ""}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}

/**
 * Runs `main` under a hard watchdog: after `timeoutSeconds` every child is killed, everything registered is cleaned
 * up and the process exits with TIMED_OUT_EXIT_CODE, naming what it was doing. Ctrl-C (reaching this process more
 * than once, from the terminal and relayed by npm/tsx) cleans up on the first signal and exits 130. Never returns.
 */
export async function runHarness(options: { label: string; timeoutSeconds: number }, main: () => Promise<number>): Promise<never> {
  label = options.label;
  deadline = Date.now() + options.timeoutSeconds * 1000;
  const watchdog = setTimeout(() => abort(`--timeout ${options.timeoutSeconds} s reached while ${phase}`, TIMED_OUT_EXIT_CODE), options.timeoutSeconds * 1000);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => abort(signal, 130));
  process.on("unhandledRejection", (error) => {
    console.error(`${label}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    abort(`unexpected error while ${phase}`, 1);
  });
  let code = 1;
  try {
    code = await main();
  } catch (error) {
    console.error(`${label}: failed while ${phase}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    code = 1;
  }
  if (!cleaning) {
    setPhase("cleaning up");
    await cleanUp();
  } else {
    // The watchdog or a signal is cleaning up and will exit.
    await new Promise(() => undefined);
  }
  clearTimeout(watchdog);
  process.exit(code);
}
