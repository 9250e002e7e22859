import { describe, expect, it } from "vitest";
import { analyzeCommit } from "./engine.ts";
import { fromGitHubCommit } from "./github.ts";
import { detectAgentMarkers } from "./markers.ts";
import { stripMarkers } from "./strip.ts";
import { addedPatch, makeCommit, makeFile } from "./testing.ts";
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
    const result = analyzeCommit(makeCommit({ files: [makeFile({ path: "src/auth/session.ts" })] }));
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
    expect(result.files[0]?.aiConfidence).toBe(0);
    expect(result.files[1]?.aiConfidence).toBeGreaterThan(0.9);
    expect(result.files[1]?.signals[0]?.evidence).toBe("git-ai note: 40 lines written by claude-sonnet-4-5");
  });

  it("handles a commit with no files and empty patches", () => {
    const result = analyzeCommit(makeCommit({ files: [], message: "" }));
    expect(result).toMatchObject({ confidence: 0, signals: [], files: [] });
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
});
