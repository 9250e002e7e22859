import { describe, expect, it } from "vitest";
import { analyzeCommit, fromGitHubCommit } from "../../domain/detection/index.ts";
import { loadCorpusCommits } from "../../tests/fixtures/corpus.ts";
import { commitPatchRows } from "../metrics/provenance-store.ts";
import {
  commitFromDetectionInput,
  commitFromPushPayload,
  detectionInputOf,
  isReadableDetectionInput,
  UNCOUNTED_PATCH_HEAD_CHARS,
  type StoredFileRow,
  type StoredPatch,
} from "./detection-input.ts";

/** What PostgreSQL hands back: jsonb keeps values, not key order or undefined fields. */
const throughJsonb = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function stored(record: unknown, context: { branch: string | null; pullRequest: { title: string; body: string } | null; authorPreviousCommitAt: string | null }) {
  const commit = fromGitHubCommit(record, context);
  const result = analyzeCommit(commit);
  const input = throughJsonb(detectionInputOf(commit, result, false));
  const patches = new Map<string, StoredPatch>(commitPatchRows(commit.files, result.files).map((row) => [row.path, { patch: row.patch, truncated: row.truncated }]));
  return { commit, result, input, patches };
}

describe("the detector's stored input", () => {
  it("rebuilds, with the stored patches and the context, an input the engine scores exactly as the original (the whole dev corpus)", () => {
    const records = loadCorpusCommits();
    let rebuiltCount = 0;
    for (const [index, record] of records.entries()) {
      const context = {
        branch: index % 3 === 0 ? "feature/x" : "main",
        pullRequest: index % 5 === 0 ? { title: "Add things", body: "Body" } : null,
        authorPreviousCommitAt: index % 2 === 0 ? "2024-01-01T10:00:00.000Z" : null,
      };
      const { commit, result, input, patches } = stored(record, context);
      expect(isReadableDetectionInput(input)).toBe(true);
      const rebuilt = commitFromDetectionInput(commit.sha, input, patches, context);
      expect(rebuilt, commit.sha).not.toBeNull();
      // NUL and lone surrogates are replaced before storing (PostgreSQL refuses them): the one lossy step.
      const changedByStoring = (text: string) => text.includes("\u0000") || !text.isWellFormed();
      const lossless = !commit.files.some((file) => file.patch !== null && changedByStoring(file.patch)) && !changedByStoring(commit.message);
      if (!lossless) continue;
      expect(analyzeCommit(rebuilt!), commit.sha).toEqual(result);
      rebuiltCount += 1;
    }
    expect(rebuiltCount).toBeGreaterThan(records.length * 0.95);
  });

  it("keeps only the head of an uncounted file's patch, and the given context of an analysis that had no database context", () => {
    const lockLines = Array.from({ length: 2_000 }, (_, line) => `+    "dep-${line}": "1.0.${line}",`).join("\n");
    const record = {
      sha: "a".repeat(40),
      parents: [{ sha: "b".repeat(40) }],
      commit: {
        author: { name: "Ada", email: "ada@example.com", date: "2026-06-03T23:10:00+02:00" },
        committer: { name: "GitHub", email: "noreply@github.com", date: "2026-06-03T23:11:00+02:00" },
        message: "Bump deps\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
      },
      files: [
        { filename: "package-lock.json", status: "modified", additions: 2_000, deletions: 0, patch: `@@ -1,1 +1,2001 @@\n${lockLines}` },
        { filename: "src/a.ts", status: "modified", additions: 1, deletions: 0, patch: "@@ -1,1 +1,2 @@\n const a = 1;\n+export const b = a + 1;" },
      ],
    };
    const context = { branch: "main", pullRequest: null, authorPreviousCommitAt: "2026-06-03T20:00:00.000Z" };
    const commit = fromGitHubCommit(record, context);
    const result = analyzeCommit(commit);
    const input = throughJsonb(detectionInputOf(commit, result, true));
    const lock = input.files.find((file) => file.path === "package-lock.json")!;
    expect(lock).toMatchObject({ patchInPatches: false, additions: 2_000 });
    expect(lock.patch).toHaveLength(UNCOUNTED_PATCH_HEAD_CHARS);
    expect(input.files.find((file) => file.path === "src/a.ts")).toMatchObject({ patchInPatches: true, patch: null });
    expect(input.message).toBe(record.commit.message);
    expect(input.committer).toEqual(record.commit.committer);
    expect(input.context).toEqual(context);

    const patches = new Map(commitPatchRows(commit.files, result.files).map((row) => [row.path, { patch: row.patch, truncated: row.truncated }]));
    // The database's context is ignored for it: the analysis used the one it was given.
    const rebuilt = commitFromDetectionInput(commit.sha, input, patches, { branch: "other", pullRequest: { title: "t", body: "b" }, authorPreviousCommitAt: null });
    expect(analyzeCommit(rebuilt!)).toEqual(result);
    // A counted file's patch row missing: the input is incomplete, not guessed.
    expect(commitFromDetectionInput(commit.sha, input, new Map(), context)).toBeNull();
  });

  describe("rebuilt from a push payload and the stored rows (a commit analysed before inputs were kept)", () => {
    const context = { branch: "main", pullRequest: null, authorPreviousCommitAt: null };
    const row = { authoredMs: Date.parse("2026-06-03T21:10:00Z"), committedMs: null, authorName: "Ada", authorEmail: "ada@example.com" };
    const pushed = {
      id: "a".repeat(40),
      message: "Bump deps\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
      timestamp: "2026-06-03T23:10:00+02:00",
      author: { name: "Ada", email: "ada@example.com", username: "ada" },
      committer: { name: "GitHub", email: "noreply@github.com" },
    };
    const file = (path: string, kind: string, counted: boolean): StoredFileRow => ({ path, previousPath: null, status: "modified", kind, counted, additions: 3, deletions: 1 });
    const patches = new Map<string, StoredPatch>([["src/a.ts", { patch: "@@ -1,1 +1,2 @@\n const a = 1;\n+export const b = a + 1;", truncated: false }]]);

    it("takes the whole message and both identities from the push, and the author date as GitHub's API gives it (UTC)", () => {
      const rebuilt = commitFromPushPayload(pushed.id, pushed, row, [file("src/a.ts", "code", true), file("yarn.lock", "lockfile", false)], patches, context);
      expect(rebuilt).toMatchObject({
        ok: true,
        commit: {
          message: pushed.message,
          // The analysis it replaces read GitHub's API, which drops the author's offset the push keeps.
          author: { name: "Ada", email: "ada@example.com", date: "2026-06-03T21:10:00Z" },
          committer: { name: "GitHub", email: "noreply@github.com", date: "2026-06-03T21:10:00Z" },
          parents: [],
          files: [{ path: "src/a.ts", patch: patches.get("src/a.ts")!.patch }, { path: "yarn.lock", patch: null, binary: false }],
        },
      });
      // Without a committer in the push, the author commits.
      const alone = commitFromPushPayload(pushed.id, { ...pushed, committer: null }, { ...row, committedMs: Date.parse("2026-06-04T08:00:00Z") }, [], patches, context);
      expect(alone.ok && alone.commit.committer).toEqual({ name: "Ada", email: "ada@example.com", date: "2026-06-03T21:10:00Z" });
    });

    it("keeps an uncounted file's kind (a stand-in head when the path does not say it), and refuses what it cannot keep", () => {
      const generated = commitFromPushPayload(pushed.id, pushed, row, [file("src/api/client.ts", "generated", false), file("logo.png", "binary", false)], patches, context);
      expect(generated.ok).toBe(true);
      const analysed = analyzeCommit((generated as { commit: Parameters<typeof analyzeCommit>[0] }).commit);
      expect(analysed.files.map((each) => [each.path, each.kind, each.countsTowardShare])).toEqual([
        ["src/api/client.ts", "generated", false],
        ["logo.png", "binary", false],
      ]);
      expect(commitFromPushPayload(pushed.id, pushed, row, [file("src/b.ts", "code", true)], patches, context)).toEqual({ ok: false, reason: "patch-missing" });
      expect(commitFromPushPayload(pushed.id, pushed, row, [file("src/c.ts", "vendored", false)], patches, context)).toEqual({ ok: false, reason: "uncounted-kind-lost" });
    });
  });
});
