import { z } from "zod";
import type { CommitFile, FileStatus, LineRecord, NormalisedCommit, PullRequestContext } from "./types.ts";

/**
 * Maps GitHub's REST "get a commit" response (GET /repos/{owner}/{repo}/commits/{sha}) plus what the
 * ingestion knows around it onto the engine's NormalisedCommit. Extra fields (url, html_url, user objects,
 * verification, blob_url) are ignored; missing optional ones get neutral defaults.
 */

const identitySchema = z.object({
  name: z.string().nullish(),
  email: z.string().nullish(),
  date: z.string().nullish(),
});

const fileSchema = z.object({
  filename: z.string(),
  status: z.enum(["added", "modified", "removed", "renamed", "copied", "changed", "unchanged"]),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  previous_filename: z.string().nullish(),
  patch: z.string().nullish(),
  patch_truncated: z.boolean().nullish(),
});

export const gitHubCommitSchema = z.object({
  sha: z.string().min(1),
  parents: z.array(z.union([z.string(), z.object({ sha: z.string() })])).default([]),
  commit: z.object({
    author: identitySchema.nullish(),
    committer: identitySchema.nullish(),
    message: z.string(),
  }),
  files: z.array(fileSchema).default([]),
  truncated: z.boolean().nullish(),
});

export type GitHubCommitResponse = z.input<typeof gitHubCommitSchema>;

export interface GitHubCommitContext {
  branch?: string | null;
  pullRequest?: PullRequestContext | null;
  /** Author date of the same author's previous commit (ISO 8601), when the ingestion knows it. */
  authorPreviousCommitAt?: string | null;
  lineRecords?: LineRecord[];
}

const BINARY_NO_PATCH_STATUSES = new Set(["added", "modified", "removed", "changed"]);

function toFile(file: z.infer<typeof fileSchema>): CommitFile {
  const status: FileStatus = file.status === "unchanged" ? "changed" : file.status;
  const patch = file.patch ?? null;
  return {
    path: file.filename,
    previousPath: file.previous_filename ?? null,
    status,
    additions: file.additions,
    deletions: file.deletions,
    patch,
    patchTruncated: file.patch_truncated === true,
    // GitHub omits the patch for binary files (0/0 lines) — and for mode-only changes, which are harmless here.
    binary: patch === null && file.additions === 0 && file.deletions === 0 && BINARY_NO_PATCH_STATUSES.has(file.status),
  };
}

/** Throws a ZodError when the response does not have the shape of a commit. */
export function fromGitHubCommit(response: unknown, context: GitHubCommitContext = {}): NormalisedCommit {
  const parsed = gitHubCommitSchema.parse(response);
  const author = parsed.commit.author;
  const committer = parsed.commit.committer ?? author;
  const patchCut = parsed.files.some((file) => file.patch_truncated === true);
  return {
    sha: parsed.sha,
    parents: parsed.parents.map((parent) => (typeof parent === "string" ? parent : parent.sha)),
    message: parsed.commit.message,
    author: { name: author?.name ?? "", email: author?.email ?? "", date: author?.date ?? "" },
    committer: { name: committer?.name ?? "", email: committer?.email ?? "", date: committer?.date ?? "" },
    branch: context.branch ?? null,
    pullRequest: context.pullRequest ?? null,
    authorPreviousCommitAt: context.authorPreviousCommitAt ?? null,
    files: parsed.files.map(toFile),
    lineRecords: context.lineRecords ?? [],
    truncated: parsed.truncated === true || patchCut,
  };
}
