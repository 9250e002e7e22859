import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeAiShare } from "../metrics/daily.ts";
import { analyzeCommit } from "./engine.ts";
import { messageTells } from "./signals.ts";
import type { CommitAttribution, CommitFile, FileStatus, GitIdentity, LineRecord, NormalisedCommit } from "./types.ts";

/**
 * Property-based tests of the detection engine: random normalised commits — unicode messages, identities with
 * random UTC offsets, files of every kind, well-formed, malformed, truncated, binary-like and huge patches — must
 * always score, stay in bounds, keep every file, never count nobody's writing, and only ever go up when an explicit
 * agent marker is added.
 */

const NUM_RUNS = 150;

/**
 * A long line: a word, a long run of one unit (often whitespace), an ending. Patterns with adjacent quantifiers over
 * the same characters backtrack quadratically on such runs; this is what found the 20,000-character line that took
 * seconds (MAX_STYLED_LINE_CHARS).
 */
function hugeLine(maxRun = 30_000): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom("", "x", "Summary", "## Changes", "const data", "public static int", "int main", "generated", "Co-authored-by:", "  // Check", "a ?"),
      fc.constantFrom(" ", "\t", " ? ", "a ", "x", "—", "if (a) ", "=>", "\"", "*", "\u0000", ": "),
      fc.nat({ max: maxRun }),
      fc.constantFrom("", "x", ":", "(", " = 1", "{", " : b"),
    )
    .map(([head, unit, length, tail]) => `${head}${unit.repeat(Math.ceil(length / unit.length))}${tail}`);
}

/** Text fragments that exercise the signals, mixed with arbitrary unicode. */
const messageLine = fc.oneof(
  fc.constantFrom(
    "Fix off-by-one in pagination",
    "feat(api): add billing webhooks",
    "fix: handle empty cart",
    "## Summary",
    "Summary:",
    "- Adds a comprehensive, robust handler",
    "* squash subject",
    "1. first step",
    "**Key changes**",
    "This change ensures the parser leverages the cache → faster ✅",
    "Co-authored-by: Ana Lima <ana@example.org>",
    "Co-authored-by: Copilot <copilot@github.com>",
    "Signed-off-by: Dana Smith <dana@example.org>",
    "Generated with the help of ChatGPT",
    "aider: refactor parser",
    "Claude-Session: ",
    "Made-with: Cursor",
    "",
    "   ",
    "\t",
  ),
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  hugeLine(),
);
const textArb = fc.tuple(fc.array(messageLine, { maxLength: 12 }), fc.constantFrom("\n", "\r\n")).map(([lines, eol]) => lines.join(eol));

/** ISO 8601 with a random offset (−12:00 … +14:00, quarter hours), as git writes it; sometimes not a date at all. */
const dateArb = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }), fc.integer({ min: -48, max: 56 }), fc.boolean()).map(([epochMs, quarters, zulu]) => isoWithOffset(epochMs, zulu && quarters === 0 ? null : quarters * 15)) },
  { weight: 1, arbitrary: fc.constantFrom("", "yesterday", "2025-13-45T99:99:99Z", "2025-03-04 14:05", "2025-03-04T14:05:00+0530", "0000-00-00T00:00:00Z") },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

function isoWithOffset(epochMs: number, offsetMinutes: number | null): string {
  const local = new Date(epochMs + (offsetMinutes ?? 0) * 60_000).toISOString().slice(0, 19);
  if (offsetMinutes === null) return `${local}Z`;
  const sign = offsetMinutes < 0 ? "-" : "+";
  const absolute = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(absolute / 60)).padStart(2, "0")}:${String(absolute % 60).padStart(2, "0")}`;
}

const identityArb: fc.Arbitrary<GitIdentity> = fc.record({
  name: fc.oneof(fc.constantFrom("Dana Smith", "Claude", "Devin", "Paul (aider)", "copilot-swe-agent[bot]", "dependabot[bot]", "renovate", "José Ñúñez", ""), fc.string({ unit: "grapheme", maxLength: 30 })),
  email: fc.oneof(
    fc.constantFrom("dana@example.org", "noreply@anthropic.com", "198982749+Copilot@users.noreply.github.com", "49699333+dependabot[bot]@users.noreply.github.com", "ana@users.noreply.github.com", "", "not-an-email"),
    fc.emailAddress(),
  ),
  date: dateArb,
});

/** Paths of files that are nobody's writing: lockfiles, generated, vendored, binary and translation catalogues. */
const NOT_WRITTEN = ["package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "go.sum", "poetry.lock", "vendor/lib/x.go", "node_modules/left-pad/index.js", "third_party/zlib/inflate.c", "dist/app.js", "build/out.css", "web/app.min.js", "api/service.pb.go", "proto/user_pb2.py", "src/__generated__/schema.ts", "ui/__snapshots__/a.test.ts.snap", "assets/logo.png", "fonts/inter.woff2", "bin/tool.exe", "po/incus.pot", "public/locales/de.json", "app/src/main/res/values-de/strings.xml"];
const WRITTEN_LIKE = ["src/billing/webhook.ts", "src/auth/session.ts", "app/main.py", "cmd/server/main.go", "lib/parser.rs", "src/App.java", "docs/guide.md", "README.md", ".github/workflows/ci.yml", "tsconfig.json", "tests/billing.test.ts", "spec/user_spec.rb", "Makefile", "scripts/deploy.sh", "migrations/0001.sql", "src/💥/ünïcode file.ts", "a", ""];

const pathArb = fc.oneof(
  fc.constantFrom(...NOT_WRITTEN),
  fc.constantFrom(...WRITTEN_LIKE),
  fc.tuple(fc.constantFrom("", "src/", "vendor/", "dist/", "test/", "docs/", "deeply/nested/dir/"), fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 })).map(([dir, name]) => `${dir}${name}`),
);

const codeLine = fc.oneof(
  fc.constantFrom(
    "export function handle(event) {",
    "  if (event.ok && ready) return charge(event);",
    "  // Check if the user exists",
    "  // Ensure the cache is warm",
    "  const result = await fetch(url); // → retry ✅",
    "def parse(data):",
    "    return [x for x in data if x]",
    "}",
    "// Code generated by protoc-gen-go. DO NOT EDIT.",
    "@generated",
    "\\ No newline at end of file",
    "+++ b/src/file.ts",
    "--- a/src/file.ts",
    "@@ -1,3 +1,4 @@",
    "@@ -x,y +z @@ broken header",
    "@@",
  ),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  hugeLine(),
);

/** A unified diff built from hunks (the prefix of each line chosen at random), or something that is not one. */
const patchArb: fc.Arbitrary<string | null> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(
        fc.tuple(fc.nat({ max: 500 }), fc.nat({ max: 40 }), fc.nat({ max: 500 }), fc.nat({ max: 40 }), fc.array(fc.tuple(fc.constantFrom("+", "-", " ", "", "\\"), codeLine), { maxLength: 25 })),
        { maxLength: 4 },
      )
      .map((hunks) => hunks.map(([a, b, c, d, lines]) => [`@@ -${a},${b} +${c},${d} @@`, ...lines.map(([prefix, text]) => `${prefix}${text}`)].join("\n")).join("\n")),
  },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 400 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 400 }).map((bytes) => String.fromCharCode(...bytes)) },
  // Cut anywhere, even inside a hunk header: the engine takes patches as GitHub truncates them.
  { weight: 1, arbitrary: fc.tuple(fc.array(codeLine, { maxLength: 20 }), fc.nat()).map(([lines, cut]) => { const text = `@@ -1,${lines.length} +1,${lines.length} @@\n${lines.map((line) => `+${line}`).join("\n")}`; return text.slice(0, cut % (text.length + 1)); }) },
);

const statusArb = fc.constantFrom<FileStatus>("added", "modified", "removed", "renamed", "copied", "changed");

const fileArb: fc.Arbitrary<CommitFile> = fc
  .record({
    path: pathArb,
    previousPath: fc.option(pathArb),
    status: statusArb,
    additions: fc.oneof(fc.nat({ max: 50 }), fc.nat({ max: 100_000 })),
    deletions: fc.oneof(fc.nat({ max: 50 }), fc.nat({ max: 100_000 })),
    patch: patchArb,
    patchTruncated: fc.boolean(),
    binary: fc.boolean(),
  })
  .map((file) => ({ ...file, previousPath: file.status === "renamed" || file.status === "copied" ? file.previousPath : null }));

function lineRecordArb(paths: readonly string[]): fc.Arbitrary<LineRecord> {
  return fc.record({
    source: fc.constantFrom("git-ai" as const, "agent-trace" as const),
    path: paths.length > 0 ? fc.oneof(fc.constantFrom(...paths), pathArb) : pathArb,
    contributor: fc.constantFrom("human" as const, "ai" as const, "mixed" as const),
    agent: fc.option(fc.constantFrom("claude-sonnet-4-5", "gpt-5", "")),
    // Ranges as parsers let them through and as they should not: reversed, zero, huge.
    ranges: fc.array(fc.tuple(fc.integer({ min: -5, max: 100_000 }), fc.integer({ min: -5, max: 100_000 })), { maxLength: 4 }),
  });
}

const commitArb: fc.Arbitrary<NormalisedCommit> = fc
  .record({
    sha: fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 40, maxLength: 40 }),
    parents: fc.array(fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 40, maxLength: 40 }), { maxLength: 2 }),
    message: textArb,
    author: identityArb,
    committer: identityArb,
    branch: fc.option(fc.oneof(fc.constantFrom("main", "feature/x", "refs/heads/main", "claude-ish/not-an-agent", "release/2.0"), fc.string({ maxLength: 30 }))),
    pullRequest: fc.option(fc.record({ title: textArb, body: textArb })),
    authorPreviousCommitAt: fc.option(dateArb),
    files: fc.array(fileArb, { maxLength: 8 }),
    truncated: fc.boolean(),
  })
  .chain((commit) => fc.array(lineRecordArb(commit.files.map((file) => file.path)), { maxLength: 3 }).map((lineRecords) => ({ ...commit, lineRecords })));

/** A commit that is often close to the velocity window (the author's previous commit minutes earlier). */
const commitNearPreviousArb = fc.tuple(commitArb, fc.integer({ min: -5 * 60_000, max: 20 * 60_000 }), fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }), fc.integer({ min: -48, max: 56 })).map(
  ([commit, gapMs, epochMs, quarters]): NormalisedCommit => ({
    ...commit,
    author: { ...commit.author, date: isoWithOffset(epochMs, quarters * 15) },
    authorPreviousCommitAt: isoWithOffset(epochMs - gapMs, 0),
  }),
);

const anyCommitArb = fc.oneof(commitArb, commitNearPreviousArb);

function expectProbability(value: number): void {
  expect(Number.isFinite(value)).toBe(true);
  expect(value).toBeGreaterThanOrEqual(0);
  // Marker weights are clamped to 0.99 and each family of tells is capped: no evidence is proof, so a confidence never reaches 1.
  expect(value).toBeLessThan(1);
}

function expectWellFormed(commit: NormalisedCommit, result: CommitAttribution): void {
  expect(result.sha).toBe(commit.sha);
  expect(result.writtenLines).toBe(result.files.reduce((sum, file) => sum + file.writtenLines, 0));
  expectProbability(result.confidence);
  for (const signal of result.signals) expectProbability(signal.weight);
  // Every input file comes out exactly once, in order, with its own path and counts.
  expect(result.files.map((file) => file.path)).toEqual(commit.files.map((file) => file.path));
  result.files.forEach((file, index) => {
    const input = commit.files[index]!;
    expectProbability(file.aiConfidence);
    expect(file.previousPath).toBe(input.previousPath);
    expect(file.status).toBe(input.status);
    expect(file.linesAdded).toBe(input.additions);
    expect(file.linesDeleted).toBe(input.deletions);
    expect([1, 2, 3, 4]).toContain(file.riskTier);
    expect([1, 2, 3, 4]).toContain(file.baseTier);
    if (file.flagged) expect(file.riskTier).toBeGreaterThanOrEqual(3);
    expect(file.countsTowardShare).toBe(!["lockfile", "generated", "vendored", "binary", "translation"].includes(file.kind));
    // Written lines are some of the added lines, and none of a file that counts toward nobody's share.
    expect(Number.isInteger(file.writtenLines) && file.writtenLines >= 0).toBe(true);
    expect(file.writtenLines).toBeLessThanOrEqual(file.linesAdded);
    if (!file.countsTowardShare) expect(file.writtenLines).toBe(0);
    if (file.writtenLines < file.linesAdded) expect(file.exclusion).toBeTruthy();
    if (input.binary || NOT_WRITTEN.includes(input.path)) expect(file.countsTowardShare).toBe(false);
    for (const count of Object.values(file.complexity)) expect(Number.isInteger(count) && count >= 0).toBe(true);
    // Signal ids are unique per file (the strongest of each kind), so no evidence is counted twice.
    expect(new Set(file.signals.map((signal) => signal.id)).size).toBe(file.signals.length);
  });

  // The AI line counts (the daily AI share over these rows): never above the added lines, nothing from nobody's writing.
  const rows = result.files.map((file) => ({ commitSha: commit.sha, ...file }));
  const share = computeAiShare(rows);
  const written = rows.filter((row) => row.countsTowardShare);
  expect(share.linesAdded).toBe(written.reduce((sum, row) => sum + row.linesAdded, 0));
  expect(share.aiLinesAdded).toBeLessThanOrEqual(share.linesAdded);
  expect(share.aiPercentage).toBeGreaterThanOrEqual(0);
  expect(share.aiPercentage).toBeLessThanOrEqual(100);
  const notWritten = rows.filter((row) => !row.countsTowardShare);
  expect(computeAiShare(notWritten)).toMatchObject({ linesAdded: 0, aiLinesAdded: 0, linesDeleted: 0 });
}

/** Explicit agent markers (docs/detection.md), each with the weight the engine gives it. */
const MARKERS: Array<{ name: string; weight: number; add: (commit: NormalisedCommit) => NormalisedCommit }> = [
  { name: "Claude co-author trailer", weight: 0.9, add: (commit) => ({ ...commit, message: `${commit.message}\n\nCo-Authored-By: Claude <noreply@anthropic.com>` }) },
  { name: "Claude Code banner", weight: 0.95, add: (commit) => ({ ...commit, message: `${commit.message}\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)` }) },
  { name: "Copilot coding agent author", weight: 0.95, add: (commit) => ({ ...commit, author: { ...commit.author, name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com" } }) },
  { name: "agent branch", weight: 0.8, add: (commit) => ({ ...commit, branch: "codex/fix-login" }) },
  {
    name: "Devin link in the PR body",
    weight: 0.9,
    add: (commit) => ({ ...commit, pullRequest: { title: commit.pullRequest?.title ?? "", body: `${commit.pullRequest?.body ?? ""}\nLink to Devin run: https://app.devin.ai/sessions/1` } }),
  },
];

/** Generous for a few hundred kilobytes of text (a linear scan takes milliseconds), far below the seconds a backtracking pattern took. */
const TIME_BUDGET_MS = 1_500;

describe("analyzeCommit on random commits", () => {
  it("never throws, stays in [0, 1), keeps every file once and never counts nobody's writing", () => {
    fc.assert(
      fc.property(anyCommitArb, (commit) => {
        const result = analyzeCommit(commit);
        expectWellFormed(commit, result);
        // Deterministic, and the eval shortcut scores the commit exactly as the full analysis does.
        expect(analyzeCommit(commit)).toEqual(result);
        expect(analyzeCommit(commit, { commitOnly: true }).confidence).toBe(result.confidence);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("never lowers a confidence when an explicit agent marker is added, and gives at least the marker's weight", () => {
    fc.assert(
      fc.property(anyCommitArb, fc.nat({ max: MARKERS.length - 1 }), (commit, which) => {
        const marker = MARKERS[which]!;
        const before = analyzeCommit(commit);
        const marked = marker.add(commit);
        const after = analyzeCommit(marked);
        expectWellFormed(marked, after);
        // An agent taking an automation bot's place as author makes the message evidence again (a bot's templated
        // message is none), and message tells point either way: the marker still sets the floor, but need not raise.
        const messageNowCounts = messageTells(commit).length === 0 && messageTells(marked).length > 0;
        if (!messageNowCounts) expect(after.confidence, marker.name).toBeGreaterThanOrEqual(before.confidence);
        expect(after.confidence, marker.name).toBeGreaterThanOrEqual(marker.weight - 1e-12);
        after.files.forEach((file, index) => {
          if (!messageNowCounts) expect(file.aiConfidence, `${marker.name}: ${file.path}`).toBeGreaterThanOrEqual(before.files[index]!.aiConfidence);
          expect(file.aiConfidence, `${marker.name}: ${file.path}`).toBeGreaterThanOrEqual(marker.weight - 1e-12);
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("scores a commit of huge lines in linear time (no pattern backtracks over a long run)", () => {
    const hugeFile = fc.record({ path: fc.constantFrom(...WRITTEN_LIKE, "src/a.c", "src/A.cs", "src/a.kt", "src/a.swift", "src/a.rb", "src/a.php", "bin/run.sh"), lines: fc.array(hugeLine(60_000), { minLength: 1, maxLength: 3 }) });
    fc.assert(
      fc.property(commitArb, fc.array(hugeFile, { minLength: 1, maxLength: 2 }), fc.array(hugeLine(60_000), { maxLength: 2 }), (commit, files, messageLines) => {
        const huge: NormalisedCommit = {
          ...commit,
          message: [commit.message, ...messageLines].join("\n"),
          pullRequest: { title: messageLines[0] ?? "", body: messageLines.join("\n") },
          files: files.map(({ path, lines }) => ({ path, previousPath: null, status: "added", additions: lines.length, deletions: 0, patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((line) => `+${line}`).join("\n")}`, patchTruncated: false, binary: false })),
        };
        const started = performance.now();
        expectWellFormed(huge, analyzeCommit(huge));
        expect(performance.now() - started).toBeLessThan(TIME_BUDGET_MS);
      }),
      { numRuns: 40 },
    );
  });
});
