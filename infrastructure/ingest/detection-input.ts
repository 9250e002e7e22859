import type {
  CommitAttribution,
  CommitFile,
  FileStatus,
  GitIdentity,
  LineRecord,
  NormalisedCommit,
  PullRequestContext,
} from "../../domain/detection/index.ts";
import { storableText } from "../metrics/provenance-store.ts";

/**
 * The engine's input for one commit, minus what other tables already keep: stored as `commit_detection_inputs.input`
 * with every verdict, so a later detector can be run over stored history (`sentinel rescore`) and write what a
 * fresh analysis would. The counted files' patches are not repeated here: they are the commit's rows in
 * `commit_file_patches` (ADR 030). The branch, pull request and the author's previous commit are read from the
 * database at re-score time, as the analysis reads them, except for analyses that were given their context
 * (`sentinel import`): then it is kept here.
 */
export interface StoredDetectionInput {
  v: 1;
  parents: string[];
  message: string;
  author: GitIdentity;
  committer: GitIdentity;
  truncated: boolean;
  lineRecords: LineRecord[];
  /** The context the analysis was given rather than read from the database; null: read it again from the database. */
  context: StoredContext | null;
  files: StoredInputFile[];
}

export interface StoredContext {
  branch: string | null;
  pullRequest: PullRequestContext | null;
  authorPreviousCommitAt: string | null;
}

export interface StoredInputFile {
  path: string;
  previousPath: string | null;
  status: FileStatus;
  additions: number;
  deletions: number;
  binary: boolean;
  patchTruncated: boolean;
  /** True: the patch is the file's row in `commit_file_patches` (a counted file); `patch` is then null. */
  patchInPatches: boolean;
  /** An uncounted file's patch (lockfile, generated, vendored, binary), its first UNCOUNTED_PATCH_HEAD_CHARS only. */
  patch: string | null;
}

/**
 * Uncounted files are only classified (their kind, from the path and the patch's first lines), never styled: their
 * patch head is what the engine reads of them. A lockfile's whole diff can be megabytes.
 */
export const UNCOUNTED_PATCH_HEAD_CHARS = 4_000;

function storableIdentity(identity: GitIdentity): GitIdentity {
  return { name: storableText(identity.name), email: storableText(identity.email), date: identity.date };
}

/**
 * The document to store with a verdict. `givenContext`: the analysis was handed its context (no database context to
 * check, `sentinel import`), so a re-score must use the same one.
 */
export function detectionInputOf(commit: NormalisedCommit, result: CommitAttribution, givenContext: boolean): StoredDetectionInput {
  const counted = new Set(result.files.filter((file) => file.countsTowardShare).map((file) => file.path));
  return {
    v: 1,
    parents: commit.parents,
    message: storableText(commit.message),
    author: storableIdentity(commit.author),
    committer: storableIdentity(commit.committer),
    truncated: commit.truncated,
    lineRecords: commit.lineRecords.map((record) => ({ ...record, path: storableText(record.path), agent: record.agent === null ? null : storableText(record.agent) })),
    context: givenContext ? { branch: commit.branch, pullRequest: commit.pullRequest, authorPreviousCommitAt: commit.authorPreviousCommitAt } : null,
    files: commit.files.map((file) => {
      const inPatches = counted.has(file.path);
      return {
        path: file.path,
        previousPath: file.previousPath,
        status: file.status,
        additions: file.additions,
        deletions: file.deletions,
        binary: file.binary,
        patchTruncated: file.patchTruncated,
        patchInPatches: inPatches,
        // Cut first, then made storable: a cut through a surrogate pair leaves a lone half, which storableText mends.
        patch: inPatches || file.patch === null ? null : storableText(file.patch.slice(0, UNCOUNTED_PATCH_HEAD_CHARS)),
      };
    }),
  };
}

/** A counted file's patch as `commit_file_patches` keeps it. */
export interface StoredPatch {
  patch: string | null;
  truncated: boolean;
}

/**
 * The engine's input rebuilt from storage: the stored document, the commit's patch rows and its context (read from
 * the database unless the document keeps the one the analysis was given). Null when a counted file's patch row is
 * missing: the input is incomplete, and a verdict from it would not be the one a fresh analysis writes.
 */
export function commitFromDetectionInput(
  sha: string,
  input: StoredDetectionInput,
  patches: ReadonlyMap<string, StoredPatch>,
  databaseContext: StoredContext,
): NormalisedCommit | null {
  const files: CommitFile[] = [];
  for (const file of input.files) {
    let patch = file.patch;
    if (file.patchInPatches) {
      const stored = patches.get(file.path);
      if (!stored) return null;
      patch = stored.patch;
    }
    files.push({
      path: file.path,
      previousPath: file.previousPath,
      status: file.status,
      additions: file.additions,
      deletions: file.deletions,
      patch,
      patchTruncated: file.patchTruncated,
      binary: file.binary,
    });
  }
  const context = input.context ?? databaseContext;
  return {
    sha,
    parents: input.parents,
    message: input.message,
    author: input.author,
    committer: input.committer,
    branch: context.branch,
    pullRequest: context.pullRequest,
    authorPreviousCommitAt: context.authorPreviousCommitAt,
    files,
    lineRecords: input.lineRecords,
    truncated: input.truncated,
  };
}

/** Whether a stored document is one this version can read (a later version may write a `v` this one does not know). */
export function isReadableDetectionInput(value: unknown): value is StoredDetectionInput {
  return typeof value === "object" && value !== null && (value as { v?: unknown }).v === 1 && Array.isArray((value as { files?: unknown }).files);
}
