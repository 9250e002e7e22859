import type { CommitFile, NormalisedCommit } from "../../domain/detection/types.ts";

/** Builders for tests: a plain human commit and files, overridable field by field. */
export function makeCommit(overrides: Partial<NormalisedCommit> = {}): NormalisedCommit {
  return {
    sha: "0123456789abcdef0123456789abcdef01234567",
    parents: ["fedcba9876543210fedcba9876543210fedcba98"],
    message: "Fix off-by-one in pagination",
    author: { name: "Dana Smith", email: "dana@example.org", date: "2025-03-04T14:05:00+01:00" },
    committer: { name: "Dana Smith", email: "dana@example.org", date: "2025-03-04T14:05:00+01:00" },
    branch: null,
    pullRequest: null,
    authorPreviousCommitAt: null,
    files: [makeFile()],
    lineRecords: [],
    truncated: false,
    ...overrides,
  };
}

export function makeFile(overrides: Partial<CommitFile> = {}): CommitFile {
  return {
    path: "src/pagination.ts",
    previousPath: null,
    status: "modified",
    additions: 1,
    deletions: 1,
    patch: "@@ -10,3 +10,3 @@\n const start = page * size;\n-const end = start + size - 1;\n+const end = start + size;",
    patchTruncated: false,
    binary: false,
    ...overrides,
  };
}

/** A patch that adds the given lines to a new file. */
export function addedPatch(lines: readonly string[]): string {
  return [`@@ -0,0 +1,${lines.length} @@`, ...lines.map((line) => `+${line}`)].join("\n");
}
