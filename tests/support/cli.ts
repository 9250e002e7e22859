import type { Clock } from "../../domain/ports.ts";
import type { CliIo } from "../../cli/command.ts";

/** A CliIo that collects what a command writes, for assertions. */
export function bufferIo(options: { isTTY?: boolean; clock?: Clock } = {}): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: { write: (chunk: string) => ((out += chunk), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (chunk: string) => ((err += chunk), true) } as unknown as NodeJS.WritableStream,
    isTTY: options.isTTY ?? false,
    clock: options.clock,
    out: () => out,
    err: () => err,
  };
}
