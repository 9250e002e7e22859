/**
 * Line diff and unified-diff hunks, so every demo patch is computed from real before/after file
 * contents: hunk headers, context lines and addition/deletion counts agree by construction.
 */

export type DiffOp = { kind: "equal" | "delete" | "insert"; line: string };

/**
 * The edit script with at most `context` unchanged lines kept on either side of the changed middle,
 * and the 0-based line where it starts (the same in both files, since everything before is equal).
 */
function window(before: readonly string[], after: readonly string[], context: number): { ops: DiffOp[]; base: number } {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const oldMiddle = before.slice(head, before.length - tail);
  const newMiddle = after.slice(head, after.length - tail);
  // Compare small integers instead of strings in the inner loop.
  const ids = new Map<string, number>();
  const intern = (lines: readonly string[]) => {
    const out = new Int32Array(lines.length);
    lines.forEach((line, i) => {
      let id = ids.get(line);
      if (id === undefined) ids.set(line, (id = ids.size));
      out[i] = id;
    });
    return out;
  };
  const middle = myers(oldMiddle, newMiddle, intern(oldMiddle), intern(newMiddle));
  const base = Math.max(0, head - context);
  const tailStart = before.length - tail;
  const equal = (line: string): DiffOp => ({ kind: "equal", line });
  const ops = [...before.slice(base, head).map(equal), ...middle, ...before.slice(tailStart, Math.min(before.length, tailStart + context)).map(equal)];
  return { ops, base };
}

/** Myers' O(ND) shortest edit script; the trace keeps only the live diagonals (-d..d) of each round. */
function myers(before: readonly string[], after: readonly string[], a: Int32Array, b: Int32Array): DiffOp[] {
  const n = before.length;
  const m = after.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0))) {
        x = v[offset + k + 1] ?? 0;
      } else {
        x = (v[offset + k - 1] ?? 0) + 1;
      }
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
    // Snapshot of diagonals -d..d after round d: index k + d.
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  const at = (d: number, k: number): number => (k < -d || k > d ? 0 : (trace[d]?.[k + d] ?? 0));
  // Walk the trace backwards to recover the edit script.
  const ops: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const k = x - y;
    let prevK: number;
    if (d > 0 && (k === -d || (k !== d && at(d - 1, k - 1) < at(d - 1, k + 1)))) {
      prevK = k + 1;
    } else {
      prevK = k - 1;
    }
    const prevX = d === 0 ? 0 : at(d - 1, prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: "equal", line: before[x - 1] as string });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) {
        ops.push({ kind: "insert", line: after[y - 1] as string });
        y--;
      } else {
        ops.push({ kind: "delete", line: before[x - 1] as string });
        x--;
      }
    }
  }
  return ops.reverse();
}

export interface UnifiedPatch {
  /** Hunks from the first "@@", no file header — the shape of GitHub's `files[].patch`. */
  patch: string;
  additions: number;
  deletions: number;
}

/** Unified diff with `context` lines around each change, hunks merged when their contexts touch. */
export function unifiedPatch(before: readonly string[], after: readonly string[], context = 3): UnifiedPatch {
  const { ops, base } = window(before, after, context);
  const changeIdx: number[] = [];
  ops.forEach((op, i) => {
    if (op.kind !== "equal") changeIdx.push(i);
  });
  if (changeIdx.length === 0) return { patch: "", additions: 0, deletions: 0 };

  // Group changes into hunk ranges over the op list.
  const ranges: { start: number; end: number }[] = [];
  for (const i of changeIdx) {
    const last = ranges[ranges.length - 1];
    if (last && i - last.end <= 2 * context + 1) last.end = i;
    else ranges.push({ start: i, end: i });
  }

  // Line numbers in old/new at each op index.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let o = base + 1;
  let nn = base + 1;
  for (const op of ops) {
    oldAt.push(o);
    newAt.push(nn);
    if (op.kind !== "insert") o++;
    if (op.kind !== "delete") nn++;
  }

  const out: string[] = [];
  let additions = 0;
  let deletions = 0;
  for (const range of ranges) {
    const from = Math.max(0, range.start - context);
    const to = Math.min(ops.length - 1, range.end + context);
    let oldCount = 0;
    let newCount = 0;
    const body: string[] = [];
    for (let i = from; i <= to; i++) {
      const op = ops[i] as DiffOp;
      if (op.kind === "equal") {
        body.push(` ${op.line}`);
        oldCount++;
        newCount++;
      } else if (op.kind === "delete") {
        body.push(`-${op.line}`);
        oldCount++;
        deletions++;
      } else {
        body.push(`+${op.line}`);
        newCount++;
        additions++;
      }
    }
    const oldStart = oldCount === 0 ? (oldAt[from] ?? 1) - 1 : (oldAt[from] ?? 1);
    const newStart = newCount === 0 ? (newAt[from] ?? 1) - 1 : (newAt[from] ?? 1);
    const heading = enclosingHeading(before, oldStart - 1);
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@${heading ? ` ${heading}` : ""}`, ...body);
  }
  return { patch: out.join("\n"), additions, deletions };
}

/** Like git's default funcname rule: the nearest line above the hunk that starts with a letter, `_` or `$`. */
function enclosingHeading(lines: readonly string[], beforeIndex: number): string | null {
  for (let i = Math.min(beforeIndex, lines.length) - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (/^[A-Za-z_$]/.test(line)) return line.length > 80 ? line.slice(0, 80) : line;
  }
  return null;
}

/** Added and removed line counts without building the patch text (PR payload totals). */
export function diffStats(before: readonly string[], after: readonly string[]): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const op of window(before, after, 0).ops) {
    if (op.kind === "insert") additions++;
    else if (op.kind === "delete") deletions++;
  }
  return { additions, deletions };
}

/** Counts added and removed lines in a GitHub-style patch (hunk bodies only). */
export function countPatchLines(patch: string): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const line of patch.split("\n")) {
    if (line.startsWith("@@")) continue;
    if (line.startsWith("+")) additions++;
    else if (line.startsWith("-")) deletions++;
  }
  return { additions, deletions };
}
