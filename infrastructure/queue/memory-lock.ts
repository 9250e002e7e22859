import { randomUUID } from "node:crypto";
import type { DistributedLock, HeldLock } from "../../domain/ports.ts";

/**
 * DistributedLock for one process (the zero-setup default, where web and worker share a process).
 * Same semantics as the Redis lock: a random token per holder, expiry after the ttl, and only the holder
 * can extend or release.
 */
export interface MemoryLock extends DistributedLock {
  /** A handle on `key` for a token obtained elsewhere; extend/release succeed only if that token still holds it. */
  adopt(key: string, token: string, ttlMs: number): HeldLock;
}

export function createMemoryLock(options: { now?: () => number } = {}): MemoryLock {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { token: string; expiresAt: number }>();

  function currentToken(key: string): string | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.token;
  }

  function handle(key: string, token: string, ttlMs: number): HeldLock {
    return {
      key,
      token,
      async extend() {
        if (currentToken(key) !== token) return false;
        entries.set(key, { token, expiresAt: now() + ttlMs });
        return true;
      },
      async release() {
        if (currentToken(key) !== token) return false;
        entries.delete(key);
        return true;
      },
    };
  }

  return {
    async acquire(key, ttlMs) {
      assertTtl(ttlMs);
      if (currentToken(key) !== undefined) return null;
      const token = randomUUID();
      entries.set(key, { token, expiresAt: now() + ttlMs });
      return handle(key, token, ttlMs);
    },
    adopt(key, token, ttlMs) {
      assertTtl(ttlMs);
      return handle(key, token, ttlMs);
    },
  };
}

export function assertTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`lock ttlMs must be a positive integer, got ${ttlMs}`);
}
