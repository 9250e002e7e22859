import { describe, expect, it } from "vitest";
import { createGroupCommit } from "./group-commit.ts";

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("group commit scheduling", () => {
  it("writes what arrived in one turn as one group, and what arrives while it is written as the next", async () => {
    const groups: number[][] = [];
    const gate = deferred();
    const commit = createGroupCommit<number>({
      maxInFlight: 1,
      takeGroup: (waiting) => waiting.splice(0, waiting.length),
      async runGroup(group) {
        groups.push(group);
        if (groups.length === 1) await gate.promise;
      },
      onGroupError: () => {},
    });
    for (const item of [1, 2, 3]) commit.add(item);
    await turn();
    for (const item of [4, 5]) commit.add(item);
    await turn();
    expect(groups).toEqual([[1, 2, 3]]); // the one slot is busy: 4 and 5 wait
    gate.release();
    await turn();
    await turn();
    expect(groups).toEqual([[1, 2, 3], [4, 5]]);
  });

  it("runs at most maxInFlight groups at once, each as big as takeGroup allows", async () => {
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    const commit = createGroupCommit<number>({
      maxInFlight: 2,
      takeGroup: (waiting) => waiting.splice(0, 3),
      async runGroup(group) {
        sizes.push(group.length);
        running += 1;
        most = Math.max(most, running);
        await turn();
        running -= 1;
      },
      onGroupError: () => {},
    });
    for (let item = 0; item < 10; item += 1) commit.add(item);
    for (let wait = 0; wait < 20; wait += 1) await turn();
    expect(most).toBe(2);
    expect(sizes.reduce((total, size) => total + size, 0)).toBe(10);
    expect(Math.max(...sizes)).toBe(3);
  });

  it("hands a group whose write throws to onGroupError, and keeps writing the next ones", async () => {
    const failed: number[][] = [];
    const written: number[][] = [];
    const commit = createGroupCommit<number>({
      maxInFlight: 1,
      takeGroup: (waiting) => waiting.splice(0, waiting.length),
      async runGroup(group) {
        if (group.includes(1)) throw new Error("refused");
        written.push(group);
      },
      onGroupError: (group) => failed.push(group),
    });
    commit.add(1);
    await turn();
    commit.add(2);
    for (let wait = 0; wait < 5; wait += 1) await turn();
    expect(failed).toEqual([[1]]);
    expect(written).toEqual([[2]]);
  });
});
