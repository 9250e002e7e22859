import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeCommit } from "../detection/engine.ts";
import { makeCommit, makeFile } from "../../tests/support/commits.ts";
import { compileRiskPattern, matchesGlob, riskPatternProblem } from "./glob.ts";
import { classifyRiskTier } from "./tiers.ts";

/** The pattern from issue #16: with the old hand-written translation it took 15.8 s against one 87-character path. */
const STALLING_PATTERN = "**?**?**?**?**?**q";
const STALLED_PATH = `src/${"a".repeat(60)}/components/widgets/button.tsx`.slice(0, 87);

describe("risk path patterns: meaning", () => {
  it.each([
    ["src/billing/**", "SRC/Billing/x.ts", true],
    ["src/billing/", "src/billing/x.ts", true],
    ["src/billing", "src/billing/x.ts", true],
    ["src/billing/**", "src/billing", false],
    ["billing", "app/billing/x.ts", true],
    ["billing", "app/billing-old/x.ts", false],
    ["*.sql", ".hidden/schema.sql", true],
    ["src/*.ts", "src/a.ts/inside.ts", true],
    ["src/**/*.sql", "src/db/migrations/001.sql", true],
    ["src/**/*.sql", "src/001.sql", true],
    ["src/**/*.sql", "lib/src/001.sql", false],
    ["*.{ts,tsx}", "app/button.tsx", true],
    ["app/users/[id]/page.tsx", "app/users/[id]/page.tsx", true],
    ["app/users/[id]/page.tsx", "app/users/i/page.tsx", false],
    ["app/(marketing)/**", "app/(marketing)/about.tsx", true],
    ["app/(marketing|shop)/**", "app/shop/x.tsx", false],
    ["!legacy", "src/!legacy/x.ts", true],
    ["!legacy", "src/current/x.ts", false],
    ["+(a|b)", "+(a|b)", true],
    ["{a,b}+", "a+", true],
    ["{a,b}+", "ab", false],
    ["./docs/", "docs/a.md", true],
    ["{a,b}", "b/c", true],
  ] as const)("%s vs %s → %s", (pattern, path, expected) => {
    expect(riskPatternProblem(pattern)).toBeNull();
    expect(matchesGlob(path, pattern)).toBe(expected);
  });
});

describe("risk path patterns: bounded matching", () => {
  it("refuses the stalling pattern from issue #16 with a message saying what to change", () => {
    expect(riskPatternProblem(STALLING_PATTERN)).toBe('use at most one * per folder level ("**?**?**?**?**?**q" has 6); e.g. *.{ts,tsx} rather than *.ts*');
  });

  it.each([
    ["a".repeat(201), "keep the pattern to 200 characters or fewer"],
    ["src\\billing", "use / between folders; \\ is not supported"],
    ["src/\u0000x", "remove control characters from the pattern"],
    ["   ", "enter a path pattern such as src/billing/** or *.sql"],
    ["/", "name a file or folder, e.g. src/billing/"],
    ["*.test.*", 'use at most one * per folder level ("*.test.*" has 2); e.g. *.{ts,tsx} rather than *.ts*'],
    ["**/a/**/b", "use ** at most once, apart from a trailing /**"],
    ["**{a,b}", "** must be a whole folder level, as in src/**/*.sql; use * within a name"],
    ["src/**.ts", "** must be a whole folder level, as in src/**/*.sql; use * within a name"],
    ["src/{a,{b,c}}", "{…} groups cannot be nested"],
    ["src/{a,b", "close every { with a }"],
    ["src/a}", "close every } with a { before it"],
    ["{src/a,lib/b}", "a {…} group cannot contain /: write src/{auth,billing}/ rather than {src/auth,src/billing}/"],
    ["{**,a}", "** cannot go inside {…}"],
    ["v{1..9}", "ranges such as {1..9} are not supported: list the alternatives"],
    ["{a,b}/{c,d}/{e,f}", "use at most 2 {…} groups"],
    ["{a,b,c,d,e,f}/{g,h,i,j,k}", "use at most 10 {…} alternatives in all"],
  ])("refuses %j: %s", (pattern, problem) => {
    expect(riskPatternProblem(pattern)).toBe(problem);
  });

  it("skips a stored pattern that is now refused instead of running it: the next override or the path's words decide", () => {
    const started = performance.now();
    const result = classifyRiskTier({
      path: STALLED_PATH,
      kind: "code",
      aiConfidence: 0.9,
      overrides: [
        { pattern: STALLING_PATTERN, tier: 1 },
        { pattern: "src/**", tier: 4 },
      ],
    });
    expect(performance.now() - started).toBeLessThan(50);
    expect(result.baseTier).toBe(4);
    expect(result.reasons[0]).toBe('T4 Critical: repository override "src/**"');
    expect(compileRiskPattern(STALLING_PATTERN).ok).toBe(false);
    expect(matchesGlob(STALLED_PATH, STALLING_PATTERN)).toBe(false);
  });

  it("analysis of a commit skips the stored stalling pattern and applies the next one", () => {
    const started = performance.now();
    const attribution = analyzeCommit(makeCommit({ files: [makeFile({ path: STALLED_PATH })] }), {
      tierOverrides: [
        { pattern: STALLING_PATTERN, tier: 1 },
        { pattern: "src/**", tier: 4 },
      ],
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(attribution.files[0]).toMatchObject({ path: STALLED_PATH, baseTier: 4 });
  });

  it.each([
    ["one ** then 98 levels of *", `**/${"*/".repeat(98)}q`, "a/".repeat(2047)],
    ["a * then 10 brace alternatives, at any depth", "*{a,aa,aaa,aaaa,aaaaa}{a,aa,aaa,aaaa,aaaaa}", `${"a".repeat(4094)}b`],
    ["** then ?*? against many short levels", "**/?*?q", "aa/".repeat(1365)],
    ["a name at any depth against one 4,095-character level", "*q", "a".repeat(4095)],
  ])("stays fast on a costly accepted shape: %s", (_name, pattern, path) => {
    const compiled = compileRiskPattern(pattern);
    if (!compiled.ok) throw new Error(compiled.problem);
    const times = Array.from({ length: 5 }, () => {
      const started = performance.now();
      compiled.regex.test(path);
      return performance.now() - started;
    });
    expect(Math.min(...times)).toBeLessThan(5);
  });

  /**
   * Adversarial patterns from an alphabet heavy in wildcards and glob syntax, and paths built to make a backtracking
   * matcher work hardest: long runs of the pattern's own literal characters, many levels, and a last character that
   * makes the match fail. Every pattern the validator accepts must match any path under 4,096 characters in < 5 ms.
   */
  it("matches any accepted pattern against any path under 4,096 characters in under 5 ms", async ({ annotate }) => {
    const token = fc.constantFrom("*", "*", "*", "?", "?", "/", "/", "**", "**/", "/**", "{", ",", "}", "[", "]", "!", "(", "|", ")", "@", "+", "a", "a", "b", "q", ".", "x.", "{a,b}", "{a,aa,}");
    const wildcardHeavy = fc.array(token, { minLength: 1, maxLength: 40 }).map((tokens) => tokens.join(""));
    // Shapes the validator accepts (one * per level, one **), so that most runs measure a pattern that is compiled.
    const level = fc.constantFrom("a", "*", "?a", "a*", "*a", "a*a", "?*?", "*q", "x.*", "*.{a,aa}", "{a,aa,}*", "[a]*", "(a|b)", "a?a?a", "**", "{a,b}+", "a*{a,b}+@x", "{a,aa,}?", "!a*", "@(a)+", "*(a)");
    const acceptedShape = fc.array(level, { minLength: 1, maxLength: 30 }).map((levels) => {
      let seen = false;
      return levels.filter((part) => part !== "**" || (!seen && (seen = true))).join("/");
    });
    const pattern = fc.oneof(wildcardHeavy, acceptedShape).filter((candidate) => candidate.trim().length > 0);

    const pathFor = (source: string) => {
      const literal = source.replace(/\*\*|\*|\?/g, "a").replace(/[{},]/g, "");
      const unit = fc.constantFrom("a", "a/", "aa", "a.", "/", ".", literal, `${literal}/`, literal.slice(0, Math.max(1, literal.length >> 1)), "ab", "q/");
      const ending = fc.constantFrom("", "q", "x", "/", "/..", ".b", "/q", "\n");
      return fc.tuple(unit, fc.integer({ min: 1, max: 4_090 }), ending).map(([chunk, length, end]) => `${chunk.repeat(Math.ceil(length / Math.max(1, chunk.length)))}`.slice(0, 4_095 - end.length) + end);
    };

    let worst = 0;
    let worstRaw = 0;
    let worstCase = "";
    let accepted = 0;
    fc.assert(
      fc.property(
        pattern.chain((source) => fc.tuple(fc.constant(source), fc.array(pathFor(source), { minLength: 4, maxLength: 4 }))),
        ([source, paths]) => {
          const compiled = compileRiskPattern(source);
          if (!compiled.ok) {
            expect(compiled.problem.length).toBeGreaterThan(0);
            return;
          }
          accepted += 1;
          for (const path of paths) {
            expect(path.length).toBeLessThan(4_096);
            const timeMatch = () => {
              const started = performance.now();
              compiled.regex.test(path);
              return performance.now() - started;
            };
            // On a 2-core machine shared with other test processes any one call can be paused (GC, scheduling), but
            // backtracking cannot hide that way: it is slow every time. So each match is timed 3 times, fastest counts.
            const times = Array.from({ length: 3 }, timeMatch);
            worstRaw = Math.max(worstRaw, ...times);
            const elapsed = Math.min(...times);
            if (elapsed > worst) {
              worst = elapsed;
              worstCase = `${JSON.stringify(source)} vs ${path.length}-character path ${JSON.stringify(path.slice(0, 40))}…`;
            }
            expect(elapsed, `${source} vs ${JSON.stringify(path.slice(0, 80))}`).toBeLessThan(5);
          }
        },
      ),
      { numRuns: 300 },
    );
    await annotate(`risk patterns: ${accepted} of 300 accepted; slowest match ${worst.toFixed(3)} ms (${worstCase}); slowest single call ${worstRaw.toFixed(3)} ms`);
    expect(accepted).toBeGreaterThan(100);
  });
});
