/** Added lines of a unified-diff patch, without the leading "+". Hunk headers and removed lines are skipped. */
export function addedLines(patch: string | null): string[] {
  if (!patch) return [];
  const lines: string[] = [];
  let start = 0;
  while (start <= patch.length) {
    let end = patch.indexOf("\n", start);
    if (end === -1) end = patch.length;
    if (patch.charCodeAt(start) === 43 /* + */ && !patch.startsWith("+++ ", start)) lines.push(patch.slice(start + 1, end));
    start = end + 1;
  }
  return lines;
}
