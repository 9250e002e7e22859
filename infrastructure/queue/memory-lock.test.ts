import { describe, expect, it } from "vitest";
import { lockContract } from "../../tests/contracts/lock-contract.ts";
import { createMemoryLock } from "./memory-lock.ts";

lockContract("memory", () => createMemoryLock());

describe("memory lock", () => {
  it("expires by the injected clock", async () => {
    let now = 1_000;
    const lock = createMemoryLock({ now: () => now });
    const held = await lock.acquire("k", 100);
    now += 99;
    expect(await lock.acquire("k", 100)).toBeNull();
    now += 1;
    expect(await lock.acquire("k", 100)).not.toBeNull();
    expect(await held!.release()).toBe(false);
  });

  it("rejects a ttl that is not a positive integer", async () => {
    await expect(createMemoryLock().acquire("k", 0)).rejects.toThrow(RangeError);
  });
});
