import { isHunkHeaderAt, lineEnd } from "../detection/patch.ts";

/**
 * Line provenance, as an incremental blame does it: replay each file's patches in commit order and keep, for
 * every line position, the commit that wrote the line. A line is born with its commit's time and attribution
 * and dies when a later hunk deletes it (a rewrite is a deletion plus a birth). Only hunk positions are needed,
 * so history before the replay window is simply "unknown" lines whose deaths are counted but not attributed.
 *
 * Renames carry a file's lines along. A file whose patch is missing or truncated cannot be followed: its known
 * lines are marked lost at that commit (censored in survival, never guessed) and it restarts as unknown.
 */

export interface PatchEvent {
  sha: string;
  path: string;
  previousPath: string | null;
  /** GitHub's file status: added, modified, removed, renamed, copied, changed. */
  status: string;
  patch: string | null;
  patchTruncated: boolean;
  /** Lines this patch adds count as AI-written. */
  ai: boolean;
  /** Author time, ms since the epoch. */
  at: number;
}

export interface LineOrigin {
  sha: string;
  path: string;
  ai: boolean;
  bornAt: number;
}

export type LineEnd = "died" | "lost" | "alive";

/** A group of lines with the same origin and the same fate. */
export interface LineFate {
  origin: LineOrigin;
  end: LineEnd;
  /** When the lines died or were lost; null for lines still alive at the end of the replay. */
  endAt: number | null;
  /** The commit that deleted (or lost track of) them. */
  endSha: string | null;
  count: number;
}

export interface ProvenanceStats {
  events: number;
  /** Deleted lines written before the replay window (or in files that became unknown). */
  unknownDeaths: number;
  /** Files whose patch could not be followed (missing or truncated). */
  filesLost: number;
  /** Deleted or context lines whose text differs from what the replay holds at that position. */
  mismatchedLines: number;
}

export interface ProvenanceResult {
  fates: LineFate[];
  stats: ProvenanceStats;
}

interface Slot {
  origin: LineOrigin | null;
  hash: number;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

function hashLine(text: string): number {
  let hash = 2166136261;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}

export interface ReplayOptions {
  /** Fate time of lines still alive at the end; null when omitted. */
  until?: number;
  /**
   * Hash each line's text to count misalignments (`stats.mismatchedLines`). Default true. Fates never depend on it:
   * callers that only read fates (the daily churn) turn it off, which saves a pass over every added line's text.
   */
  checkText?: boolean;
}

/** Events must be ordered by time (ties: the caller's stable order, e.g. commit then path). */
export function replayLineProvenance(events: readonly PatchEvent[], options: ReplayOptions = {}): ProvenanceResult {
  const checkText = options.checkText ?? true;
  const files = new Map<string, Slot[]>();
  const ended = new Map<string, LineFate>();
  const stats: ProvenanceStats = { events: 0, unknownDeaths: 0, filesLost: 0, mismatchedLines: 0 };
  const originKeys = new WeakMap<LineOrigin, number>();
  let nextOriginKey = 0;

  function end(origin: LineOrigin, kind: "died" | "lost", at: number, sha: string, count = 1): void {
    let key = originKeys.get(origin);
    if (key === undefined) {
      key = nextOriginKey++;
      originKeys.set(origin, key);
    }
    const id = `${key}|${kind}|${at}|${sha}`;
    const fate = ended.get(id);
    if (fate) fate.count += count;
    else ended.set(id, { origin, end: kind, endAt: at, endSha: sha, count });
  }

  function loseAll(slots: Slot[] | undefined, event: PatchEvent): void {
    for (const slot of slots ?? []) if (slot.origin) end(slot.origin, "lost", event.at, event.sha);
  }

  for (const event of events) {
    stats.events += 1;
    if (event.status === "removed") {
      for (const slot of files.get(event.path) ?? []) if (slot.origin) end(slot.origin, "died", event.at, event.sha);
      files.delete(event.path);
      continue;
    }
    let slots: Slot[];
    if (event.status === "renamed" && event.previousPath !== null && event.previousPath !== event.path) {
      // The file moved over replaces whatever the target path held: those lines are lost, as for an added file.
      // (Overwriting them silently dropped lines with no fate at all; found by provenance.fuzz.test.ts.)
      loseAll(files.get(event.path), event);
      slots = files.get(event.previousPath) ?? [];
      files.delete(event.previousPath);
    } else if (event.status === "added" || event.status === "copied") {
      // A copy's lines were not written by this commit, and the copy's own history starts unknown.
      loseAll(files.get(event.path), event);
      slots = [];
    } else {
      slots = files.get(event.path) ?? [];
    }

    if (event.patch === null || event.patchTruncated) {
      const changesLines = event.patch !== null || event.status !== "renamed";
      if (changesLines) {
        loseAll(slots, event);
        stats.filesLost += 1;
        files.set(event.path, []);
      } else {
        files.set(event.path, slots);
      }
      continue;
    }
    const origin: LineOrigin = { sha: event.sha, path: event.path, ai: event.ai, bornAt: event.at };
    if (applyPatch(slots, event, origin, stats, end, checkText)) {
      files.set(event.path, slots);
    } else {
      loseAll(slots, event);
      stats.filesLost += 1;
      files.set(event.path, []);
    }
  }

  const fates = [...ended.values()];
  const alive = new Map<LineOrigin, number>();
  for (const slots of files.values()) {
    for (const slot of slots) if (slot.origin) alive.set(slot.origin, (alive.get(slot.origin) ?? 0) + 1);
  }
  for (const [origin, count] of alive) fates.push({ origin, end: "alive", endAt: options.until ?? null, endSha: null, count });
  return { fates, stats };
}

const UNKNOWN: Slot = { origin: null, hash: 0 };

/**
 * Checked before anything is applied, so a malformed patch leaves no half-applied hunks behind. Walks the lines as
 * applyPatch does and counts the old lines each hunk body really consumes: a body longer than its header says (a line
 * doubled) runs into the next hunk, which applyPatch refuses — after the earlier hunks were spliced in, when only the
 * headers were checked here (found by provenance.fuzz.test.ts).
 */
function hunksInOrder(patch: string): boolean {
  let previousEnd = 0;
  let oldCursor = 0;
  let inHunk = false;
  let start = 0;
  while (start < patch.length) {
    const stop = lineEnd(patch, start);
    const marker = patch.charCodeAt(start);
    if (isHunkHeaderAt(patch, start)) {
      const header = HUNK_HEADER.exec(patch.slice(start, stop));
      if (!header) return false;
      const oldStart = Number(header[1]);
      const oldCount = header[2] === undefined ? 1 : Number(header[2]);
      const firstOld = oldCount === 0 ? oldStart : oldStart - 1;
      // Out of order by the headers, or by the lines the previous hunk's body really consumed.
      if (firstOld < previousEnd || firstOld < oldCursor) return false;
      previousEnd = firstOld + oldCount;
      oldCursor = firstOld;
      inHunk = true;
    } else if (inHunk && (marker === 32 /* space */ || marker === 45 /* - */ || stop === start || (stop === start + 1 && marker === 13))) {
      // Context and deleted lines consume an old line; so does an empty line (or a lone CR), as in applyPatch.
      oldCursor += 1;
    }
    start = stop + 1;
  }
  return true;
}
/** Above this many lines a hunk is spliced in by rebuilding the array (a spread that large could overflow the stack). */
const SPREAD_LIMIT = 20_000;

/**
 * Applies one file's hunks to its slots in place (one splice per hunk: no copy of the whole file per commit).
 * False when the patch is malformed (hunks out of order): the caller then treats the file as unknown.
 */
function applyPatch(
  slots: Slot[],
  event: PatchEvent,
  origin: LineOrigin,
  stats: ProvenanceStats,
  end: (origin: LineOrigin, kind: "died", at: number, sha: string) => void,
  checkText: boolean,
): boolean {
  const patch = event.patch ?? "";
  if (!hunksInOrder(patch)) return false;
  let delta = 0;
  let oldCursor = 0;
  let position = -1;
  let consumed = 0;
  let replacement: Slot[] = [];

  function flush(): void {
    if (position < 0) return;
    while (slots.length < position + consumed) slots.push(UNKNOWN);
    if (replacement.length <= SPREAD_LIMIT) {
      slots.splice(position, consumed, ...replacement);
    } else {
      const tail = slots.splice(position + consumed);
      slots.length = position;
      for (const slot of replacement) slots.push(slot);
      for (const slot of tail) slots.push(slot);
    }
    delta += replacement.length - consumed;
    position = -1;
  }

  let start = 0;
  while (start < patch.length) {
    const stop = lineEnd(patch, start);
    const line = patch.charCodeAt(stop - 1) === 13 ? patch.slice(start, stop - 1) : patch.slice(start, stop);
    start = stop + 1;
    const marker = line.charCodeAt(0);
    if (marker === 64 /* @ */ && line.startsWith("@@")) {
      flush();
      const header = HUNK_HEADER.exec(line);
      if (!header) return false;
      const oldStart = Number(header[1]);
      const oldCount = header[2] === undefined ? 1 : Number(header[2]);
      const firstOld = oldCount === 0 ? oldStart : oldStart - 1;
      if (firstOld < oldCursor) return false;
      oldCursor = firstOld;
      position = firstOld + delta;
      consumed = 0;
      replacement = [];
      continue;
    }
    if (position < 0) continue;
    if (marker === 32 /* space */ || line.length === 0) {
      const slot = slots[position + consumed] ?? UNKNOWN;
      if (checkText && slot.origin && slot.hash !== hashLine(line.slice(1))) stats.mismatchedLines += 1;
      replacement.push(slot);
      consumed += 1;
      oldCursor += 1;
    } else if (marker === 45 /* - */) {
      const slot = slots[position + consumed] ?? UNKNOWN;
      if (slot.origin) {
        if (checkText && slot.hash !== hashLine(line.slice(1))) stats.mismatchedLines += 1;
        end(slot.origin, "died", event.at, event.sha);
      } else {
        stats.unknownDeaths += 1;
      }
      consumed += 1;
      oldCursor += 1;
    } else if (marker === 43 /* + */) {
      replacement.push({ origin, hash: checkText ? hashLine(line.slice(1)) : 0 });
    }
    // "\ No newline at end of file" and anything else carries no line.
  }
  flush();
  // Trailing unknown lines are the same as the implicit unknown tail: drop them to keep arrays short.
  while (slots.length > 0 && slots[slots.length - 1]!.origin === null) slots.pop();
  return true;
}

/** Lines that died in [from, to) at most `maxAgeMs` after they were born, split by AI and human origin. */
export function churnBetween(
  fates: readonly LineFate[],
  window: { from: number; to: number },
  maxAgeMs: number,
): { ai: number; human: number } {
  const churn = { ai: 0, human: 0 };
  for (const fate of fates) {
    if (fate.end !== "died" || fate.endAt === null || fate.endAt < window.from || fate.endAt >= window.to) continue;
    if (fate.endAt - fate.origin.bornAt > maxAgeMs) continue;
    if (fate.origin.ai) churn.ai += fate.count;
    else churn.human += fate.count;
  }
  return churn;
}

/**
 * `churnBetween` for many consecutive, non-overlapping windows at once (a range recompute): one sort of the deaths
 * and one sweep, instead of a scan of every fate per window.
 */
export function churnByWindows(
  fates: readonly LineFate[],
  windows: readonly { from: number; to: number }[],
  maxAgeMs: number,
): { ai: number; human: number }[] {
  const deaths = fates.filter((fate) => fate.end === "died" && fate.endAt !== null).sort((a, b) => a.endAt! - b.endAt!);
  const result = windows.map(() => ({ ai: 0, human: 0 }));
  let index = 0;
  windows.forEach((window, w) => {
    while (index < deaths.length && deaths[index]!.endAt! < window.from) index += 1;
    for (let i = index; i < deaths.length && deaths[i]!.endAt! < window.to; i += 1) {
      const fate = deaths[i]!;
      if (fate.endAt! - fate.origin.bornAt > maxAgeMs) continue;
      if (fate.origin.ai) result[w]!.ai += fate.count;
      else result[w]!.human += fate.count;
    }
  });
  return result;
}

/**
 * The paths whose replay decides the fates of lines that end in `focus`: every path an event in `focus` touches,
 * closed under renames (an event moving lines from or to a path in the set brings the other path in). Files are
 * replayed independently except through renames, so replaying only the events that touch these paths gives the
 * same fates for every line ending in `focus` as replaying everything (the daily churn: a day's deaths).
 */
export function pathsDecidingFocus(
  events: readonly Pick<PatchEvent, "path" | "previousPath" | "at">[],
  focus: { from: number; to: number },
): Set<string> {
  const paths = new Set<string>();
  for (const event of events) {
    if (event.at < focus.from || event.at >= focus.to) continue;
    paths.add(event.path);
    if (event.previousPath !== null) paths.add(event.previousPath);
  }
  const links = events.filter((event) => event.previousPath !== null && event.previousPath !== event.path);
  for (let grew = true; grew; ) {
    grew = false;
    for (const link of links) {
      const from = paths.has(link.previousPath!);
      const to = paths.has(link.path);
      if (from !== to) {
        paths.add(link.path);
        paths.add(link.previousPath!);
        grew = true;
      }
    }
  }
  return paths;
}
