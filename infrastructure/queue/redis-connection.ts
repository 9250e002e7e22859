import type { Redis } from "ioredis";
import { QueueUnavailableError } from "./errors.ts";
import { describeError, type QueueLogger } from "./logger.ts";

/** The queue layer's ioredis connections (BullMQ's producer and workers, the lock): how they are watched, awaited and closed. */

export function logConnectionErrors(client: Redis, role: string, logger: QueueLogger): void {
  // Without a listener ioredis prints every reconnect failure with console.error.
  client.on("error", (error: unknown) => logger.warn({ role, error: describeError(error) }, "Redis connection error"));
}

/**
 * Resolves once `client` is ready; ioredis keeps retrying in the background meanwhile. A lazy connection (status
 * "wait") is started here. `connection` names it in the error ("connection", "lock connection").
 */
export function waitForConnection(client: Redis, timeoutMs: number, connection = "connection"): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  if (client.status === "end") return Promise.reject(new QueueUnavailableError(`the Redis ${connection} is closed`));
  if (client.status === "wait") client.connect().catch(() => undefined);
  return new Promise<void>((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      reject(new QueueUnavailableError(`Redis is not reachable (${connection} ${client.status} after ${timeoutMs} ms)`));
    }, timeoutMs);
    client.once("ready", onReady);
  });
}

/** QUIT when the connection is up (pending replies arrive first), else drop it; an ended connection is left alone. */
export async function closeConnection(client: Redis | undefined): Promise<void> {
  if (client === undefined || client.status === "end") return;
  if (client.status === "ready") {
    try {
      await client.quit();
      return;
    } catch {
      // fall through: the connection dropped while quitting
    }
  }
  client.disconnect();
}
