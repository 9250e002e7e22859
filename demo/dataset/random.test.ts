import { describe, expect, it } from "vitest";
import { mulberry32, Random } from "./random.ts";

describe("Random", () => {
  it("repeats its sequence for a seed and differs for another", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
  });

  it("keeps int() inside its inclusive bounds and reaches both ends", () => {
    const random = new Random(1);
    const seen = new Set(Array.from({ length: 2000 }, () => random.int(3, 7)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it("makes version-4-shaped UUIDs and 40-hex shas", () => {
    const random = new Random(9);
    expect(random.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(random.hex(40)).toMatch(/^[0-9a-f]{40}$/);
  });

  it("forks independent streams: drawing from one does not shift another", () => {
    const left = new Random(5);
    const right = new Random(5);
    const forkLeft = left.fork("ids");
    const forkRight = right.fork("ids");
    left.float();
    left.float();
    expect(forkLeft.hex(16)).toBe(forkRight.hex(16));
  });
});
