import { describe, expect, it } from "vitest";
import { countPatchLines, unifiedPatch } from "./diff.ts";
import { Random } from "./random.ts";

/** Applies a GitHub-style patch to `before`, trusting only the hunk headers and bodies. */
function applyPatch(before: readonly string[], patch: string): string[] {
  const out: string[] = [];
  let cursor = 0;
  const lines = patch.split("\n");
  for (let i = 0; i < lines.length; ) {
    const header = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@/.exec(lines[i] ?? "");
    if (!header) throw new Error(`expected a hunk header at line ${i}: ${lines[i]}`);
    const oldStart = Number(header[1]);
    const oldCount = Number(header[2]);
    const firstOld = oldCount === 0 ? oldStart : oldStart - 1;
    while (cursor < firstOld) out.push(before[cursor++] as string);
    i++;
    while (i < lines.length && !(lines[i] ?? "").startsWith("@@")) {
      const line = lines[i] as string;
      if (line.startsWith(" ")) {
        expect(before[cursor]).toBe(line.slice(1));
        out.push(line.slice(1));
        cursor++;
      } else if (line.startsWith("-")) {
        expect(before[cursor]).toBe(line.slice(1));
        cursor++;
      } else {
        out.push(line.slice(1));
      }
      i++;
    }
  }
  while (cursor < before.length) out.push(before[cursor++] as string);
  return out;
}

describe("unifiedPatch", () => {
  it("writes a new file as one hunk from line 0", () => {
    const result = unifiedPatch([], ["a", "b"]);
    expect(result.patch).toBe("@@ -0,0 +1,2 @@\n+a\n+b");
    expect(result).toMatchObject({ additions: 2, deletions: 0 });
  });

  it("keeps three context lines and names the enclosing function like git", () => {
    const before = ["export function total() {", "  a();", "  b();", "  c();", "  d();", "  e();", "}"];
    const after = ["export function total() {", "  a();", "  b();", "  c();", "  dd();", "  e();", "}"];
    expect(unifiedPatch(before, after).patch).toBe(
      "@@ -2,6 +2,6 @@ export function total() {\n   a();\n   b();\n   c();\n-  d();\n+  dd();\n   e();\n }",
    );
  });

  it("produces patches that rebuild the new file and whose counts match their lines", () => {
    const random = new Random(7);
    for (let round = 0; round < 200; round++) {
      const before = Array.from({ length: random.int(0, 60) }, () => `line ${random.int(0, 12)}`);
      const after = before.filter(() => random.chance(0.85));
      for (let j = 0; j < random.int(0, 6); j++) {
        after.splice(random.int(0, after.length), 0, `new ${random.int(0, 12)}`);
      }
      const result = unifiedPatch(before, after);
      expect(countPatchLines(result.patch)).toEqual({ additions: result.additions, deletions: result.deletions });
      if (result.patch === "") expect(after).toEqual(before);
      else expect(applyPatch(before, result.patch)).toEqual(after);
    }
  });
});
