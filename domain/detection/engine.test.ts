import { describe, expect, it } from "vitest";
import { AGENTS, UNMARKED_AGENT } from "./agents.ts";
import { analyzeCommit } from "./engine.ts";
import { fromGitHubCommit } from "./github.ts";
import { detectAgentMarkers } from "./markers.ts";
import { DETECTOR_MODEL, scoreTells } from "./model.ts";
import { stripMarkers } from "./strip.ts";
import { addedPatch, makeCommit, makeFile } from "../../tests/support/commits.ts";
import { AI_CONFIDENCE_THRESHOLD } from "./threshold.ts";
import type { Signal } from "./types.ts";
import { DETECTOR_VERSION } from "./version.ts";

const claudeTrailer = "Add billing webhooks\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>";

describe("analyzeCommit", () => {
  it("attributes every file of a marked commit and carries signals, tiers and the detector version", () => {
    const result = analyzeCommit(
      makeCommit({
        message: claudeTrailer,
        files: [
          makeFile({ path: "src/billing/webhook.ts", status: "added", additions: 3, deletions: 0, patch: addedPatch(["export function handle(event) {", "  if (event.ok) return charge(event);", "}"]) }),
          makeFile({ path: "package-lock.json", additions: 300, deletions: 280, patch: null }),
          makeFile({ path: "docs/billing.md", additions: 10, deletions: 0, patch: addedPatch(["# Billing"]) }),
        ],
      }),
    );
    expect(result.detectorVersion).toBe(DETECTOR_VERSION);
    expect(result.confidence).toBeGreaterThanOrEqual(0.9);
    const [code, lock, docs] = result.files;
    expect(code).toMatchObject({ kind: "code", countsTowardShare: true, riskTier: 3, baseTier: 3, flagged: true, linesAdded: 3, complexity: { branches: 1, functions: 1 } });
    expect(code?.signals.map((signal) => signal.id)).toContain("agent-coauthor-trailer");
    expect(lock).toMatchObject({ kind: "lockfile", countsTowardShare: false, riskTier: 1 });
    expect(docs).toMatchObject({ kind: "docs", riskTier: 1, flagged: false });
  });

  it("lowers the tier of human code so it is not flagged", () => {
    const message = "auth: Fix off-by-one in session expiry\n\nThe check compared against the wrong bound.\n\nSigned-off-by: Dana Smith <dana@example.org>";
    const result = analyzeCommit(makeCommit({ message, files: [makeFile({ path: "src/auth/session.ts" })] }));
    expect(result.confidence).toBeLessThan(0.3);
    expect(result.files[0]).toMatchObject({ baseTier: 3, riskTier: 2, flagged: false });
    expect(result.files[0]?.riskReasons.join(" ")).toContain("below 0.3");
  });

  it("gives line-record evidence only to the files the records name", () => {
    const result = analyzeCommit(
      makeCommit({
        files: [makeFile({ path: "src/a.ts" }), makeFile({ path: "src/b.ts" })],
        lineRecords: [{ source: "git-ai", path: "src/b.ts", contributor: "ai", agent: "claude-sonnet-4-5", ranges: [[1, 40]] }],
      }),
    );
    expect(result.files[0]?.aiConfidence).toBe(result.confidence);
    expect(result.files[0]?.aiConfidence).toBeLessThan(0.5);
    expect(result.files[1]?.aiConfidence).toBeGreaterThan(0.9);
    expect(result.files[1]?.signals[0]?.evidence).toBe("git-ai note: 40 lines written by claude-sonnet-4-5");
  });

  it("handles a commit with no files and empty patches", () => {
    const result = analyzeCommit(makeCommit({ files: [], message: "" }));
    expect(result).toMatchObject({ writtenLines: 0, signals: [], files: [] });
    // Nothing to go on: the model's baseline, well below even odds.
    expect(result.confidence).toBeCloseTo(scoreTells([]).probability, 12);
    expect(result.confidence).toBeLessThan(0.5);
  });
});

const ids = (result: { signals: readonly { id: string }[] }) => result.signals.map((signal) => signal.id);
const byId = (result: { signals: readonly Signal[] }, id: string) => result.signals.find((signal) => signal.id === id);

describe("commits careful people write stay below 0.5", () => {
  const angular = [
    "fix(compiler): handle nested i18n blocks inside control flow",
    "",
    "Previously, the template parser did not account for i18n blocks nested inside @if and @for, so the extracted",
    "messages lost their placeholders and the generated code referenced a slot that was never allocated.",
    "",
    "This commit tracks the nesting depth while visiting the block's children, and allocates the placeholder slots",
    "before the children are emitted. Existing templates without nesting compile to the same output as before.",
    "",
    "Fixes #51234",
  ].join("\n");

  it("a Conventional-Commits message with a long explanatory body, with or without Signed-off-by", () => {
    for (const message of [angular, `${angular}\n\nSigned-off-by: Jane Doe <jane.doe@example.org>`]) {
      const result = analyzeCommit(makeCommit({ message }));
      // The message reads like an agent's and the tells see it; its family alone still cannot decide.
      expect(ids(result)).toContain("message-conventional-explained");
      expect(result.confidence).toBeLessThan(0.5);
    }
  });

  it("a `component: subject` message with an explanation and a Signed-off-by, whose tells point toward a person", () => {
    const incus = [
      "tests: Standardize indentation",
      "",
      "The shell tests mixed tabs and four spaces depending on who last touched them. Use tabs throughout",
      "so that diffs of the test suite stay readable.",
      "",
      "Signed-off-by: Stéphane Graber <stgraber@stgraber.org>",
    ].join("\n");
    const result = analyzeCommit(makeCommit({ message: incus }));
    expect(result.confidence).toBeLessThan(0.5);
    expect(result.confidence).toBeLessThan(scoreTells([]).probability);
    expect(byId(result, "message-area-prefix")?.odds).toBeLessThan(1);
    expect(byId(result, "message-signed-off")?.odds).toBeLessThan(1);
  });

  it("any message on its own, however agent-like", () => {
    const message = `Title\n\n# Heading\n**Bold** — → ✅ comprehensive robust\n${"- item\n".repeat(20)}${"x".repeat(800)}`;
    const result = analyzeCommit(makeCommit({ message }));
    expect(ids(result)).toContain("message-capped");
    expect(result.confidence).toBeLessThan(0.5);
  });
});

describe("agent markers decide", () => {
  it("a one-line message with an agent co-author trailer is at least 0.9", () => {
    const result = analyzeCommit(makeCommit({ message: "Add billing webhooks\n\nCo-authored-by: Claude <noreply@anthropic.com>" }));
    expect(result.confidence).toBeGreaterThanOrEqual(0.9);
    expect(result.signals[0]?.id).toBe("agent-coauthor-trailer");
  });

  it("counts an agent co-author line indented inside the body", () => {
    const message = "Update the docs\n\nRewrites the install section.\n    Co-authored-by: Claude <noreply@anthropic.com>";
    const result = analyzeCommit(makeCommit({ message }));
    expect(ids(result)).toContain("agent-coauthor-trailer");
    expect(result.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it("counts it when an automation bot is the author: the bot's message is no evidence, its co-author is", () => {
    const bot = { name: "github-actions[bot]", email: "41898282+github-actions[bot]@users.noreply.github.com", date: "2025-03-04T14:05:00Z" };
    const message = "Update the docs\n\n## Summary\n- Rewrites the install section\n\nCo-authored-by: Claude <noreply@anthropic.com>";
    const result = analyzeCommit(makeCommit({ author: bot, committer: bot, message }));
    expect(ids(result)).toContain("agent-coauthor-trailer");
    expect(ids(result).filter((id) => id.startsWith("message-"))).toEqual([]);
    expect(result.confidence).toBeGreaterThanOrEqual(0.9);
  });
});

describe("tells from different families add up", () => {
  const agentMessage = "Add rate limiting to the public API\n\n## Summary\nAdds a token bucket per API key — requests over the limit get 429.\n\n- Add middleware\n- Add configuration\n- Add tests to ensure comprehensive coverage";
  const agentCode = [
    "export function limit(request: Request) {",
    "  // Check if the key has a bucket (e.g. after a restart)",
    "  const bucket = buckets.get(request.key) ?? createBucket();",
    "  // Refill the bucket → never above its capacity",
    "  bucket.refill(now());",
    "  return bucket.take();",
    "}",
  ];
  const codeFile = makeFile({ path: "src/limit.ts", status: "added", additions: agentCode.length, deletions: 0, patch: addedPatch(agentCode) });

  it("two agreeing families exceed what either family alone reaches", () => {
    const messageOnly = analyzeCommit(makeCommit({ message: agentMessage }));
    const codeOnly = analyzeCommit(makeCommit({ message: "Add rate limiting to the public API\n\nA bucket per key, refilled on each request.", files: [codeFile] }));
    const both = analyzeCommit(makeCommit({ message: agentMessage, files: [codeFile] }));
    expect(ids(messageOnly).some((id) => id.startsWith("style-"))).toBe(false);
    expect(ids(codeOnly).some((id) => id.startsWith("style-"))).toBe(true);
    expect(both.confidence).toBeGreaterThan(Math.max(messageOnly.confidence, codeOnly.confidence));
  });

  it("shows each fitted tell with the factor it moves the odds by", () => {
    const lines = Array.from({ length: 612 }, (_, i) => `export const value${i} = ${i};`);
    const result = analyzeCommit(
      makeCommit({ authorPreviousCommitAt: "2025-03-04T13:02:00Z", files: [makeFile({ path: "src/feature.ts", status: "added", additions: 612, deletions: 0, patch: addedPatch(lines) })] }),
    );
    const velocity = byId(result, "velocity-fast");
    expect(velocity?.odds).toBeCloseTo(Math.exp(DETECTOR_MODEL.weights["velocity-fast"]!), 12);
    expect(velocity?.evidence).toMatch(/^612 lines 3 minutes after the author's previous commit \(×[\d.]+ odds\)$/);
    expect(result.writtenLines).toBe(612);
  });
});

describe("lines nobody wrote are not counted", () => {
  it("a regenerated .pot catalogue: no written lines, no velocity, below 0.5", () => {
    const catalogue = Array.from({ length: 30_000 }, (_, i) => (i % 3 === 0 ? `msgid "Instance ${i} not found"` : i % 3 === 1 ? 'msgstr ""' : ""));
    const pot = makeFile({ path: "po/incus.pot", additions: 30_000, deletions: 0, patch: addedPatch(catalogue) });
    const result = analyzeCommit(
      makeCommit({ message: "i18n: Update translation templates", author: { name: "Stéphane Graber", email: "stgraber@stgraber.org", date: "2025-03-04T14:05:00-05:00" }, authorPreviousCommitAt: "2025-03-04T14:04:00-05:00", files: [pot] }),
    );
    expect(result.writtenLines).toBe(0);
    expect(result.files[0]).toMatchObject({ kind: "translation", countsTowardShare: false, linesAdded: 30_000, writtenLines: 0 });
    expect(result.files[0]?.exclusion).toContain("translation catalogue");
    expect(result.files[0]?.signals.find((signal) => signal.id === "not-counted")?.evidence).toBe(result.files[0]?.exclusion);
    expect(ids(result).filter((id) => id.startsWith("velocity-"))).toEqual([]);
    expect(result.confidence).toBeLessThan(0.5);
  });

  it("a whitespace-only reformat of 20,000 lines: no written lines, no style or velocity tell", () => {
    const original = Array.from({ length: 20_000 }, (_, i) =>
      i % 4 === 0 ? `function step${i}() {` : i % 4 === 1 ? "  // Check if the cache is warm → skip (e.g. after a restart)" : i % 4 === 2 ? `  return warm(${i});` : "}",
    );
    const hunks: string[] = [];
    for (let start = 0; start < original.length; start += 200) {
      const chunk = original.slice(start, start + 200);
      hunks.push(`@@ -${start + 1},200 +${start + 1},200 @@`, ...chunk.map((line) => `-${line}`), ...chunk.map((line) => `+${line.replace(/^ {2}/, "    ")}`));
    }
    const file = makeFile({ path: "src/steps.ts", additions: 20_000, deletions: 20_000, patch: hunks.join("\n") });
    const result = analyzeCommit(makeCommit({ message: "Reindent with four spaces", authorPreviousCommitAt: "2025-03-04T14:04:00+01:00", files: [file] }));
    expect(result.writtenLines).toBe(0);
    expect(result.files[0]).toMatchObject({ kind: "code", writtenLines: 0, exclusion: "whitespace-only or formatting change: not counted" });
    expect(ids(result).filter((id) => id.startsWith("style-") || id.startsWith("velocity-"))).toEqual([]);
    expect(result.confidence).toBeLessThan(0.5);
  });

  it("a partial re-indent counts only the new lines", () => {
    const patch = ["@@ -3,3 +3,5 @@", " export function start() {", "-  run();", "+  if (ready) {", "+    run();", "+  }", " }"].join("\n");
    const result = analyzeCommit(makeCommit({ files: [makeFile({ path: "src/start.ts", additions: 3, deletions: 1, patch })] }));
    expect(result.writtenLines).toBe(2);
    expect(result.files[0]).toMatchObject({ linesAdded: 3, writtenLines: 2, exclusion: "1 re-indented, re-wrapped or moved line: not counted" });
  });

  it("a commit that says it regenerated files: its docs are not counted, its code is", () => {
    const docs = makeFile({ path: "docs/api.md", status: "modified", additions: 900, deletions: 850, patch: null });
    const code = makeFile({ path: "src/api.ts", status: "modified", additions: 12, deletions: 3, patch: null });
    const result = analyzeCommit(makeCommit({ message: "Regenerate the API reference", files: [docs, code] }));
    expect(result.files.map((file) => file.writtenLines)).toEqual([0, 12]);
    expect(result.files[0]?.exclusion).toContain("regenerated by the commit's own account");
    expect(result.writtenLines).toBe(12);
  });

  it("a translation bot's commit counts for nothing, not even its code", () => {
    const weblate = { name: "Weblate", email: "noreply@weblate.org", date: "2025-03-04T14:05:00Z" };
    const files = [makeFile({ path: "po/de.po", additions: 400, deletions: 380, patch: null }), makeFile({ path: "src/strings.ts", additions: 40, deletions: 2, patch: null })];
    const result = analyzeCommit(makeCommit({ author: weblate, committer: weblate, message: "Translated using Weblate (German)", files }));
    expect(result.writtenLines).toBe(0);
    expect(result.files[1]?.exclusion).toBe("translation commit (Weblate): not counted");
  });
});

describe("fromGitHubCommit", () => {
  const response = {
    sha: "abc123",
    url: "https://api.github.com/repos/o/r/commits/abc123",
    parents: [{ sha: "def456", url: "…" }],
    commit: {
      author: { name: "Ana", email: "ana@example.org", date: "2026-01-05T23:41:45+10:00" },
      committer: { name: "GitHub", email: "noreply@github.com", date: "2026-01-05T13:41:45Z" },
      message: claudeTrailer,
      verification: { verified: true },
    },
    author: { login: "ana" },
    files: [
      { filename: "src/new.ts", previous_filename: "src/old.ts", status: "renamed", additions: 2, deletions: 1, changes: 3, patch: "@@ -1 +1,2 @@\n-a\n+b\n+c", blob_url: "…" },
      { filename: "logo.png", status: "added", additions: 0, deletions: 0, changes: 0 },
    ],
    truncated: false,
  };

  it("maps the REST response plus context onto the engine's input, keeping the author's offset", () => {
    const commit = fromGitHubCommit(response, { branch: "feature/x", pullRequest: { title: "T", body: "B" }, authorPreviousCommitAt: "2026-01-05T23:30:00+10:00" });
    expect(commit).toMatchObject({
      sha: "abc123",
      parents: ["def456"],
      author: { date: "2026-01-05T23:41:45+10:00" },
      branch: "feature/x",
      pullRequest: { title: "T", body: "B" },
      authorPreviousCommitAt: "2026-01-05T23:30:00+10:00",
      truncated: false,
    });
    expect(commit.files[0]).toMatchObject({ path: "src/new.ts", previousPath: "src/old.ts", status: "renamed", binary: false });
    expect(commit.files[1]).toMatchObject({ path: "logo.png", binary: true, patch: null });
    expect(analyzeCommit(commit).files[1]?.kind).toBe("binary");
  });

  it("rejects something that is not a commit", () => {
    expect(() => fromGitHubCommit({ message: "hello" })).toThrow();
  });
});

describe("stripMarkers", () => {
  it("removes every marker but keeps the human parts of the message", () => {
    const commit = makeCommit({
      author: { name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com", date: "2026-01-01T10:00:00Z" },
      message: "Add CSV export\n\nExports the table.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-authored-by: Ana Lima <ana@example.org>\nCo-Authored-By: Claude <noreply@anthropic.com>",
      branch: "copilot/add-csv-export",
      pullRequest: { title: "Add CSV export", body: "Link to Devin run: https://app.devin.ai/sessions/1\nAdds export." },
      lineRecords: [{ source: "git-ai", path: "a.ts", contributor: "ai", agent: null, ranges: [[1, 2]] }],
    });
    const stripped = stripMarkers(commit);
    expect(detectAgentMarkers(stripped)).toEqual([]);
    expect(stripped.message).toBe("Add CSV export\n\nExports the table.\n\nCo-authored-by: Ana Lima <ana@example.org>");
    expect(stripped.author).toMatchObject({ name: "Ana Lima", email: "ana@example.org", date: "2026-01-01T10:00:00Z" });
    expect(stripped.branch).toBeNull();
    expect(stripped.pullRequest?.body).toBe("Adds export.");
  });

  it("drops Aider's prefix and suffix without inventing a person", () => {
    const stripped = stripMarkers(makeCommit({ message: "aider: Fix parser", committer: { name: "Paul (aider)", email: "paul@example.org", date: "2025-01-01T00:00:00Z" } }));
    expect(stripped.message).toBe("Fix parser");
    expect(stripped.committer.name).toBe("Paul");
  });

  it("leaves nothing that names a tool, whichever tools left marks", () => {
    const message = [
      "aider: Add retries",
      "",
      "💘 Generated with Crush",
      "Made-with: Cursor",
      "Amp-Thread-ID: T-123",
      "Replit-Commit-Author: Agent",
      "Link to Devin run: https://app.devin.ai/sessions/abc",
      "Co-authored-by: Codex <noreply@openai.com>",
      "Co-authored-by: openhands <openhands@all-hands.dev>",
    ].join("\n");
    const jules = { name: "google-labs-jules[bot]", email: "161369871+google-labs-jules[bot]@users.noreply.github.com", date: "2025-06-01T10:00:00+00:00" };
    const commit = makeCommit({
      author: jules,
      committer: jules,
      message,
      branch: "codex/add-retries",
      pullRequest: { title: "Add retries", body: "🤖 Generated with [Gemini CLI](https://github.com/google-gemini/gemini-cli)" },
      lineRecords: [{ source: "git-ai", path: "src/pagination.ts", contributor: "ai", agent: "claude-code", ranges: [[1, 1]] }],
    });
    expect(new Set(detectAgentMarkers(commit).map((signal) => signal.agent)).size).toBeGreaterThanOrEqual(8);
    const stripped = stripMarkers(commit);
    expect(detectAgentMarkers(stripped)).toEqual([]);
    expect(analyzeCommit(stripped).agent).not.toBeOneOf(Object.values(AGENTS));
  });
});

describe("which tool wrote the commit", () => {
  it("names the tool of the only marker", () => {
    expect(analyzeCommit(makeCommit({ message: "Add retries\n\nMade-with: Cursor" })).agent).toBe(AGENTS.cursor);
  });

  it("names the tool of the strongest marker when two tools left marks", () => {
    // The Copilot coding agent's identity (0.95) outweighs a Claude Code co-author trailer (0.9).
    const copilot = { name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com", date: "2025-06-01T10:00:00+00:00" };
    const message = "Add retries\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>";
    expect(analyzeCommit(makeCommit({ author: copilot, committer: copilot, message })).agent).toBe(AGENTS.copilotAgent);
  });

  it("prefers, of two marks that weigh the same, the one that names a tool, without moving the confidence", () => {
    const named = analyzeCommit(makeCommit({ message: "Add retries\n\nAssisted-by: some-model\nClaude-Session: 5f2c9a" }));
    const unnamed = analyzeCommit(makeCommit({ message: "Add retries\n\nAssisted-by: some-model" }));
    expect(named.agent).toBe(AGENTS.claudeCode);
    expect(named.confidence).toBe(unnamed.confidence);
  });

  it("says unmarked for a commit judged agent-written by its style alone, or by a mark that names no tool", () => {
    const message =
      "Add rate limiting to the public API\n\n## Summary\nAdds a token bucket per API key — requests over the limit get 429.\n\n- Add middleware\n- Add configuration\n- Add tests to ensure comprehensive coverage";
    const code = ["export function limit(request: Request) {", "  // Check if the key has a bucket (e.g. after a restart)", "  const bucket = buckets.get(request.key) ?? createBucket();", "  // Refill the bucket → never above its capacity", "  return bucket.take();", "}"];
    const styled = analyzeCommit(makeCommit({ message, files: [makeFile({ path: "src/limit.ts", status: "added", additions: code.length, deletions: 0, patch: addedPatch(code) })] }));
    expect(styled.confidence).toBeGreaterThanOrEqual(AI_CONFIDENCE_THRESHOLD);
    expect(styled.signals.some((signal) => signal.agent !== undefined)).toBe(false);
    expect(styled.agent).toBe(UNMARKED_AGENT);
    expect(analyzeCommit(makeCommit({ message: "Add retries\n\nAssisted-by: some-model" })).agent).toBe(UNMARKED_AGENT);
  });

  it("names nobody for a commit not judged agent-written", () => {
    const human = analyzeCommit(makeCommit());
    expect(human.confidence).toBeLessThan(AI_CONFIDENCE_THRESHOLD);
    expect(human.agent).toBeNull();
    expect(analyzeCommit(makeCommit(), { commitOnly: true }).agent).toBeNull();
  });
});
