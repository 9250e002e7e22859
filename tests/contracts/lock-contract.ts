/**
 * The behaviour every DistributedLock owes its callers, plus withLock on top of it. Run against Redis
 * (redis-lock.test.ts) and the in-memory lock (memory-lock.test.ts).
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { DistributedLock, HeldLock } from "../../domain/ports.ts";
import { deferred, sleep } from "../support/queue.ts";
import { withLock } from "../../infrastructure/queue/with-lock.ts";

export interface LockUnderTest extends DistributedLock {
  adopt(key: string, token: string, ttlMs: number): HeldLock;
}

export function lockContract(adapterName: string, createLock: () => LockUnderTest): void {
  describe(`DistributedLock contract: ${adapterName}`, () => {
    it("lets exactly one of 10 concurrent contenders acquire a key", async () => {
      const lock = createLock();
      const results = await Promise.all(Array.from({ length: 10 }, () => lock.acquire("daily-metrics", 5000)));
      const holders = results.filter((held) => held !== null);
      expect(holders).toHaveLength(1);
      expect(await holders[0]!.release()).toBe(true);
      expect(await lock.acquire("daily-metrics", 5000)).not.toBeNull();
    });

    it("keeps the lock when someone releases or extends it with a foreign token", async () => {
      const lock = createLock();
      const held = await lock.acquire("repo-7", 5000);
      const impostor = lock.adopt("repo-7", randomUUID(), 5000);

      expect(await impostor.release()).toBe(false);
      expect(await impostor.extend()).toBe(false);
      expect(await lock.acquire("repo-7", 5000)).toBeNull();
      expect(await held!.release()).toBe(true);
    });

    it("lets a second holder in once a paused holder outlives its ttl; the first can then neither extend nor release", async () => {
      const lock = createLock();
      const first = await lock.acquire("recompute", 80);
      expect(first).not.toBeNull();

      await sleep(120); // the first holder "pauses" past its ttl
      const second = await lock.acquire("recompute", 5000);

      expect(second).not.toBeNull();
      expect(await first!.extend()).toBe(false);
      expect(await first!.release()).toBe(false);
      expect(await lock.acquire("recompute", 5000)).toBeNull();
      expect(await second!.release()).toBe(true);
    });

    it("extend pushes the expiry out by the ttl", async () => {
      const lock = createLock();
      // Second-scale margins: on a loaded machine a 100 ms sleep can take several hundred.
      const held = await lock.acquire("extend-me", 3_000);
      await sleep(1_500);
      expect(await held!.extend()).toBe(true);
      await sleep(2_000); // 3.5 s after acquiring: expired without the extend, 1 s left with it
      expect(await lock.acquire("extend-me", 3_000)).toBeNull();
    });

    it("keys are independent", async () => {
      const lock = createLock();
      expect(await lock.acquire("a", 5000)).not.toBeNull();
      expect(await lock.acquire("b", 5000)).not.toBeNull();
    });

    describe("withLock", () => {
      it("renews a lock held longer than its ttl, then releases it", async () => {
        const lock = createLock();
        const ttlMs = 90;
        let contenderDuringRun: HeldLock | null | undefined;

        const result = await withLock(lock, "long-job", ttlMs, async ({ signal }) => {
          await sleep(ttlMs * 3);
          contenderDuringRun = await lock.acquire("long-job", ttlMs);
          return signal.aborted;
        });

        expect(contenderDuringRun).toBeNull();
        expect(result).toEqual({ ran: true, value: false, lockLost: false });
        expect(await lock.acquire("long-job", ttlMs)).not.toBeNull();
      });

      it("does not run fn when the lock is held elsewhere", async () => {
        const lock = createLock();
        await lock.acquire("busy", 5000);
        let ran = false;
        const result = await withLock(lock, "busy", 5000, async () => {
          ran = true;
        });
        expect(result).toEqual({ ran: false });
        expect(ran).toBe(false);
      });

      it("runs exactly one of 10 concurrent callers", async () => {
        const lock = createLock();
        const gate = deferred();
        let runs = 0;
        const calls = Array.from({ length: 10 }, () =>
          withLock(lock, "one-at-a-time", 5000, async () => {
            runs += 1;
            await gate.promise;
          }),
        );
        await sleep(30);
        gate.resolve();
        const results = await Promise.all(calls);
        expect(runs).toBe(1);
        expect(results.filter((result) => result.ran)).toHaveLength(1);
      });

      it("releases the lock when fn throws, and rethrows", async () => {
        const lock = createLock();
        await expect(
          withLock(lock, "throws", 5000, async () => {
            throw new Error("boom");
          }),
        ).rejects.toThrow("boom");
        expect(await lock.acquire("throws", 5000)).not.toBeNull();
      });

      it("reports lockLost and aborts the signal when the lock is taken away", async () => {
        const lock = createLock();
        const result = await withLock(lock, "stolen", 90, async ({ lock: held, signal }) => {
          // Someone else's compare-and-delete cannot do this, so simulate an expiry by releasing our own token.
          await lock.adopt("stolen", held.token, 90).release();
          await lock.acquire("stolen", 5000);
          await sleep(90);
          return signal.aborted;
        });
        expect(result).toEqual({ ran: true, value: true, lockLost: true });
      });
    });
  });
}
