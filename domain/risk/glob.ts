import picomatch from "picomatch/posix.js";

/**
 * Path patterns of per-repository tier overrides, gitignore-flavoured, compiled by picomatch:
 * `*` and `?` stay within one folder level, `**` as a whole level spans any number of levels, `{a,b}` picks one
 * alternative; every other character is literal (`[id]`, `(group)`, `!`, `+`, `@` name real folders, as in Next.js
 * routes). Matching ignores case. A pattern without "/" matches a file or folder name at any depth; a trailing "/"
 * or "/**" means everything under it, and a pattern that matches a folder also matches everything inside it.
 *
 * Patterns are saved by one organisation and run by the analysis worker that every organisation shares, so a
 * pattern is only compiled when its matching time is bounded. A regex backtracks over the positions each unbounded
 * wildcard could end at; these limits leave one such choice per pattern, so matching costs at most about
 * (path length × pattern length × brace alternatives): about a millisecond at worst for a 4,096-character path
 * (`**` followed by 98 levels of `*`), against 14 s for the old translation of `**?**?**?**?**?**q` on 87 characters:
 *   - at most 200 characters, no control characters, no backslash;
 *   - at most one `*` per folder level (a level matches in one way only; `*.{ts,tsx}`, not `*.ts*`);
 *   - `**` only as a whole level, and at most one such level besides a trailing `/**` (a pattern without "/"
 *     already matches at any depth);
 *   - at most 2 `{…}` groups with 10 alternatives in all, not nested, without "/", `**` or ranges such as {1..9};
 *   - picomatch must accept it, and its regex may repeat nothing but these wildcards (`{a,b}+` stays literal).
 * The same check runs where a pattern is saved and where it is matched, so a pattern stored before these limits is
 * skipped (it matches nothing) instead of stalling the worker.
 */

export const RISK_PATTERN_LIMITS = { maxLength: 200, maxStarsPerLevel: 1, maxGlobstars: 1, maxBraceGroups: 2, maxBraceAlternatives: 10 } as const;

export type CompiledRiskPattern = { ok: true; regex: RegExp } | { ok: false; problem: string };

const PICOMATCH_OPTIONS = {
  dot: true,
  nocase: true,
  noextglob: true,
  nonegate: true,
  strictSlashes: true,
  // Otherwise `+` after a {…} group is passed through as a regex quantifier: `{a,b}+` would backtrack like `(a|b)+`.
  regex: false,
  // Without fast paths picomatch returns the bare expression, which is wrapped below with this module's own anchors.
  fastpaths: false,
  maxLength: RISK_PATTERN_LIMITS.maxLength * 2,
} as const;

interface NormalisedPattern {
  body: string;
  anchored: boolean;
  directory: boolean;
}

function normalise(pattern: string): NormalisedPattern {
  let body = pattern.trim().replace(/^\.\//, "");
  const anchored = body.startsWith("/");
  if (anchored) body = body.slice(1);
  let directory = false;
  if (body.endsWith("/")) {
    directory = true;
    body = body.slice(0, -1);
  }
  while (body.endsWith("/**")) {
    directory = true;
    body = body.slice(0, -3);
  }
  return { body, anchored, directory };
}

/** Why a pattern cannot be matched in bounded time, or null when it can. */
function limitProblem(pattern: string, { body }: NormalisedPattern): string | null {
  const limits = RISK_PATTERN_LIMITS;
  if (pattern.trim().length === 0) return "enter a path pattern such as src/billing/** or *.sql";
  if (pattern.length > limits.maxLength) return `keep the pattern to ${limits.maxLength} characters or fewer`;
  if (/\p{Cc}/u.test(pattern)) return "remove control characters from the pattern";
  if (pattern.includes("\\")) return "use / between folders; \\ is not supported";
  if (body.length === 0) return "name a file or folder, e.g. src/billing/";

  let groups = 0;
  let alternatives = 0;
  let open = -1;
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index];
    if (char === "{") {
      if (open !== -1) return "{…} groups cannot be nested";
      open = index;
    } else if (char === "}") {
      if (open === -1) return "close every } with a { before it";
      const inside = body.slice(open + 1, index);
      if (inside.includes("/")) return "a {…} group cannot contain /: write src/{auth,billing}/ rather than {src/auth,src/billing}/";
      if (inside.includes("**")) return "** cannot go inside {…}";
      if (inside.includes("..")) return "ranges such as {1..9} are not supported: list the alternatives";
      groups += 1;
      alternatives += inside.split(",").length;
      open = -1;
    }
  }
  if (open !== -1) return "close every { with a }";
  if (groups > limits.maxBraceGroups) return `use at most ${limits.maxBraceGroups} {…} groups`;
  if (alternatives > limits.maxBraceAlternatives) return `use at most ${limits.maxBraceAlternatives} {…} alternatives in all`;

  let globstars = 0;
  for (const level of body.split("/")) {
    if (level === "**") {
      globstars += 1;
      continue;
    }
    const stars = level.match(/\*+/g)?.length ?? 0;
    if (stars > limits.maxStarsPerLevel) {
      return `use at most one * per folder level ("${level}" has ${stars}); e.g. *.{ts,tsx} rather than *.ts*`;
    }
    // picomatch reads `**` next to a name or a {…} group as sometimes a globstar, sometimes a `*`: only whole levels are clear.
    if (level.includes("**")) return "** must be a whole folder level, as in src/**/*.sql; use * within a name";
  }
  if (globstars > limits.maxGlobstars) return "use ** at most once, apart from a trailing /**";
  return null;
}

// Characters picomatch would read as extglobs, regex groups or bracket classes stay literal, as they always were here.
const LITERAL_CHARACTERS = /[()|[\]]/g;

/**
 * The bound above assumes picomatch repeats nothing but `*` within a level, the `**` level and the fixed `\.{1,2}`
 * of its dot-segment guards. Any other quantifier in its output (a future version, an input these checks missed)
 * refuses the pattern rather than risk it.
 */
function repeatsOnlyWildcards(expression: string): boolean {
  const rest = expression
    .replaceAll("[^/]*?", "")
    .replaceAll(".)*?", "")
    .replaceAll("\\.{1,2}", "")
    .replace(/\\./g, "")
    .replace(/\(\?[:!=]/g, "(");
  return !/[*+?{]/.test(rest);
}

function compile(pattern: string): CompiledRiskPattern {
  const normalised = normalise(pattern);
  const problem = limitProblem(pattern, normalised);
  if (problem) return { ok: false, problem };
  const { body, anchored, directory } = normalised;
  try {
    const expression = picomatch.parse(body.replace(LITERAL_CHARACTERS, "\\$&"), PICOMATCH_OPTIONS).output;
    if (!repeatsOnlyWildcards(expression)) return { ok: false, problem: "this pattern cannot be matched safely: use *, ?, ** and {a,b} only" };
    // Without "/" the pattern names one level: it may sit at any depth, tried once after each "/".
    const anyDepth = !anchored && !body.includes("/") && body !== "**";
    const prefix = anyDepth ? "(?:[\\s\\S]*\\/)?" : "";
    const suffix = directory ? "\\/[\\s\\S]*" : "(?:\\/[\\s\\S]*)?";
    return { ok: true, regex: new RegExp(`^${prefix}(?:${expression})${suffix}$`, "i") };
  } catch {
    return { ok: false, problem: "this pattern cannot be read as a glob" };
  }
}

const CACHE_LIMIT = 2_000;
const compiled = new Map<string, CompiledRiskPattern>();

/** Checks and compiles a pattern once; a refused pattern carries the message the settings page shows. */
export function compileRiskPattern(pattern: string): CompiledRiskPattern {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  const result = compile(pattern);
  if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value as string);
  compiled.set(pattern, result);
  return result;
}

/** Why a pattern is refused, or null when it is accepted. */
export function riskPatternProblem(pattern: string): string | null {
  const result = compileRiskPattern(pattern);
  return result.ok ? null : result.problem;
}

/** False for a refused pattern: it is skipped rather than run. */
export function matchesGlob(path: string, pattern: string): boolean {
  const result = compileRiskPattern(pattern);
  return result.ok && result.regex.test(path.replace(/^\.\//, ""));
}
