import { describe, expect, it } from "vitest";
import { analyzeCommit } from "./engine.ts";
import { aiDisclosureSignal, messageShapeSignal, timeOfDaySignal } from "./signals.ts";
import { addedPatch, makeCommit, makeFile } from "./testing.ts";

const bigFile = (overrides: Parameters<typeof makeFile>[0] = {}) =>
  makeFile({ path: "src/feature.ts", status: "added", additions: 612, deletions: 0, patch: addedPatch(Array.from({ length: 612 }, (_, i) => `export const value${i} = ${i};`)), ...overrides });

function signalIds(commit: ReturnType<typeof makeCommit>): string[] {
  return analyzeCommit(commit).signals.map((signal) => signal.id);
}

describe("velocity", () => {
  it("fires for 600 written lines 3 minutes after the author's previous commit, and says so", () => {
    const result = analyzeCommit(makeCommit({ author: { name: "Dana", email: "dana@example.org", date: "2025-03-04T14:05:00+01:00" }, authorPreviousCommitAt: "2025-03-04T13:02:00Z", files: [bigFile()] }));
    const velocity = result.signals.find((signal) => signal.id === "velocity");
    expect(velocity).toMatchObject({ weight: 0.6, evidence: "612 lines 3 minutes after the author's previous commit" });
  });

  it("does not fire for the same commit an hour later, or without a previous commit", () => {
    expect(signalIds(makeCommit({ authorPreviousCommitAt: "2025-03-04T12:00:00+01:00", files: [bigFile()] }))).not.toContain("velocity");
    expect(signalIds(makeCommit({ authorPreviousCommitAt: null, files: [bigFile()] }))).not.toContain("velocity");
  });

  it("does not count a 5,000-line file rename as writing", () => {
    const rename = makeFile({ path: "src/new-home/engine.ts", previousPath: "src/engine.ts", status: "renamed", additions: 5000, deletions: 5000, patch: null });
    expect(signalIds(makeCommit({ authorPreviousCommitAt: "2025-03-04T14:04:00+01:00", files: [rename] }))).not.toContain("velocity");
  });

  it("does not count pasted tabular data as writing, but does count the code beside it", () => {
    const csv = makeFile({ path: "benchsuite/runs/2020-10-14/raw.csv", status: "added", additions: 671, deletions: 0, patch: null });
    expect(signalIds(makeCommit({ authorPreviousCommitAt: "2025-03-04T14:04:00+01:00", files: [csv] }))).not.toContain("velocity");
    expect(signalIds(makeCommit({ authorPreviousCommitAt: "2025-03-04T14:04:00+01:00", files: [csv, bigFile()] }))).toContain("velocity");
  });

  it("does not count a lockfile update, generated or vendored files", () => {
    const files = [
      makeFile({ path: "package-lock.json", additions: 4000, deletions: 3900, patch: null }),
      makeFile({ path: "vendor/github.com/lib/pq/conn.go", additions: 900, deletions: 0, patch: null }),
      makeFile({ path: "api/gen/service.pb.go", additions: 700, deletions: 0, patch: null }),
    ];
    const result = analyzeCommit(makeCommit({ authorPreviousCommitAt: "2025-03-04T14:04:00+01:00", files }));
    expect(result.signals.map((signal) => signal.id)).not.toContain("velocity");
    expect(result.files.map((file) => [file.kind, file.countsTowardShare])).toEqual([
      ["lockfile", false],
      ["vendored", false],
      ["generated", false],
    ]);
  });
});

describe("time of day", () => {
  it("fires for 02:40 on the author's own clock and quotes the offset", () => {
    expect(timeOfDaySignal(makeCommit({ author: { name: "A", email: "a@example.org", date: "2025-03-04T02:40:00+01:00" } }))).toEqual({
      id: "time-of-day",
      weight: 0.3,
      evidence: "authored 02:40 +01:00",
    });
  });

  it("does not fire for 03:00 UTC that is 10:00 in the author's offset", () => {
    // 03:00Z written by someone at +07:00 is 10:00 on their clock.
    expect(timeOfDaySignal(makeCommit({ author: { name: "A", email: "a@example.org", date: "2025-03-04T10:00:00+07:00" } }))).toBeNull();
  });

  it("fires for 03:00 local even when that is the afternoon in UTC", () => {
    expect(timeOfDaySignal(makeCommit({ author: { name: "A", email: "a@example.org", date: "2025-03-04T03:00:00-10:00" } }))?.evidence).toBe("authored 03:00 -10:00");
  });

  it("is never enough on its own", () => {
    expect(analyzeCommit(makeCommit({ author: { name: "A", email: "a@example.org", date: "2025-03-04T03:15:00+00:00" } })).confidence).toBeLessThan(0.5);
  });
});

describe("AI disclosure in the PR or message", () => {
  it("fires when the PR says the change was generated with a tool", () => {
    const signal = aiDisclosureSignal(makeCommit({ pullRequest: { title: "Add CSV export", body: "This PR was mostly generated with Claude Code, reviewed by me." } }));
    expect(signal).toMatchObject({ id: "pr-ai-disclosure", weight: 0.7 });
    expect(signal?.evidence).toContain("mostly generated with Claude Code");
  });

  it("does not fire for a PR about a Copilot integration", () => {
    const pr = { title: "Add GitHub Copilot integration", body: "Adds a settings page for Copilot and ChatGPT API keys.\nUsers can enable the Copilot sidebar." };
    expect(aiDisclosureSignal(makeCommit({ pullRequest: pr }))).toBeNull();
  });

  it("does not fire for code that is generated by a tool that is not AI", () => {
    expect(aiDisclosureSignal(makeCommit({ message: "Regenerate protobufs\n\nGenerated with protoc 3.21." }))).toBeNull();
  });
});

describe("message shape", () => {
  it("scores a sectioned agent-style message and explains why", () => {
    const message = [
      "Add rate limiting to the public API",
      "",
      "## Summary",
      "Adds a token bucket per API key — requests over the limit get 429.",
      "",
      "- Add middleware",
      "- Add configuration",
      "- Add tests to ensure comprehensive coverage",
    ].join("\n");
    const signal = messageShapeSignal(makeCommit({ message }));
    expect(signal?.weight).toBeGreaterThanOrEqual(0.5);
    expect(signal?.evidence).toContain("markdown sections");
    expect(signal?.evidence).toContain('"—"');
  });

  it("stays silent for a terse human message", () => {
    expect(messageShapeSignal(makeCommit({ message: "fix typo in README" }))).toBeNull();
    expect(messageShapeSignal(makeCommit({ message: "Bump version to 2.3.1\n\nSee #412." }))).toBeNull();
  });

  it("scores a Conventional-Commits subject over an explanatory body, but not over trailers alone", () => {
    const explained = "fix(auth): refresh the token before it expires\n\nThe refresh ran after expiry, so every request in the last minute of a session failed with 401 and retried.";
    const signal = messageShapeSignal(makeCommit({ message: explained }));
    expect(signal?.weight).toBe(0.45);
    expect(signal?.evidence).toContain('Conventional-Commits subject ("fix(auth):")');
    const longer = `${explained}\n\nMove the refresh to a timer that fires a minute before expiry, and keep the retry for clocks that drift.`;
    expect(messageShapeSignal(makeCommit({ message: longer }))?.weight).toBe(0.5);
    const trailersOnly = "fix(auth): refresh the token\n\nCo-authored-by: Alex Example <alex.example@example.org>\nSigned-off-by: Dana Example <dana.example@example.org>";
    expect(messageShapeSignal(makeCommit({ message: trailersOnly }))).toBeNull();
    // "core:" and "tests:" are area prefixes, not Conventional-Commits types.
    expect(messageShapeSignal(makeCommit({ message: explained.replace("fix(auth)", "core") }))).toBeNull();
  });

  it("scores a bullet list under a prose explanation, not a squash merge's list of commit subjects", () => {
    const listed = "Cache parsed configs\n\nParsing the config on every request dominated the profile of the API server.\n- Add an LRU keyed by path\n- Invalidate on file change";
    expect(messageShapeSignal(makeCommit({ message: listed }))).toMatchObject({ weight: 0.4, evidence: "message shape: a 2-item list under a prose explanation" });
    const squash = "Cache parsed configs (#41)\n\n* Add an LRU keyed by path for the config parser cache\n\n* Invalidate on file change";
    expect(messageShapeSignal(makeCommit({ message: squash }))).toBeNull();
  });

  it("counts a descriptive subject only on top of another tell", () => {
    const subject = "Refresh the session token a minute before it expires in the API client";
    expect(messageShapeSignal(makeCommit({ message: subject }))).toBeNull();
    const explained = `fix: ${subject.toLowerCase()}\n\nThe refresh ran after expiry, so every request in the last minute of a session failed with 401 and was retried.`;
    expect(messageShapeSignal(makeCommit({ message: explained }))).toMatchObject({ weight: 0.5, evidence: expect.stringContaining("75-character subject") });
  });

  it("ignores the templated messages of dependency and release bots", () => {
    const message = [
      "build(deps): bump lodash from 4.17.20 to 4.17.21",
      "",
      "Bumps [lodash](https://github.com/lodash/lodash) from 4.17.20 to 4.17.21. This is a templated message.",
      "- [Release notes](https://github.com/lodash/lodash/releases)",
      "- [Commits](https://github.com/lodash/lodash/compare/4.17.20...4.17.21)",
    ].join("\n");
    const author = { name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com", date: "2025-03-04T14:05:00Z" };
    expect(messageShapeSignal(makeCommit({ message, author }))).toBeNull();
    expect(messageShapeSignal(makeCommit({ message }))?.weight).toBe(0.55);
    const agentApp = { ...author, name: "marvin-context-protocol[bot]", email: "225465937+marvin-context-protocol[bot]@users.noreply.github.com" };
    expect(messageShapeSignal(makeCommit({ message, author: agentApp }))?.weight).toBe(0.55);
  });

  it("alone never exceeds its cap", () => {
    const message = `Title\n\n# Heading\n**Bold** — → ✅ comprehensive robust\n${"- item\n".repeat(20)}${"x".repeat(800)}`;
    expect(messageShapeSignal(makeCommit({ message }))?.weight).toBe(0.55);
  });
});

describe("code style", () => {
  it("scores typographic characters and step-narrating comments in added code, per file", () => {
    const lines = [
      "export function syncUsers(users: User[]) {",
      "  // Check if the list is empty",
      "  if (users.length === 0) return;",
      "  // Validate each user before saving",
      "  const result = users.filter(isValid); // keep valid ones → save",
      "  // Save the result",
      "  save(result);",
      "}",
    ];
    const result = analyzeCommit(makeCommit({ files: [makeFile({ path: "src/sync.ts", additions: lines.length, patch: addedPatch(lines) }), makeFile({ path: "src/other.ts" })] }));
    const styled = result.files[0]?.signals.find((signal) => signal.id === "code-style");
    expect(styled?.weight).toBeLessThanOrEqual(0.4);
    expect(styled?.evidence).toContain("typographic");
    expect(styled?.evidence).toContain("step-narrating comments");
    expect(result.files[1]?.signals.map((signal) => signal.id)).not.toContain("code-style");
    expect(result.confidence).toBeLessThan(0.5);
  });

  it("reads comments the way each language writes them", () => {
    const python = ["def load(path):", "    # Check if the file exists", "    if not exists(path):", "        return None", "    # Parse the file", "    return parse(path)"];
    const go = ["func Load(path string) error {", "\t// Check if the file exists", "\tif _, err := os.Stat(path); err != nil {", "\t\treturn err", "\t}", "\t// Parse the file", "\treturn parse(path)", "}"];
    for (const [path, lines] of [["app/load.py", python], ["pkg/load.go", go], ["src/load.rs", go.map((line) => line.replace("func", "fn"))], ["src/Load.java", go]] as const) {
      const result = analyzeCommit(makeCommit({ files: [makeFile({ path, additions: lines.length, patch: addedPatch(lines) })] }));
      expect(result.files[0]?.signals.find((signal) => signal.id === "code-style")?.evidence, path).toContain("2 step-narrating comments");
    }
    // "#" is not a comment in TypeScript.
    const ts = analyzeCommit(makeCommit({ files: [makeFile({ path: "src/a.ts", additions: 4, patch: addedPatch(["class A {", "  #check if = 1;", "  #parse the = 2;", "}"]) })] }));
    expect(ts.signals.map((signal) => signal.id)).not.toContain("code-style");
  });

  function styleOf(path: string, lines: readonly string[]) {
    const result = analyzeCommit(makeCommit({ files: [makeFile({ path, additions: lines.length, patch: addedPatch(lines) })] }));
    return result.signals.find((signal) => signal.id === "code-style") ?? null;
  }

  it("notices a parenthetical aside in a comment, not parentheses that only hold a unit or an issue", () => {
    const aside = styleOf("src/cache.ts", ["export function order(keys: string[]) {", "  // Keep the caller's order (not the cache's insertion order)", "  return keys.slice();", "}"]);
    expect(aside).toMatchObject({ weight: 0.25 });
    expect(aside?.evidence).toContain("parenthetical aside (// Keep the caller's order (not the cache's");
    expect(styleOf("src/cache.ts", ["export function ttl() {", "  // Time to live (in ms), see (#123)", "  return 60_000;", "}"])).toBeNull();
  });

  it("counts test-step comments only in tests: in code, '// When …' is a condition", () => {
    const lines = ["it('refreshes the token', async () => {", "  // When the token has expired", "  clock.tick(3_600_000);", "  // Verify it was refreshed once", "  expect(refresh).toHaveBeenCalledTimes(1);", "});"];
    expect(styleOf("src/auth/token.test.ts", lines)?.evidence).toContain("2 test-step comments (// When the token has expired)");
    expect(styleOf("src/auth/token.ts", lines)).toBeNull();
  });

  it("needs two distinct explanatory words in a fair share of the comments", () => {
    const explained = ["export function load(path: string) {", "  // Fall back to the default so a missing file never breaks start-up", "  return read(path) ?? DEFAULTS;", "}"];
    expect(styleOf("src/config.ts", explained)?.evidence).toContain(`comments explain at length ("never", "fall back" in 1 of 1 comments)`);
    // One such word is ordinary English.
    expect(styleOf("src/config.ts", ["export function load(path: string) {", "  // Never read the file twice", "  return cached(path);", "}"])).toBeNull();
    // In a diff with sixty plain comments, two stray words are chance (a heavily commented human script).
    const diluted = [...explained, ...Array.from({ length: 60 }, (_, i) => `// register completion ${i}`), ...Array.from({ length: 60 }, (_, i) => `register(${i});`)];
    expect(styleOf("src/config.ts", diluted)?.evidence).not.toContain("explain at length");
  });

  it("notices clauses joined by a semicolon in a comment, not a commented-out statement or a rare one among many comments", () => {
    const prose = ["func run(cmd *exec.Cmd) error {", "\t// stdin must be closed before Wait; its exit status on EOF is expected", "\treturn cmd.Wait()", "}"];
    expect(styleOf("cmd/run.go", prose)?.evidence).toContain("1 comment joining clauses with a semicolon");
    expect(styleOf("src/loop.ts", ["export function sum(xs: number[]) {", "  // for (let i = 0; i < xs.length; i++) total += xs[i];", "  return xs.reduce(add, 0);", "}"])).toBeNull();
    const many = [...prose, ...Array.from({ length: 30 }, (_, i) => `\t// register flag ${i}`), ...Array.from({ length: 30 }, (_, i) => `\tregister(${i})`)];
    expect(styleOf("cmd/run.go", many)?.evidence ?? "").not.toContain("semicolon");
  });

  it("two different comment tells reach the cap of 0.5 and decide alone; the evidence names both", () => {
    const lines = [
      "export function pick(items: Item[]) {",
      "  // Prefer the newest item (e.g. after a retry) so callers never see a stale copy",
      "  // and fall back to the first one instead of throwing",
      "  return newest(items) ?? items[0];",
      "}",
    ];
    const result = analyzeCommit(makeCommit({ files: [makeFile({ path: "src/pick.ts", additions: lines.length, patch: addedPatch(lines) })] }));
    const styled = result.signals.find((signal) => signal.id === "code-style");
    expect(styled?.weight).toBe(0.5);
    expect(styled?.evidence).toMatch(/parenthetical aside.*comments explain at length/);
    expect(result.confidence).toBeGreaterThanOrEqual(0.5);
  });
});

describe("message shape: explanations", () => {
  it("adds explanation phrases to another tell, and needs two distinct ones", () => {
    const body = "Paginate the labels query so repositories with many labels return a complete list instead of silently truncating it.";
    const shaped = messageShapeSignal(makeCommit({ message: `fix(labels): paginate the query\n\n${body}` }));
    expect(shaped?.evidence).toContain(`explanation phrases "silently", "instead of"`);
    expect(shaped?.weight).toBe(0.55);
    const plain = messageShapeSignal(makeCommit({ message: "Paginate the labels query\n\nRepositories with many labels return a complete list now." }));
    expect(plain).toBeNull();
  });

  it("notices wrapped list items with hanging indents, not a squash merge's log", () => {
    const hanging = "Address review feedback\n\n- Paginate the labels query so repos with more than\n  100 labels return a complete list.\n- Emit an empty due date for milestones without one.";
    expect(messageShapeSignal(makeCommit({ message: hanging }))?.evidence).toContain("hanging indents");
    const squash = "Add lockdown mode (#1371)\n\n* Add lockdown mode to filter issue\n\n* Update the flag name\n  in the docs";
    expect(messageShapeSignal(makeCommit({ message: squash }))?.evidence ?? "").not.toContain("hanging indents");
  });
});
