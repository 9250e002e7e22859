import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { hostname } from "node:os";
import { waitFor } from "./queue.ts";

/**
 * A real worker process, as an operator runs it: the sources through tsx (server/start-worker.ts), or
 * with `compiled` the bundle `npm run start:worker` runs (build/server/start-worker.js; build it first with
 * `npm run build:server`).
 */
export interface WorkerProcess {
  child: ChildProcess;
  /** What it logged so far (JSON lines), stdout and stderr together. */
  output(): string;
  /** The name BullMQ records as `processedBy` on every job this process takes: `<hostname>:<pid>`. */
  workerName: string;
  /** Resolves once it logged "Sentinel worker is running"; rejects with its output if it exits or takes too long. */
  running(timeoutMs?: number): Promise<void>;
  /** SIGTERM (active jobs finish), SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function startWorkerProcess(env: Record<string, string>, options: { compiled?: boolean } = {}): WorkerProcess {
  const entry = options.compiled ? ["build/server/start-worker.js"] : ["--import", "tsx", "server/start-worker.ts"];
  const child = spawn(process.execPath, entry, {
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit");
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    output: () => output,
    workerName: `${hostname()}:${child.pid}`,
    async running(timeoutMs = 45_000) {
      await waitFor(
        () => {
          if (gone()) throw new Error(`the worker process exited (${child.exitCode ?? child.signalCode}) before it ran: ${output.slice(0, 6000)}`);
          return output.includes("Sentinel worker is running");
        },
        { timeoutMs, intervalMs: 50, what: `worker process ${child.pid} to start` },
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; worker output: ${output.slice(0, 6000)}`);
      });
    },
    async stop(graceMs = 15_000) {
      if (gone()) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
