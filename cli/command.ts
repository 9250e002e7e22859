import type { z } from "zod";
import type { Clock } from "../domain/ports.ts";

/** What a command may write to; tests pass buffers, the real CLI passes the process streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** True when stderr is a terminal: progress bars redraw in place, otherwise they print sparse lines. */
  isTTY: boolean;
  /** Where "now" comes from (which day is yesterday); the real time when left out, a fixed one in tests. */
  clock?: Clock;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Returns the exit code. Throw CliUsageError for bad input: the runner prints one clear line and exits 2. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Bad input from the user: one line to stderr, exit code 2, no stack trace. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
}

/** Turns a zod failure into one readable line: "--limit: expected a positive integer". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
      return `${where}${issue.message}`;
    })
    .join("; ");
}

/**
 * Runs long, resumable work that Ctrl-C stops gracefully: the signal aborts after the batch being written, the work
 * returns what it did, and running the command again continues. The SIGINT handler is removed when the work ends.
 */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once("SIGINT", onInterrupt);
  try {
    return await work(stop.signal);
  } finally {
    process.removeListener("SIGINT", onInterrupt);
  }
}
