import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pathsDecidingFocus, replayLineProvenance, type LineFate, type PatchEvent } from "./provenance.ts";

/**
 * Property-based tests of line provenance (ADR 030). Histories are generated from a model of each file's lines — who
 * wrote each line — so every hunk is valid against the file as it is at that point; the replay must then agree with
 * the model line for line. Mixed into other histories, malformed patches (hunks swapped, cut short, a body line lost
 * or doubled, a broken header, plain noise) must be applied whole or rejected whole, never half.
 */

const NUM_RUNS = 200;
const T0 = Date.UTC(2026, 0, 5);
const HOUR_MS = 3_600_000;
const PATHS = ["a.ts", "b.ts", "src/c.ts", "d.py"];

/** Line text as diffs carry it: anything but a newline (a trailing CR is stripped by the replay on both sides). */
const lineText = fc.oneof(fc.constantFrom("", " ", "x", "}", "+", "-", "@@", "\\", "dup", "dup", "a\r"), fc.string({ unit: "grapheme", maxLength: 12 }).map((text) => text.replace(/\n/g, "")));

const hunkArb = fc.record({ gap: fc.nat({ max: 6 }), before: fc.nat({ max: 2 }), deleted: fc.nat({ max: 3 }), added: fc.array(lineText, { maxLength: 3 }), after: fc.nat({ max: 2 }) });

const MALFORMATIONS = ["swap-hunks", "cut", "drop-line", "double-line", "broken-header", "shift-header", "noise"] as const;
type Malformation = (typeof MALFORMATIONS)[number];

const stepArb = fc.record({
  kind: fc.constantFrom("add", "modify", "modify", "modify", "modify", "remove", "rename", "copy", "truncated", "no-patch"),
  file: fc.nat({ max: PATHS.length - 1 }),
  target: fc.nat({ max: PATHS.length - 1 }),
  ai: fc.boolean(),
  hunks: fc.array(hunkArb, { maxLength: 4 }),
  unknownLength: fc.nat({ max: 8 }),
  shortCountHeader: fc.boolean(),
  noNewlineMarker: fc.boolean(),
  malformation: fc.option(fc.record({ how: fc.constantFrom(...MALFORMATIONS), at: fc.nat(), noise: fc.string({ maxLength: 60 }) }), { freq: 3 }),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

interface ModelLine {
  text: string;
  /** The sha of the event that wrote the line; null for history before the replay. */
  origin: string | null;
}

/** What the model expects: fates keyed "origin|end|endSha", deaths of unknown lines, files lost. */
interface Expected {
  fates: Map<string, number>;
  unknownDeaths: number;
  filesLost: number;
  /** Per event sha: the lines it wrote (its patch's "+" lines when the patch is applied). */
  born: Map<string, number>;
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function unknownLines(count: number): ModelLine[] {
  return Array.from({ length: count }, (_, index) => ({ text: `unknown ${index}`, origin: null }));
}

/** Applies hunks to the model's lines and writes the unified diff that says so. */
function editLines(lines: readonly ModelLine[], step: Step, sha: string, expected: Expected, end: (line: ModelLine) => void): { lines: ModelLine[]; patch: string } {
  const out: ModelLine[] = [];
  const text: string[] = [];
  let cursor = 0;
  for (const hunk of step.hunks) {
    const start = cursor + hunk.gap;
    if (start > lines.length) break;
    const before = Math.min(hunk.before, lines.length - start);
    const deleted = Math.min(hunk.deleted, lines.length - start - before);
    const after = Math.min(hunk.after, lines.length - start - before - deleted);
    if (before + deleted + after + hunk.added.length === 0) continue;
    out.push(...lines.slice(cursor, start));
    const oldCount = before + deleted + after;
    const newCount = before + hunk.added.length + after;
    const oldStart = oldCount === 0 ? start : start + 1;
    const newStart = newCount === 0 ? out.length : out.length + 1;
    // Git writes "-5" for "-5,1"; the replay must read both.
    const range = (first: number, count: number) => (count === 1 && step.shortCountHeader ? `${first}` : `${first},${count}`);
    text.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@${step.shortCountHeader ? " function section() {" : ""}`);
    let at = start;
    for (let index = 0; index < before; index += 1, at += 1) {
      text.push(` ${lines[at]!.text}`);
      out.push(lines[at]!);
    }
    for (let index = 0; index < deleted; index += 1, at += 1) {
      text.push(`-${lines[at]!.text}`);
      end(lines[at]!);
    }
    for (const added of hunk.added) {
      text.push(`+${added}`);
      out.push({ text: added, origin: sha });
      bump(expected.born, sha);
    }
    for (let index = 0; index < after; index += 1, at += 1) {
      text.push(` ${lines[at]!.text}`);
      out.push(lines[at]!);
    }
    cursor = at;
  }
  out.push(...lines.slice(cursor));
  if (step.noNewlineMarker && text.length > 0) text.push("\\ No newline at end of file");
  return { lines: out, patch: text.join("\n") };
}

function malform(patch: string, how: Malformation, at: number, noise: string): string {
  const lines = patch.split("\n");
  const headers = lines.flatMap((line, index) => (line.startsWith("@@") ? [index] : []));
  const body = lines.flatMap((line, index) => (line.startsWith("@@") ? [] : [index]));
  switch (how) {
    case "swap-hunks": {
      if (headers.length < 2) return `${patch}\n${patch}`;
      const second = headers[1]!;
      return [...lines.slice(second), ...lines.slice(0, second)].join("\n");
    }
    case "cut":
      return patch.slice(0, at % (patch.length + 1));
    case "drop-line":
      return body.length === 0 ? patch : lines.filter((_, index) => index !== body[at % body.length]).join("\n");
    case "double-line":
      return body.length === 0 ? patch : lines.flatMap((line, index) => (index === body[at % body.length] ? [line, line] : [line])).join("\n");
    case "broken-header":
      return headers.length === 0 ? `@@ -x,y +z @@\n${patch}` : lines.map((line, index) => (index === headers[at % headers.length] ? "@@ -x,y +z @@" : line)).join("\n");
    case "shift-header":
      return headers.length === 0 ? patch : lines.map((line, index) => (index === headers[at % headers.length] ? line.replace(/-(\d+)/, (_, start: string) => `-${Number(start) + 1 + (at % 7)}`) : line)).join("\n");
    case "noise":
      return noise;
  }
}

/**
 * Turns steps into events, keeping the model in step with what the replay is documented to do. With `malformed`,
 * a step may carry a malformed patch; from then on the model no longer knows the file and only `born` is kept.
 */
function buildHistory(steps: readonly Step[], options: { malformed: boolean }): { events: PatchEvent[]; expected: Expected } {
  const files = new Map<string, ModelLine[]>();
  const expected: Expected = { fates: new Map(), unknownDeaths: 0, filesLost: 0, born: new Map() };
  const events: PatchEvent[] = [];
  steps.forEach((step, index) => {
    const sha = `e${index}`;
    const at = T0 + index * 3 * HOUR_MS;
    const path = PATHS[step.file]!;
    const target = PATHS[step.target]!;
    const died = (line: ModelLine) => (line.origin ? bump(expected.fates, `${line.origin}|died|${sha}`) : (expected.unknownDeaths += 1));
    const lose = (lines: readonly ModelLine[] | undefined) => {
      for (const line of lines ?? []) if (line.origin) bump(expected.fates, `${line.origin}|lost|${sha}`);
    };
    const base = { sha, ai: step.ai, at, patchTruncated: false, previousPath: null };
    switch (step.kind) {
      case "add": {
        lose(files.get(path));
        const edit = editLines([], { ...step, hunks: [{ gap: 0, before: 0, deleted: 0, after: 0, added: step.hunks.flatMap((hunk) => hunk.added) }] }, sha, expected, died);
        files.set(path, edit.lines);
        events.push({ ...base, path, status: "added", patch: edit.patch === "" ? "@@ -0,0 +0,0 @@" : edit.patch });
        return;
      }
      case "remove": {
        for (const line of files.get(path) ?? []) if (line.origin) bump(expected.fates, `${line.origin}|died|${sha}`);
        files.delete(path);
        events.push({ ...base, path, status: "removed", patch: null });
        return;
      }
      case "truncated":
      case "no-patch": {
        lose(files.get(path));
        expected.filesLost += 1;
        files.set(path, unknownLines(step.unknownLength));
        events.push({ ...base, path, status: "modified", patch: step.kind === "no-patch" ? null : "@@ -1,3 +1,4 @@\n a\n+b", patchTruncated: step.kind === "truncated" });
        return;
      }
      case "rename":
      case "copy": {
        if (target === path) return;
        // Whatever the target held is replaced: its known lines are lost (censored), as for an added file.
        lose(files.get(target));
        const source = files.get(path) ?? unknownLines(step.unknownLength);
        const start = step.kind === "copy" ? source.map((line) => ({ text: line.text, origin: null })) : source;
        if (step.kind === "rename") files.delete(path);
        const withEdits = step.hunks.length > 0 || step.kind === "copy";
        const edit = withEdits ? editLines(start, step, sha, expected, died) : { lines: start, patch: null };
        files.set(target, edit.lines);
        events.push({ ...base, path: target, previousPath: path, status: step.kind === "rename" ? "renamed" : "copied", patch: edit.patch });
        return;
      }
      case "modify": {
        const edit = editLines(files.get(path) ?? unknownLines(step.unknownLength), step, sha, expected, died);
        files.set(path, edit.lines);
        const patch = options.malformed && step.malformation ? malform(edit.patch, step.malformation.how, step.malformation.at, step.malformation.noise) : edit.patch;
        events.push({ ...base, path, status: "modified", patch });
      }
    }
  });
  for (const lines of files.values()) for (const line of lines) if (line.origin) bump(expected.fates, `${line.origin}|alive|`);
  return { events, expected };
}

function fateCounts(fates: readonly LineFate[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const fate of fates) bump(counts, `${fate.origin.sha}|${fate.end}|${fate.endSha ?? ""}`, fate.count);
  return counts;
}

function sorted(map: Map<string, number>): Array<[string, number]> {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** "+" lines the replay reads: those after the first hunk header. */
function plusLines(patch: string | null): number {
  if (patch === null) return 0;
  const lines = patch.split("\n");
  const first = lines.findIndex((line) => line.startsWith("@@"));
  return first === -1 ? 0 : lines.slice(first).filter((line) => line.startsWith("+")).length;
}

const historyArb = fc.array(stepArb, { minLength: 1, maxLength: 40 });

describe("line provenance on generated histories", () => {
  it("agrees with a model of the files line for line, and conserves lines per author kind", () => {
    fc.assert(
      fc.property(historyArb, (steps) => {
        const { events, expected } = buildHistory(steps, { malformed: false });
        const { fates, stats } = replayLineProvenance(events, { until: T0 + 1000 * HOUR_MS });
        expect(sorted(fateCounts(fates))).toEqual(sorted(expected.fates));
        expect(stats).toEqual({ events: events.length, unknownDeaths: expected.unknownDeaths, filesLost: expected.filesLost, mismatchedLines: 0 });
        for (const fate of fates) {
          expect(fate.count).toBeGreaterThan(0);
          expect(fate.endAt).toBe(fate.end === "alive" ? T0 + 1000 * HOUR_MS : events.find((event) => event.sha === fate.endSha)!.at);
        }
        // Conservation: alive + died + lost == written, for AI and for human lines.
        for (const ai of [true, false]) {
          const written = events.filter((event) => event.ai === ai).reduce((sum, event) => sum + (expected.born.get(event.sha) ?? 0), 0);
          expect(fates.filter((fate) => fate.origin.ai === ai).reduce((sum, fate) => sum + fate.count, 0)).toBe(written);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("applies a malformed patch whole or rejects it whole, and never throws", () => {
    fc.assert(
      fc.property(historyArb, (steps) => {
        const { events } = buildHistory(steps, { malformed: true });
        const { fates } = replayLineProvenance(events);
        const counts = fateCounts(fates);
        for (const event of events) {
          // Every line an event wrote has one fate: all of its "+" lines, or none when the patch was rejected.
          const written = fates.filter((fate) => fate.origin.sha === event.sha).reduce((sum, fate) => sum + fate.count, 0);
          expect([0, plusLines(event.patch)], `${event.sha}: ${JSON.stringify(event.patch)}`).toContain(written);
          if (event.status !== "modified") continue;
          // A modification either edits the file (lines die) or loses track of it (lines lost), never both.
          const ending = [...counts.keys()].filter((key) => key.endsWith(`|${event.sha}`));
          expect(ending.some((key) => key.includes("|died|")) && ending.some((key) => key.includes("|lost|")), `${event.sha}: ${JSON.stringify(event.patch)}`).toBe(false);
          if (ending.some((key) => key.includes("|lost|"))) expect(written).toBe(0);
        }
      }),
      { numRuns: 2 * NUM_RUNS },
    );
  });

  it("gives a focused replay the same deaths as the full one, with or without the text check (ADR 032)", () => {
    fc.assert(
      fc.property(historyArb, fc.nat({ max: 40 }), fc.integer({ min: 1, max: 12 }), (steps, from, length) => {
        const { events } = buildHistory(steps, { malformed: true });
        const focus = { from: T0 + from * 3 * HOUR_MS, to: T0 + (from + length) * 3 * HOUR_MS };
        const paths = pathsDecidingFocus(events, focus);
        const focused = events.filter((event) => paths.has(event.path) || (event.previousPath !== null && paths.has(event.previousPath)));
        const deaths = (fates: readonly LineFate[]) => sorted(fateCounts(fates.filter((fate) => fate.end !== "alive" && fate.endAt! >= focus.from && fate.endAt! < focus.to)));
        const full = replayLineProvenance(events);
        expect(deaths(replayLineProvenance(focused, { checkText: false }).fates)).toEqual(deaths(full.fates));
        expect(sorted(fateCounts(replayLineProvenance(events, { checkText: false }).fates))).toEqual(sorted(fateCounts(full.fates)));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
