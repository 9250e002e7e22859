import { z } from "zod";
import { classifyFileKind, type FileKind } from "../../domain/detection/index.ts";
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
  /**
   * Set when the document was rebuilt for a commit analysed before inputs were kept, from its push payload and its
   * stored rows (commitFromPushPayload): its parents are unknown (the analysis had one: merges are not analysed), and
   * an uncounted file's patch is null or a stand-in naming the kind its analysis found. Carried over by re-scores.
   */
  rebuiltFrom?: "push-payload";
}

export interface StoredContext {
  branch: string | null;
  pullRequest: PullRequestContext | null;
  authorPreviousCommitAt: string | null;
}

/** A file of the commit as the engine read it, but for its patch: a counted file's is in `commit_file_patches`. */
export interface StoredInputFile extends Omit<CommitFile, "patch"> {
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

/** One commit as a push delivery lists it (`commits[]` of GitHub's push payload): the whole message and both identities. */
export const pushedCommitSchema = z
  .object({
    id: z.string(),
    message: z.string(),
    author: z.object({ name: z.string().nullish(), email: z.string().nullish() }).passthrough().nullish(),
    committer: z.object({ name: z.string().nullish(), email: z.string().nullish() }).passthrough().nullish(),
  })
  .passthrough();

export type PushedCommit = z.infer<typeof pushedCommitSchema>;

/** The commit's own row: when it was authored and committed, and by whom, as the push recorded it. */
export interface StoredCommitRow {
  authoredMs: number;
  committedMs: number | null;
  authorName: string | null;
  authorEmail: string | null;
}

/** A file of the commit as its attribution row keeps it (the analysis's file list, in the order it was written). */
export interface StoredFileRow {
  path: string;
  previousPath: string | null;
  status: string;
  kind: string;
  counted: boolean;
  additions: number;
  deletions: number;
}

/** Why a commit analysed before inputs were kept cannot be rebuilt from its push payload and stored rows. */
export type PushPayloadRebuildFailure = "patch-missing" | "uncounted-kind-lost";

const FILE_STATUSES = new Set<FileStatus>(["added", "modified", "removed", "renamed", "copied", "changed"]);
/** As fromGitHubCommit decides it: GitHub sends no patch for a binary file, and 0/0 lines. */
const BINARY_NO_PATCH_STATUSES = new Set(["added", "modified", "removed", "changed"]);

/**
 * Uncounted files' patches were never stored, and the engine reads a patch's first lines only to tell a generated
 * file or a Qt translation catalogue from code. When the path alone does not say what the analysis found, the rebuilt
 * file carries a one-line stand-in the classifier reads as that kind: the file stays uncounted, as it was.
 */
const UNCOUNTED_KIND_STAND_INS: Partial<Record<FileKind, string>> = {
  generated: "// @generated (stand-in: Sentinel kept this uncounted file's kind, not its patch)",
  translation: "<!DOCTYPE TS> (stand-in: Sentinel kept this uncounted file's kind, not its patch)",
};

/**
 * An instant as GitHub's REST API writes a commit's dates: UTC, "2026-06-01T09:00:00Z". The API drops the author's
 * offset (the push payload keeps it), so a fresh analysis of a GitHub commit reads its time of day in UTC: a rebuild
 * does the same, or its time-of-day tell would differ from the analysis it replaces.
 */
function gitHubApiDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.000Z$/, "Z");
}

/**
 * The engine's input for a commit analysed before Sentinel kept it, rebuilt without GitHub: the whole message and
 * both identities from the push delivery that recorded the commit, the author date from its row (the push's instant,
 * in the form GitHub's API gives it), the file list from its attribution rows (status, line counts, kind), the counted
 * files' patches from `commit_file_patches`. Line records are none (a GitHub commit's analysis had none). Fails when a
 * counted file's patch row is missing (a verdict from it would not be one a fresh analysis writes) or when an
 * uncounted file's kind cannot be kept without its patch.
 */
export function commitFromPushPayload(
  sha: string,
  pushed: PushedCommit,
  row: StoredCommitRow,
  fileRows: readonly StoredFileRow[],
  patches: ReadonlyMap<string, StoredPatch>,
  context: StoredContext,
): { ok: true; commit: NormalisedCommit } | { ok: false; reason: PushPayloadRebuildFailure } {
  const files: CommitFile[] = [];
  for (const file of fileRows) {
    const status: FileStatus = FILE_STATUSES.has(file.status as FileStatus) ? (file.status as FileStatus) : "changed";
    const stored = patches.get(file.path);
    if (stored) {
      files.push({
        path: file.path,
        previousPath: file.previousPath,
        status,
        additions: file.additions,
        deletions: file.deletions,
        patch: stored.patch,
        patchTruncated: stored.truncated,
        binary: stored.patch === null && file.additions === 0 && file.deletions === 0 && BINARY_NO_PATCH_STATUSES.has(status),
      });
      continue;
    }
    if (file.counted) return { ok: false, reason: "patch-missing" };
    const kind = file.kind as FileKind;
    const binary = kind === "binary";
    const patch = classifyFileKind({ path: file.path, patch: null, binary }) === kind ? null : (UNCOUNTED_KIND_STAND_INS[kind] ?? null);
    if (classifyFileKind({ path: file.path, patch, binary }) !== kind) return { ok: false, reason: "uncounted-kind-lost" };
    files.push({ path: file.path, previousPath: file.previousPath, status, additions: file.additions, deletions: file.deletions, patch, patchTruncated: false, binary });
  }
  const authorDate = gitHubApiDate(row.authoredMs);
  const author: GitIdentity = { name: pushed.author?.name ?? row.authorName ?? "", email: pushed.author?.email ?? row.authorEmail ?? "", date: authorDate };
  const committer: GitIdentity = pushed.committer
    ? { name: pushed.committer.name ?? "", email: pushed.committer.email ?? "", date: row.committedMs === null ? authorDate : gitHubApiDate(row.committedMs) }
    : author;
  return {
    ok: true,
    commit: {
      sha,
      parents: [],
      message: pushed.message,
      author,
      committer,
      branch: context.branch,
      pullRequest: context.pullRequest,
      authorPreviousCommitAt: context.authorPreviousCommitAt,
      files,
      lineRecords: [],
      truncated: files.some((file) => file.patchTruncated),
    },
  };
}
