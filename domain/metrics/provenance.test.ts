import { describe, expect, it } from "vitest";
import { churnBetween, churnByWindows, pathsDecidingFocus, replayLineProvenance, type LineFate, type PatchEvent } from "./provenance.ts";
import { DAY_MS } from "./time.ts";

const T0 = Date.UTC(2026, 0, 5);
let counter = 0;
function event(overrides: Partial<PatchEvent> & { patch: string | null }): PatchEvent {
  counter += 1;
  return { sha: `c${counter}`, path: "a.ts", previousPath: null, status: "modified", patchTruncated: false, ai: false, at: T0, ...overrides };
}
const added = (...lines: string[]) => `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
function summary(fates: LineFate[]) {
  return fates
    .map((fate) => `${fate.origin.sha}:${fate.end}:${fate.count}`)
    .sort();
}

describe("line provenance", () => {
  it("keeps inserted lines alive and attributes them to their commit", () => {
    const birth = event({ sha: "born", status: "added", patch: added("a", "b", "c"), ai: true });
    const insert = event({ sha: "ins", at: T0 + DAY_MS, patch: "@@ -1,2 +1,3 @@\n a\n+x\n b" });
    const { fates } = replayLineProvenance([birth, insert]);
    expect(summary(fates)).toEqual(["born:alive:3", "ins:alive:1"]);
    expect(fates.find((f) => f.origin.sha === "born")!.origin.ai).toBe(true);
  });

  it("kills the deleted line and keeps positions right for later hunks", () => {
    const birth = event({ sha: "born", status: "added", patch: added("1", "2", "3", "4", "5", "6") });
    // Delete line 2, then (second hunk) rewrite line 5: both must hit the right slot.
    const edit = event({ sha: "edit", at: T0 + 2 * DAY_MS, patch: "@@ -1,3 +1,2 @@\n 1\n-2\n 3\n@@ -4,3 +3,3 @@\n 4\n-5\n+five\n 6" });
    // Now the file is 1,3,4,five,6: delete "five" (line 4) — it must be edit's line, not born's.
    const again = event({ sha: "again", at: T0 + 3 * DAY_MS, patch: "@@ -3,3 +3,2 @@\n 4\n-five\n 6" });
    const { fates, stats } = replayLineProvenance([birth, edit, again]);
    expect(summary(fates)).toEqual(["born:alive:4", "born:died:2", "edit:died:1"]);
    expect(stats.mismatchedLines).toBe(0);
    const editDeath = fates.find((f) => f.origin.sha === "edit")!;
    expect(editDeath).toMatchObject({ end: "died", endSha: "again", endAt: T0 + 3 * DAY_MS });
  });

  it("counts deletions of lines written before the window as unknown, not as anyone's churn", () => {
    const { fates, stats } = replayLineProvenance([event({ patch: "@@ -10,3 +10,2 @@\n x\n-y\n z" })]);
    expect(fates).toEqual([]);
    expect(stats.unknownDeaths).toBe(1);
  });

  it("places lines added into a file of unknown history at their hunk position", () => {
    const first = event({ sha: "first", patch: "@@ -20,2 +20,3 @@\n a\n+new\n b" });
    const second = event({ sha: "second", at: T0 + DAY_MS, patch: "@@ -20,3 +20,2 @@\n a\n-new\n b" });
    const { fates, stats } = replayLineProvenance([first, second]);
    expect(summary(fates)).toEqual(["first:died:1"]);
    expect(stats.mismatchedLines).toBe(0);
  });

  it("carries lines along a rename, including a rename with edits", () => {
    const birth = event({ sha: "born", path: "old.ts", status: "added", patch: added("a", "b") });
    const rename = event({ sha: "mv", path: "new.ts", previousPath: "old.ts", status: "renamed", patch: null, at: T0 + DAY_MS });
    const edit = event({ sha: "edit", path: "new.ts", at: T0 + 2 * DAY_MS, patch: "@@ -1,2 +1,1 @@\n-a\n b" });
    const { fates, stats } = replayLineProvenance([birth, rename, edit]);
    expect(summary(fates)).toEqual(["born:alive:1", "born:died:1"]);
    expect(stats.filesLost).toBe(0);
  });

  it("marks a file's lines lost when a patch is truncated, and follows it again afterwards", () => {
    const birth = event({ sha: "born", status: "added", patch: added("a", "b"), ai: true });
    const cut = event({ sha: "cut", at: T0 + DAY_MS, patch: "@@ -1,2 +1,3 @@\n a\n+c", patchTruncated: true });
    const after = event({ sha: "after", at: T0 + 2 * DAY_MS, patch: "@@ -1,1 +1,2 @@\n a\n+d" });
    const { fates, stats } = replayLineProvenance([birth, cut, after]);
    expect(summary(fates)).toEqual(["after:alive:1", "born:lost:2"]);
    expect(fates.find((f) => f.end === "lost")).toMatchObject({ endSha: "cut", endAt: T0 + DAY_MS });
    expect(stats.filesLost).toBe(1);
  });

  it("treats a patch whose hunks go backwards as unknown instead of guessing", () => {
    const birth = event({ sha: "born", status: "added", patch: added("a", "b", "c", "d") });
    const broken = event({ sha: "broken", at: T0 + DAY_MS, patch: "@@ -3,1 +3,1 @@\n-c\n+C\n@@ -1,1 +1,1 @@\n-a\n+A" });
    const { fates, stats } = replayLineProvenance([birth, broken]);
    expect(stats.filesLost).toBe(1);
    expect(fates.filter((f) => f.end === "alive")).toEqual([]);
    expect(fates.reduce((sum, f) => sum + f.count, 0)).toBe(4);
  });

  it("kills every line of a removed file", () => {
    const birth = event({ sha: "born", status: "added", patch: added("a", "b", "c") });
    const removed = event({ sha: "rm", status: "removed", patch: "@@ -1,3 +0,0 @@\n-a\n-b\n-c", at: T0 + DAY_MS });
    expect(summary(replayLineProvenance([birth, removed]).fates)).toEqual(["born:died:3"]);
  });

  it("counts churn only for deaths inside the window within 14 days of birth, split AI vs human", () => {
    const ai = event({ sha: "ai", status: "added", path: "x.ts", patch: added("1", "2", "3"), ai: true, at: T0 });
    const human = event({ sha: "hu", status: "added", path: "y.ts", patch: added("1", "2"), at: T0 });
    const day10 = event({ sha: "d10", path: "x.ts", at: T0 + 10 * DAY_MS, patch: "@@ -1,2 +1,1 @@\n-1\n 2" });
    const day20 = event({ sha: "d20", path: "x.ts", at: T0 + 20 * DAY_MS, patch: "@@ -1,2 +1,1 @@\n-2\n 3" });
    const day10h = event({ sha: "h10", path: "y.ts", at: T0 + 10 * DAY_MS, patch: "@@ -1,2 +1,2 @@\n-1\n+one\n 2" });
    const { fates } = replayLineProvenance([ai, human, day10, day10h, day20]);
    const window = (d: number) => ({ from: T0 + d * DAY_MS, to: T0 + (d + 1) * DAY_MS });
    expect(churnBetween(fates, window(10), 14 * DAY_MS)).toEqual({ ai: 1, human: 1 });
    // Died on day 20, 20 days old: not churn.
    expect(churnBetween(fates, window(20), 14 * DAY_MS)).toEqual({ ai: 0, human: 0 });
  });

  it("gives the same fates for lines born inside a window whether or not older history is replayed", () => {
    const events = [
      event({ sha: "old", status: "added", patch: added("a", "b", "c", "d"), at: T0 }),
      event({ sha: "mid", patch: "@@ -2,2 +2,3 @@\n b\n+x\n c", at: T0 + 20 * DAY_MS }),
      event({ sha: "late", patch: "@@ -1,3 +1,2 @@\n a\n-b\n x", at: T0 + 25 * DAY_MS }),
      event({ sha: "last", patch: "@@ -1,2 +1,1 @@\n a\n-x", at: T0 + 26 * DAY_MS }),
    ];
    const full = replayLineProvenance(events).fates.filter((f) => f.origin.bornAt >= T0 + 15 * DAY_MS);
    const windowed = replayLineProvenance(events.filter((e) => e.at >= T0 + 15 * DAY_MS)).fates;
    expect(summary(windowed)).toEqual(summary(full));
    expect(summary(windowed)).toEqual(["mid:died:1"]);
  });
});

describe("churn over many windows", () => {
  it("agrees with churnBetween window by window", () => {
    const events: PatchEvent[] = [];
    for (let day = 0; day < 30; day += 1) {
      events.push(event({ sha: `b${day}`, path: "f.ts", status: day === 0 ? "added" : "modified", ai: day % 3 === 0, at: T0 + day * DAY_MS, patch: day === 0 ? added("a", "b", "c") : `@@ -2,1 +2,2 @@\n-x\n+y${day}\n+z${day}` }));
    }
    const { fates } = replayLineProvenance(events);
    const windows = Array.from({ length: 30 }, (_, d) => ({ from: T0 + d * DAY_MS, to: T0 + (d + 1) * DAY_MS }));
    expect(churnByWindows(fates, windows, 14 * DAY_MS)).toEqual(windows.map((w) => churnBetween(fates, w, 14 * DAY_MS)));
  });
});

describe("focused replay (ADR 032)", () => {
  /** A random history over a few files with renames, removals, copies and truncated patches. */
  function history(seed: number): PatchEvent[] {
    let state = seed;
    const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const lengths = new Map<string, number>();
    const events: PatchEvent[] = [];
    for (let index = 0; index < 400; index += 1) {
      const at = T0 + Math.floor((index / 400) * 20 * DAY_MS);
      const path = `f${Math.floor(random() * 60)}.ts`;
      const length = lengths.get(path) ?? 0;
      const roll = random();
      const ai = random() < 0.5;
      if (length > 0 && roll < 0.02) {
        const target = `f${Math.floor(random() * 60)}.ts`;
        if (target === path) continue;
        events.push(event({ path: target, previousPath: path, status: "renamed", patch: null, ai, at }));
        lengths.set(target, length);
        lengths.delete(path);
      } else if (length > 0 && roll < 0.05) {
        events.push(event({ path, status: "removed", patch: null, ai, at }));
        lengths.delete(path);
      } else if (roll < 0.07) {
        events.push(event({ path, status: "modified", patch: "@@ -1,1 +1,1 @@\n-x\n+y", patchTruncated: true, ai, at }));
        lengths.set(path, 0);
      } else if (length === 0) {
        const count = 1 + Math.floor(random() * 6);
        events.push(event({ path, status: "added", patch: added(...Array.from({ length: count }, (_, i) => `l${i}`)), ai, at }));
        lengths.set(path, count);
      } else {
        const position = 1 + Math.floor(random() * length);
        const deleted = Math.min(length - position + 1, Math.floor(random() * 4));
        const born = Math.floor(random() * 4);
        const body = [...Array.from({ length: deleted }, () => "-x"), ...Array.from({ length: born }, (_, i) => `+n${i}`)].join("\n");
        events.push(event({ path, patch: `@@ -${position},${deleted} +${position},${born} @@\n${body}`, ai, at }));
        lengths.set(path, length - deleted + born);
      }
    }
    return events;
  }

  it("replaying only the paths a day touched (closed under renames) gives that day's deaths exactly", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const events = history(seed);
      for (const day of [6, 13, 19]) {
        const focus = { from: T0 + day * DAY_MS, to: T0 + (day + 1) * DAY_MS };
        const paths = pathsDecidingFocus(events, focus);
        const focused = events.filter((e) => paths.has(e.path) || (e.previousPath !== null && paths.has(e.previousPath)));
        expect(focused.length).toBeLessThan(events.length);
        const deaths = (fates: LineFate[]) =>
          summary(fates.filter((fate) => fate.end !== "alive" && fate.endAt! >= focus.from && fate.endAt! < focus.to));
        expect(deaths(replayLineProvenance(focused, { checkText: false }).fates)).toEqual(deaths(replayLineProvenance(events).fates));
        expect(churnBetween(replayLineProvenance(focused).fates, focus, 14 * DAY_MS)).toEqual(churnBetween(replayLineProvenance(events).fates, focus, 14 * DAY_MS));
      }
    }
  });

  it("follows renames both ways: into a touched path and out of it", () => {
    const events = [
      event({ path: "old.ts", status: "added", patch: added("a", "b"), at: T0 }),
      event({ path: "new.ts", previousPath: "old.ts", status: "renamed", patch: null, at: T0 + DAY_MS }),
      event({ path: "other.ts", status: "added", patch: added("z"), at: T0 + DAY_MS }),
      event({ path: "new.ts", patch: "@@ -1,1 +1,0 @@\n-a", at: T0 + 2 * DAY_MS }),
    ];
    expect([...pathsDecidingFocus(events, { from: T0 + 2 * DAY_MS, to: T0 + 3 * DAY_MS })].sort()).toEqual(["new.ts", "old.ts"]);
  });
});
