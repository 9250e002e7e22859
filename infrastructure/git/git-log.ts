import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { parseGitAiNote } from "../../domain/detection/line-records.ts";
import type { CommitFile, FileStatus, NormalisedCommit } from "../../domain/detection/types.ts";

/**
 * Reads commits from a local repository (working clone or bare) with the `git` binary: one `git log --patch`
 * stream with rename detection, parsed incrementally so long histories never sit in memory at once.
 * git-ai line records are read from `refs/notes/ai` when the repository has them.
 */

export type GitReadErrorCode = "NOT_FOUND" | "NOT_A_REPOSITORY" | "BAD_REVISION" | "GIT_UNAVAILABLE" | "GIT_FAILED";

export class GitReadError extends Error {
  override name = "GitReadError";
  constructor(
    readonly code: GitReadErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ReadCommitsOptions {
  /** A revision or range as git understands it ("main", "v1.0..HEAD"). Default HEAD. */
  rev?: string;
  /** Newest N commits only. */
  limit?: number;
  /** Per-file patch text kept for the detector; line counts stay exact beyond it. Default 20 KiB like GitHub. */
  maxPatchBytes?: number;
}

const RECORD = "\x1e";
const FIELD = "\x1f";
const FORMAT = `${RECORD}%H${FIELD}%P${FIELD}%an${FIELD}%ae${FIELD}%aI${FIELD}%cn${FIELD}%ce${FIELD}%cI${FIELD}%B${FIELD}%N${FIELD}`;

interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

function runGit(args: string[]): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => reject(new GitReadError("GIT_UNAVAILABLE", `cannot run git: ${error.message}`)));
    child.on("close", (code) => resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), code: code ?? 1 }));
  });
}

function firstLine(text: string): string {
  return text.split("\n").find((line) => line.trim().length > 0)?.trim() ?? "";
}

/** Fails with a clear GitReadError unless `dir` is a git repository (working clone or bare). */
export async function assertGitRepository(dir: string): Promise<void> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new GitReadError("NOT_A_REPOSITORY", `${dir}: not a directory`);
  } catch (error) {
    if (error instanceof GitReadError) throw error;
    throw new GitReadError("NOT_FOUND", `${dir}: no such directory`);
  }
  const result = await runGit(["-C", dir, "rev-parse", "--git-dir"]);
  if (result.code !== 0) throw new GitReadError("NOT_A_REPOSITORY", `${dir}: not a git repository`);
}

async function assertRevision(dir: string, rev: string): Promise<void> {
  if (rev.startsWith("-")) throw new GitReadError("BAD_REVISION", `--rev ${rev}: a revision cannot start with "-"`);
  const result = await runGit(["-C", dir, "rev-list", "-n", "1", rev, "--"]);
  if (result.code !== 0) throw new GitReadError("BAD_REVISION", `--rev ${rev}: ${firstLine(result.stderr) || "unknown revision"}`);
}

/** sha → author date of the same author's previous commit (by author time), over everything reachable from rev. */
export async function previousCommitTimes(dir: string, rev: string): Promise<Map<string, string>> {
  const result = await runGit(["-C", dir, "log", "--no-merges", `--format=%H${FIELD}%ae${FIELD}%aI`, rev, "--"]);
  if (result.code !== 0) throw new GitReadError("GIT_FAILED", `git log: ${firstLine(result.stderr)}`);
  const byAuthor = new Map<string, Array<{ sha: string; date: string; epoch: number }>>();
  for (const line of result.stdout.split("\n")) {
    const [sha, email, date] = line.split(FIELD);
    if (!sha || email === undefined || !date) continue;
    const list = byAuthor.get(email.toLowerCase()) ?? [];
    list.push({ sha, date, epoch: Date.parse(date) });
    byAuthor.set(email.toLowerCase(), list);
  }
  const previous = new Map<string, string>();
  for (const list of byAuthor.values()) {
    list.sort((a, b) => a.epoch - b.epoch);
    for (let index = 1; index < list.length; index += 1) {
      const current = list[index];
      const before = list[index - 1];
      if (current && before) previous.set(current.sha, before.date);
    }
  }
  return previous;
}

interface FileBuilder {
  path: string;
  previousPath: string | null;
  status: FileStatus;
  additions: number;
  deletions: number;
  binary: boolean;
  patchLines: string[];
  patchBytes: number;
  patchTruncated: boolean;
  inHunks: boolean;
}

function unquotePath(raw: string): string {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('"')) return trimmed;
  try {
    return JSON.parse(trimmed) as string;
  } catch {
    return trimmed.slice(1, -1);
  }
}

function pathFromDiffHeader(line: string): { from: string; to: string } {
  // "diff --git a/x b/y": without renames both sides are equal, so split in the middle.
  const rest = line.slice("diff --git ".length);
  const middle = rest.indexOf(" b/", Math.floor((rest.length - 3) / 2) - 1);
  if (rest.startsWith("a/") && middle !== -1) return { from: unquotePath(rest.slice(2, middle)), to: unquotePath(rest.slice(middle + 3)) };
  const parts = rest.split(" ");
  return { from: unquotePath((parts[0] ?? "").replace(/^"?a\//, "")), to: unquotePath((parts[1] ?? "").replace(/^"?b\//, "")) };
}

/** Parses the patch part of one `git log --patch` record into files. Exported for tests. */
export function parseGitPatch(text: string, maxPatchBytes = 20 * 1024): CommitFile[] {
  const files: CommitFile[] = [];
  let current: FileBuilder | null = null;
  const finish = (): void => {
    if (!current) return;
    files.push({
      path: current.path,
      previousPath: current.status === "renamed" || current.status === "copied" ? current.previousPath : null,
      status: current.status,
      additions: current.additions,
      deletions: current.deletions,
      patch: current.patchLines.length > 0 ? current.patchLines.join("\n") : null,
      patchTruncated: current.patchTruncated,
      binary: current.binary,
    });
    current = null;
  };
  for (const line of text.split("\n")) {
    if (line.startsWith("diff --git ")) {
      finish();
      const { from, to } = pathFromDiffHeader(line);
      current = { path: to, previousPath: from, status: "modified", additions: 0, deletions: 0, binary: false, patchLines: [], patchBytes: 0, patchTruncated: false, inHunks: false };
      continue;
    }
    const file: FileBuilder | null = current;
    if (!file) continue;
    if (!file.inHunks) {
      if (line.startsWith("@@")) file.inHunks = true;
      else {
        if (line.startsWith("new file mode")) file.status = "added";
        else if (line.startsWith("deleted file mode")) file.status = "removed";
        else if (line.startsWith("rename from ")) {
          file.status = "renamed";
          file.previousPath = unquotePath(line.slice("rename from ".length));
        } else if (line.startsWith("rename to ")) file.path = unquotePath(line.slice("rename to ".length));
        else if (line.startsWith("copy from ")) {
          file.status = "copied";
          file.previousPath = unquotePath(line.slice("copy from ".length));
        } else if (line.startsWith("copy to ")) file.path = unquotePath(line.slice("copy to ".length));
        else if (line.startsWith("Binary files ") || line.startsWith("GIT binary patch")) file.binary = true;
        else if (line.startsWith("old mode") && file.status === "modified") file.status = "changed";
        continue;
      }
    }
    if (line.startsWith("+")) file.additions += 1;
    else if (line.startsWith("-")) file.deletions += 1;
    if (file.patchTruncated) continue;
    if (file.patchBytes + line.length + 1 > maxPatchBytes) {
      file.patchTruncated = true;
      continue;
    }
    file.patchLines.push(line);
    file.patchBytes += line.length + 1;
  }
  finish();
  // The trailing newline of the log output leaves an empty last patch line: drop it.
  for (const file of files) if (file.patch?.endsWith("\n")) file.patch = file.patch.replace(/\n+$/, "");
  return files;
}

function parseRecord(record: string, previous: Map<string, string>, maxPatchBytes: number): NormalisedCommit | null {
  const fields = record.split(FIELD);
  if (fields.length < 11) return null;
  const [sha = "", parents = "", authorName = "", authorEmail = "", authorDate = "", committerName = "", committerEmail = "", committerDate = "", body = "", note = ""] = fields;
  const patchText = fields.slice(10).join(FIELD);
  const files = parseGitPatch(patchText, maxPatchBytes);
  return {
    sha,
    parents: parents.split(" ").filter((parent) => parent.length > 0),
    message: body.replace(/\n+$/, ""),
    author: { name: authorName, email: authorEmail, date: authorDate },
    committer: { name: committerName, email: committerEmail, date: committerDate },
    branch: null,
    pullRequest: null,
    authorPreviousCommitAt: previous.get(sha) ?? null,
    files,
    lineRecords: note.trim().length > 0 ? parseGitAiNote(note) : [],
    truncated: files.some((file) => file.patchTruncated),
  };
}

/**
 * Yields commits newest first (merges skipped: their changes are attributed to the commits they merge).
 * Throws GitReadError for a missing path, a non-repository or an unknown revision before yielding anything.
 */
export async function* readGitCommits(dir: string, options: ReadCommitsOptions = {}): AsyncGenerator<NormalisedCommit> {
  const rev = options.rev ?? "HEAD";
  const maxPatchBytes = options.maxPatchBytes ?? 20 * 1024;
  await assertGitRepository(dir);
  await assertRevision(dir, rev);
  const previous = await previousCommitTimes(dir, rev);
  const args = ["-C", dir, "-c", "core.quotePath=false", "log", "--no-merges", "-M", "-C", "--patch", "--no-color", "--no-ext-diff", "--notes=refs/notes/ai", `--format=${FORMAT}`];
  if (options.limit !== undefined) args.push("-n", String(options.limit));
  args.push(rev, "--");

  const child = spawn("git", args, { stdio: ["ignore", "pipe", "pipe"] });
  const stderr: Buffer[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<number>((resolve, reject) => {
    child.on("error", (error) => reject(new GitReadError("GIT_UNAVAILABLE", `cannot run git: ${error.message}`)));
    child.on("close", (code) => resolve(code ?? 1));
  });
  child.stdout.setEncoding("utf8");
  let buffer = "";
  try {
    for await (const chunk of child.stdout as AsyncIterable<string>) {
      buffer += chunk;
      let end = buffer.indexOf(RECORD, 1);
      while (end !== -1) {
        const commit = parseRecord(buffer.slice(1, end), previous, maxPatchBytes);
        buffer = buffer.slice(end);
        if (commit) yield commit;
        end = buffer.indexOf(RECORD, 1);
      }
    }
    if (buffer.startsWith(RECORD)) {
      const commit = parseRecord(buffer.slice(1), previous, maxPatchBytes);
      if (commit) yield commit;
    }
  } finally {
    if (child.exitCode === null) child.kill();
  }
  const code = await exited;
  if (code !== 0 && code !== null) {
    const message = firstLine(Buffer.concat(stderr).toString("utf8"));
    if (message) throw new GitReadError("GIT_FAILED", `git log: ${message}`);
  }
}
