import { type Language } from "./file-kind.ts";
import { lineCommentPrefix } from "./complexity.ts";
import type { Signal } from "./types.ts";

/**
 * Code-style tells in added lines. Weak evidence by design (at most 0.4): style alone must never make a
 * commit "AI" — it needs a second, independent signal. Precision on the dev corpus is in
 * docs/decisions/010-detection-engine.md.
 */

export const STYLE_MAX_WEIGHT = 0.4;

export interface StyleCounts {
  /** Non-blank added lines of code or tests. */
  lines: number;
  /** Of those, lines that are (line) comments. */
  comments: number;
  /** Comments that narrate the next line with an imperative verb: "// Check if the user exists". */
  narrations: number;
  /** Typographic characters people rarely type in code: em dash, arrows, check marks, emoji. */
  typographic: number;
  /** Declarations named with generic placeholders: result, data, temp, obj, … */
  genericNames: number;
  /** Declarations of any name (denominator for genericNames). */
  declarations: number;
  firstTypographic: string | null;
  firstNarration: string | null;
}

export function emptyStyleCounts(): StyleCounts {
  return { lines: 0, comments: 0, narrations: 0, typographic: 0, genericNames: 0, declarations: 0, firstTypographic: null, firstNarration: null };
}

const NARRATION =
  /^\s*(?:\/\/|#|--)\s*(?:Check|Ensure|Create|Get|Set|Add|Handle|Update|Verify|Validate|Initiali[sz]e|Convert|Return|Build|Parse|Extract|Find|Remove|Skip|Store|Try|Fall ?back|Wait|Call|Load|Save|Process|Clean ?up|Reset|Determine|Compute|Calculate|Apply|Filter|Track|Fetch|Generate|Prepare|Register|Define|Import|Log|Send|Read|Write|Append|Collect|Normali[sz]e|Format|Sort|Merge|Resolve|Iterate|Loop|Test|Assert|Mock|Simulate|Emit|Trigger|Enable|Disable|Use|Make)\b[^.:]*$/;
const TYPOGRAPHIC = /[\u2014\u2192\u2190\u2194\u21D2\u2713\u2714\u2717\u2718\u2705\u274C\u26A0\u{1F300}-\u{1FAFF}]/u;
const DECLARATION =
  /\b(?:const|let|var|val|auto|:=|my)\s+([A-Za-z_]\w*)|^\s*([A-Za-z_]\w*)\s*(?::\s*[\w[\], |<>.]+)?\s*=(?!=)|\b([A-Za-z_]\w*)\s*:=/;
const GENERIC_NAMES = new Set(["result", "results", "data", "temp", "tmp", "obj", "res", "ret", "val", "item", "items", "output", "response", "info", "stuff", "thing", "foo", "my_data", "mydata"]);

/** Adds one file's added lines to the running counts (counts are summed across files for the commit). */
export function countStyle(lines: readonly string[], language: Language, into: StyleCounts): StyleCounts {
  const comment = lineCommentPrefix(language);
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed.length === 0) continue;
    into.lines += 1;
    const isComment = comment.test(line);
    if (isComment) {
      into.comments += 1;
      if (NARRATION.test(line)) {
        into.narrations += 1;
        into.firstNarration ??= trimmed;
      }
    } else {
      const declared = DECLARATION.exec(line);
      const name = declared?.[1] ?? declared?.[2] ?? declared?.[3];
      if (name) {
        into.declarations += 1;
        if (GENERIC_NAMES.has(name.toLowerCase())) into.genericNames += 1;
      }
    }
    if (TYPOGRAPHIC.test(line)) {
      into.typographic += 1;
      into.firstTypographic ??= trimmed;
    }
  }
  return into;
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

export function styleSignal(counts: StyleCounts): Signal | null {
  if (counts.lines < 3) return null;
  const parts: string[] = [];
  let weight = 0;
  if (counts.typographic > 0) {
    weight += counts.typographic >= 2 ? 0.3 : 0.25;
    parts.push(`${counts.typographic} line${counts.typographic === 1 ? "" : "s"} with typographic characters (${shorten(counts.firstTypographic ?? "")})`);
  }
  if (counts.narrations >= 2 && counts.narrations / counts.lines >= 0.03) {
    weight += counts.narrations >= 4 ? 0.2 : 0.15;
    parts.push(`${counts.narrations} step-narrating comments (${shorten(counts.firstNarration ?? "")})`);
  }
  const density = counts.comments / counts.lines;
  if (counts.lines >= 12 && density >= 0.2 && counts.narrations >= 1) {
    weight += 0.05;
    parts.push(`${Math.round(density * 100)} % of added lines are comments`);
  }
  if (counts.declarations >= 4 && counts.genericNames / counts.declarations >= 0.25) {
    weight += 0.05;
    parts.push(`${counts.genericNames} of ${counts.declarations} declarations use generic names`);
  }
  if (weight === 0) return null;
  return { id: "code-style", weight: Math.min(STYLE_MAX_WEIGHT, weight), evidence: parts.join("; ") };
}
