/**
 * Unified-diff patches are read in place, by offsets (a line is its start and its end), not split into arrays of
 * lines: the engine, written-lines.ts and the provenance replay each walk every patch this way.
 */

/** Where the line starting at `start` ends: at its "\n", or at the end of the patch. */
export function lineEnd(patch: string, start: number): number {
  const end = patch.indexOf("\n", start);
  return end === -1 ? patch.length : end;
}

/** The line starting at `start` is a hunk header ("@@ -1,2 +1,3 @@"). */
export function isHunkHeaderAt(patch: string, start: number): boolean {
  return patch.charCodeAt(start) === 64 /* @ */ && patch.startsWith("@@", start);
}

/** Added lines of a unified-diff patch, without the leading "+". Hunk headers and removed lines are skipped. */
export function addedLines(patch: string | null): string[] {
  if (!patch) return [];
  const lines: string[] = [];
  let start = 0;
  while (start <= patch.length) {
    const end = lineEnd(patch, start);
    if (patch.charCodeAt(start) === 43 /* + */ && !patch.startsWith("+++ ", start)) lines.push(patch.slice(start + 1, end));
    start = end + 1;
  }
  return lines;
}
