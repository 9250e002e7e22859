import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { DistributedLock, HeldLock } from "../../domain/ports.ts";
import { assertTtl } from "./memory-lock.ts";

/**
 * DistributedLock on one Redis: `SET key token NX PX ttl`; extend and release are compare-and-set /
 * compare-and-delete Lua scripts, so a holder whose lock expired and was taken by someone else cannot
 * extend or delete the new holder's lock.
 *
 * A single-Redis lock is an efficiency measure, not a correctness proof: a holder paused past its ttl keeps
 * running. The write it guards must itself be idempotent or fenced (docs/reliability.md, row 25).
 */
export interface RedisLock extends DistributedLock {
  /** A handle on `key` for a token obtained elsewhere; extend/release succeed only if that token still holds it. */
  adopt(key: string, token: string, ttlMs: number): HeldLock;
}

const EXTEND_IF_OWNER = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`;

const RELEASE_IF_OWNER = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`;

/**
 * @param redis a connection that fails fast when Redis is down (for example `enableOfflineQueue: false`, which
 *   also means commands fail until it is connected: await `connect()` at boot). The caller owns and closes it.
 * @param options.prefix namespace for the keys, e.g. `sentinel:lock`; the key is `${prefix}:${key}`.
 */
export function createRedisLock(redis: Redis, options: { prefix?: string } = {}): RedisLock {
  const prefix = options.prefix ?? "sentinel:lock";
  const redisKey = (key: string) => `${prefix}:${key}`;

  function handle(key: string, token: string, ttlMs: number): HeldLock {
    return {
      key,
      token,
      async extend() {
        const result = await redis.eval(EXTEND_IF_OWNER, 1, redisKey(key), token, String(ttlMs));
        return result === 1;
      },
      async release() {
        const result = await redis.eval(RELEASE_IF_OWNER, 1, redisKey(key), token);
        return result === 1;
      },
    };
  }

  return {
    async acquire(key, ttlMs) {
      assertTtl(ttlMs);
      const token = randomUUID();
      const result = await redis.set(redisKey(key), token, "PX", ttlMs, "NX");
      return result === "OK" ? handle(key, token, ttlMs) : null;
    },
    adopt(key, token, ttlMs) {
      assertTtl(ttlMs);
      return handle(key, token, ttlMs);
    },
  };
}
