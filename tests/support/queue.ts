/**
 * Helpers for the queue and lock tests (not a test file itself). The throwaway Redis is a real
 * `redis-server` child process on a free port, for the faults the shared Redis must not suffer.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import type { QueueLogger } from "../../infrastructure/queue/logger.ts";

export async function waitFor<T>(
  probe: () => T | Promise<T>,
  { timeoutMs = 5000, intervalMs = 10, what = "condition" }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Collects log lines so a test can assert on them; nothing reaches the console. */
export function recordingLogger(): QueueLogger & { lines: { level: string; message: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, message, fields });
  return { lines, info: at("info"), warn: at("warn"), error: at("error") };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export interface ThrowawayRedis {
  port: number;
  url: string;
  /** SIGKILL by default (a crash); SIGTERM is Redis's own clean shutdown (it flushes the AOF when one is on). */
  stop(signal?: "SIGKILL" | "SIGTERM"): Promise<void>;
}

/** Starts `redis-server` on `port` (a free one by default) and resolves once it answers PING. */
export async function startThrowawayRedis(
  options: {
    port?: number;
    maxmemoryPolicy?: string;
    disabledCommands?: string[];
    /** Keep data across a restart on the same port: an append-only file in this directory. */
    appendOnlyDir?: string;
  } = {},
): Promise<ThrowawayRedis> {
  const port = options.port ?? (await freePort());
  const persistence = options.appendOnlyDir === undefined ? ["--appendonly", "no"] : ["--appendonly", "yes", "--dir", options.appendOnlyDir];
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--daemonize", "no"];
  if (options.maxmemoryPolicy !== undefined) args.push("--maxmemory-policy", options.maxmemoryPolicy);
  // Like a managed Redis that forbids CONFIG: renaming a command to "" removes it.
  for (const command of options.disabledCommands ?? []) args.push("--rename-command", command, "");
  const child: ChildProcess = spawn("redis-server", args, { stdio: "ignore" });
  const exited = once(child, "exit");
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on("error", () => undefined);
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${child.exitCode}`);
        try {
          if (probe.status !== "ready") await probe.connect();
          return (await probe.ping()) === "PONG";
        } catch {
          probe.disconnect();
          return false;
        }
      },
      { timeoutMs: 5000, intervalMs: 20, what: `redis-server on port ${port}` },
    );
  } finally {
    probe.disconnect();
  }
  return {
    port,
    url,
    async stop(signal = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        await exited;
      }
    },
  };
}

/** Deletes every key under `pattern` (SCAN, not KEYS, so a big shared Redis is not blocked). */
export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== "0");
}
