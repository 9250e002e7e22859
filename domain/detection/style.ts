import { type Language } from "./file-kind.ts";
import { lineCommentPrefix } from "./complexity.ts";
import type { Tell } from "./signals.ts";

/**
 * Code-style tells in the written lines of code and tests. Each is a named feature; what it is worth is fitted from
 * labelled data (model.ts, ADR 011), not chosen here.
 */

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
  /** Comments with a parenthetical aside: "(e.g. …", "(i.e. …", "(such as …", "(not …". */
  asides: number;
  firstAside: string | null;
  /** Comments that label a test step: "// Verify …", "# Should …", "// When …", "// Arrange". */
  testSteps: number;
  firstTestStep: string | null;
  /** Bit set of the explanatory words (EXPLANATORY_WORDS) seen in comments, so distinct words are counted once. */
  explanatoryWords: number;
  /** Comments that join two clauses with a semicolon: "stdin must be closed first; its exit status is expected". */
  semicolonClauses: number;
  firstSemicolonClause: string | null;
  /** Comments containing at least one explanatory word. */
  explanatoryComments: number;
}

export function emptyStyleCounts(): StyleCounts {
  return {
    lines: 0,
    comments: 0,
    narrations: 0,
    typographic: 0,
    genericNames: 0,
    declarations: 0,
    firstTypographic: null,
    firstNarration: null,
    asides: 0,
    firstAside: null,
    testSteps: 0,
    firstTestStep: null,
    explanatoryWords: 0,
    explanatoryComments: 0,
    semicolonClauses: 0,
    firstSemicolonClause: null,
  };
}

const NARRATION =
  /^\s*(?:\/\/|#|--)\s*(?:Check|Ensure|Create|Get|Set|Add|Handle|Update|Verify|Validate|Initiali[sz]e|Convert|Return|Build|Parse|Extract|Find|Remove|Skip|Store|Try|Fall ?back|Wait|Call|Load|Save|Process|Clean ?up|Reset|Determine|Compute|Calculate|Apply|Filter|Track|Fetch|Generate|Prepare|Register|Define|Import|Log|Send|Read|Write|Append|Collect|Normali[sz]e|Format|Sort|Merge|Resolve|Iterate|Loop|Test|Assert|Mock|Simulate|Emit|Trigger|Enable|Disable|Use|Make)\b[^.:]*$/;
const TYPOGRAPHIC = /[\u2014\u2192\u2190\u2194\u21D2\u2713\u2714\u2717\u2718\u2705\u274C\u26A0\u{1F300}-\u{1FAFF}]/u;
const DECLARATION =
  /\b(?:const|let|var|val|auto|:=|my)\s+([A-Za-z_]\w*)|^\s*([A-Za-z_]\w*)\s*(?::\s*[\w[\], |<>.]+)?\s*=(?!=)|\b([A-Za-z_]\w*)\s*:=/;
/** DECLARATION's first alternative without `:=`: all of it that can match a line with no "=". */
const KEYWORD_DECLARATION = /\b(?:const|let|var|val|auto|my)\s+([A-Za-z_]\w*)/;
/**
 * A parenthetical aside inside a comment. Agents annotate their own comments — "// Keep the order (not the
 * cache's)", "# Strip the prefix (e.g. `v1.2`)". Dev precision, markers stripped: 104 / 3 commits (97 %), the same
 * on each tuning fold.
 */
const ASIDE = /\((?:e\.g\.|i\.e\.|like |such as |for example|not |only |which |so |because |otherwise )/;
/** A comment that labels a step of a test: "// Verify the token was refreshed", "# Should fall back", "// When …". 90 / 0. */
const TEST_STEP = /^(?:Verify|Verifies|Should|When|Given|Then|Setup|Set up|Arrange|Act|Assert)\b/;
/**
 * Words of an explanation addressed to a reader ("ensures the cache is never stale", "still works through the
 * fallback"). Common English: one proves nothing, two distinct ones in a commit's comments are 150 / 6 (96 %).
 */
const EXPLANATORY_WORDS: readonly (readonly [string, RegExp])[] = [
  ["exactly", /\bexactly\b/i],
  ["verify", /\bverify\b/i],
  ["within", /\bwithin\b/i],
  ["against", /\bagainst\b/i],
  ["through", /\bthrough\b/i],
  ["never", /\bnever\b/i],
  ["still", /\bstill\b/i],
  ["would", /\bwould\b/i],
  ["ensure", /\bensures?\b/i],
  ["fall back", /\bfall ?back\b/i],
  ["success", /\bsuccess(?:fully)?\b/i],
  ["instead of", /\binstead of\b/i],
];
/** Any of the words above: most comments have none, and one test is cheaper than twelve. */
const ANY_EXPLANATORY_WORD = /\b(?:exactly|verify|within|against|through|never|still|would|ensures?|fall ?back|success(?:fully)?|instead of)\b/i;
export const EXPLANATORY_MIN_WORDS = 2;
/**
 * Two clauses joined by a semicolon in a comment ("…so the server sees EOF; its exit status is expected"): written
 * prose, not a commented-out statement (the word before the semicolon and the two after it are letters).
 * 64 / 0 commits on the tuning folds.
 */
const SEMICOLON_CLAUSE = /[a-z]; [a-z]+ [a-z]+/;
/**
 * …and at least this share of the commit's comment lines carry one: in a diff with a hundred comments, "would" and
 * "still" turn up by chance (a heavily commented 2020 completion script in cobra). 127 / 1 on the tuning folds.
 */
export const EXPLANATORY_MIN_SHARE = 0.05;
/** Where a line comment's text starts: after the comment prefix and any further slashes, stars, hashes or dashes. */
const COMMENT_LEAD = /^\s*(?:\/\/+|\/\*+|\*+\/?|#+|--|;+)\s*/;
const GENERIC_NAMES = new Set(["result", "results", "data", "temp", "tmp", "obj", "res", "ret", "val", "item", "items", "output", "response", "info", "stuff", "thing", "foo", "my_data", "mydata"]);

/**
 * Adds one file's added lines to the running counts (counts are summed across files for the commit). `isTest`: the
 * file is a test, the only place a "// When …" or "// Verify …" comment labels a test step rather than a condition.
 */
export function countStyle(lines: readonly string[], language: Language, into: StyleCounts, isTest = false): StyleCounts {
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
      countCommentVoice(trimmed, isTest, into);
    } else {
      // Without "=" only a keyword declaration can match: the cheaper expression finds the same name (ADR 024).
      const declared = (line.includes("=") ? DECLARATION : KEYWORD_DECLARATION).exec(line);
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

function countCommentVoice(comment: string, isTest: boolean, into: StyleCounts): void {
  const text = comment.replace(COMMENT_LEAD, "");
  if (ASIDE.test(text)) {
    into.asides += 1;
    into.firstAside ??= comment;
  }
  if (isTest && TEST_STEP.test(text)) {
    into.testSteps += 1;
    into.firstTestStep ??= comment;
  }
  if (SEMICOLON_CLAUSE.test(text)) {
    into.semicolonClauses += 1;
    into.firstSemicolonClause ??= comment;
  }
  if (!ANY_EXPLANATORY_WORD.test(text)) return;
  let explains = false;
  for (let index = 0; index < EXPLANATORY_WORDS.length; index += 1) {
    if (!EXPLANATORY_WORDS[index]?.[1].test(text)) continue;
    explains = true;
    into.explanatoryWords |= 1 << index;
  }
  if (explains) into.explanatoryComments += 1;
}

/** The explanatory words whose bits are set, in table order. */
function wordsOf(bits: number): string[] {
  return EXPLANATORY_WORDS.filter((_, index) => (bits & (1 << index)) !== 0).map(([word]) => word);
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** The code-style tells of a commit's written lines, each named; the model says what each is worth. */
export function styleTells(counts: StyleCounts): Tell[] {
  if (counts.lines < 3) return [];
  const tells: Tell[] = [];
  if (counts.typographic > 0) {
    tells.push({ id: "style-typographic", evidence: `${counts.typographic} added line${counts.typographic === 1 ? "" : "s"} with typographic characters (${shorten(counts.firstTypographic ?? "")})` });
  }
  if (counts.narrations >= 2 && counts.narrations / counts.lines >= 0.03) {
    tells.push({ id: "style-narration", evidence: `${counts.narrations} step-narrating comments (${shorten(counts.firstNarration ?? "")})` });
  }
  const density = counts.comments / counts.lines;
  if (counts.lines >= 12 && density >= 0.2 && counts.narrations >= 1) {
    tells.push({ id: "style-comment-density", evidence: `${Math.round(density * 100)} % of added lines are comments` });
  }
  if (counts.declarations >= 4 && counts.genericNames / counts.declarations >= 0.25) {
    tells.push({ id: "style-generic-names", evidence: `${counts.genericNames} of ${counts.declarations} declarations use generic names` });
  }
  if (counts.asides > 0) {
    tells.push({ id: "style-aside", evidence: `${counts.asides} comment${counts.asides === 1 ? "" : "s"} with a parenthetical aside (${shorten(counts.firstAside ?? "")})` });
  }
  if (counts.testSteps > 0) {
    tells.push({ id: "style-test-steps", evidence: `${counts.testSteps} test-step comment${counts.testSteps === 1 ? "" : "s"} (${shorten(counts.firstTestStep ?? "")})` });
  }
  if (counts.semicolonClauses > 0 && counts.semicolonClauses >= EXPLANATORY_MIN_SHARE * counts.comments) {
    tells.push({ id: "style-semicolon-clauses", evidence: `${counts.semicolonClauses} comment${counts.semicolonClauses === 1 ? "" : "s"} joining clauses with a semicolon (${shorten(counts.firstSemicolonClause ?? "")})` });
  }
  const explanatory = wordsOf(counts.explanatoryWords);
  if (explanatory.length >= EXPLANATORY_MIN_WORDS && counts.explanatoryComments >= EXPLANATORY_MIN_SHARE * counts.comments) {
    tells.push({ id: "style-explanatory-comments", evidence: `comments explain at length (${explanatory.map((word) => `"${word}"`).join(", ")} in ${counts.explanatoryComments} of ${counts.comments} comments)` });
  }
  return tells;
}
