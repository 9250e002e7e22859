import { type Language } from "./file-kind.ts";
import type { Complexity } from "./types.ts";

/**
 * Complexity of the added lines of one file, from the diff alone (no parser: patches are fragments).
 * Strings and comments are blanked first so "if" inside a message or a comment does not count.
 */

const STRING_LITERALS = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g;

export function lineCommentPrefix(language: Language): RegExp {
  switch (language) {
    case "python":
    case "ruby":
    case "shell":
      return /^\s*#/;
    case "php":
      return /^\s*(\/\/|#|\/\*|\*)/;
    case "other":
      return /^\s*(\/\/|#|\/\*|\*|--|;)/;
    default:
      return /^\s*(\/\/|\/\*|\*(?!\*?\/?\w+\s*=)|\*\/)/;
  }
}

function stripCode(line: string, language: Language): string {
  let code = line.replace(STRING_LITERALS, '""');
  const hashComments = language === "python" || language === "ruby" || language === "shell" || language === "php";
  const slash = code.indexOf("//");
  if (slash !== -1 && !hashComments) code = code.slice(0, slash);
  if (hashComments) {
    const hash = code.indexOf("#");
    if (hash !== -1) code = code.slice(0, hash);
  }
  return code;
}

const BRANCH_KEYWORDS: Record<Language, RegExp> = {
  typescript: /\b(if|for|while|case|catch)\b|&&|\|\||\?\?|\s\?\s(?=[^?:]*:)/g,
  python: /\b(if|elif|for|while|except|and|or|case)\b/g,
  go: /\b(if|for|case|select)\b|&&|\|\|/g,
  rust: /\b(if|for|while|loop)\b|=>|&&|\|\|/g,
  java: /\b(if|for|while|case|catch)\b|&&|\|\||\s\?\s(?=[^?:]*:)/g,
  csharp: /\b(if|for|foreach|while|case|catch)\b|&&|\|\||\?\?|\s\?\s(?=[^?:]*:)/g,
  kotlin: /\b(if|for|while|when|catch)\b|&&|\|\||\?:|->/g,
  swift: /\b(if|guard|for|while|case|catch)\b|&&|\|\||\?\?/g,
  ruby: /\b(if|elsif|unless|while|until|when|rescue|for)\b|&&|\|\|/g,
  php: /\b(if|elseif|for|foreach|while|case|catch)\b|&&|\|\||\?\?/g,
  c: /\b(if|for|while|case)\b|&&|\|\||\?(?=[^:]*:)/g,
  shell: /\b(if|elif|for|while|case)\b|&&|\|\|/g,
  other: /\b(if|for|while|case|catch)\b|&&|\|\|/g,
};

const CONTROL_WORDS = /^\s*(if|for|while|switch|catch|return|else|new|throw|await|using|lock|foreach|sizeof|typeof)\b/;

/** Keywords that define a function wherever they appear, even on a line that starts with `if` or `return`. */
const EXPLICIT_FUNCTION = /\bfunction\b|=>|\blambda\b|\bfunc\b|\bfn\b|\bdef\b|\bfun\b/;

const FUNCTION_PATTERNS: Record<Language, RegExp> = {
  typescript: /\bfunction\b|=>|^\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\s+)*[A-Za-z_$][\w$]*\s*(?:<[^>]*>)?\([^)]*\)\s*(?::\s*[^={]+)?\{\s*$/,
  python: /^\s*(async\s+)?def\s|\blambda\b/,
  go: /^\s*func\b|\bfunc\s*\(/,
  rust: /\bfn\s+\w|\|[\w\s,:&]*\|\s*[{\w]/,
  java: /^\s*(?:(?:public|private|protected|static|final|abstract|synchronized|default|override)\s+)*[\w<>[\],.?\s]+\s+\w+\s*\([^;]*\)\s*(throws\s+[\w.,\s]+)?\{?\s*$|->/,
  csharp: /^\s*(?:(?:public|private|protected|internal|static|async|virtual|override|abstract|sealed|partial)\s+)+[\w<>[\],.?\s]+\s+\w+\s*\([^;]*\)\s*\{?\s*$|=>/,
  kotlin: /\bfun\s|->/,
  swift: /\bfunc\s|\bin\s*$/,
  ruby: /^\s*def\s|\bdo\s*\|/,
  php: /\bfunction\b|\bfn\s*\(/,
  c: /^\s*[\w*&<>:\s]+\s+\**\w+(::\w+)?\s*\([^;]*\)\s*(const)?\s*\{?\s*$/,
  shell: /^\s*(function\s+\w+|\w+\s*\(\)\s*\{?)/,
  other: /\bfunction\b|\bdef\s|\bfunc\s|\bfn\s/,
};

function indentWidth(line: string): number {
  let width = 0;
  for (const char of line) {
    if (char === " ") width += 1;
    else if (char === "\t") width += 4;
    else break;
  }
  return width;
}

export const EMPTY_COMPLEXITY: Complexity = { branches: 0, maxNesting: 0, functions: 0 };

export function measureComplexity(lines: readonly string[], language: Language): Complexity {
  const comment = lineCommentPrefix(language);
  const branchPattern = BRANCH_KEYWORDS[language];
  const functionPattern = FUNCTION_PATTERNS[language];
  let branches = 0;
  let functions = 0;
  const indents: number[] = [];
  for (const line of lines) {
    if (line.trim().length === 0 || comment.test(line)) continue;
    const code = stripCode(line, language);
    if (code.trim().length === 0) continue;
    indents.push(indentWidth(line));
    branches += code.match(branchPattern)?.length ?? 0;
    if (functionPattern.test(code) && (!CONTROL_WORDS.test(code) || EXPLICIT_FUNCTION.test(code))) functions += 1;
  }
  if (indents.length === 0) return { ...EMPTY_COMPLEXITY };
  let shallowest = Infinity;
  let widest = 0;
  for (const width of indents) {
    shallowest = Math.min(shallowest, width);
    widest = Math.max(widest, width);
  }
  // The indent unit is the smallest step seen (2 or 4 spaces, a tab); nesting is counted in those units.
  let unit = Infinity;
  for (const width of indents) if (width > shallowest) unit = Math.min(unit, width - shallowest);
  unit = Number.isFinite(unit) ? Math.max(2, unit) : 1;
  const deepest = widest - shallowest;
  return { branches, maxNesting: Math.round(deepest / unit), functions };
}
